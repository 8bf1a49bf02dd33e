"""The parse-or-raise step of a task handler: the event read as its model, or the task's own input error.

Step Functions sees a handler's exception by its class name, so each task names the error a malformed
event raises (`InvalidLedgerCommand`, `InvalidVendorTaskInput`, ...) and the state machine can catch it;
the message is pydantic's account of what was wrong.

Example:
    >>> from pydantic import BaseModel
    >>> class Greeting(BaseModel):
    ...     name: str
    >>> parse_event(Greeting, {"name": "Ada"}, invalid=ValueError).name
    'Ada'
"""

from __future__ import annotations

from typing import Any, TypeVar, overload

from pydantic import BaseModel, TypeAdapter, ValidationError

Model = TypeVar("Model", bound=BaseModel)
Parsed = TypeVar("Parsed")


@overload
def parse_event(schema: type[Model], event: Any, *, invalid: type[Exception]) -> Model: ...


@overload
def parse_event(schema: TypeAdapter[Parsed], event: Any, *, invalid: type[Exception]) -> Parsed: ...


def parse_event(schema: type[BaseModel] | TypeAdapter[Any], event: Any, *, invalid: type[Exception]) -> Any:
    """`event` validated against `schema` (a model or a type adapter); else `invalid(message)` is raised."""
    try:
        if isinstance(schema, TypeAdapter):
            return schema.validate_python(event)
        return schema.model_validate(event)
    except ValidationError as error:
        raise invalid(str(error)) from error
