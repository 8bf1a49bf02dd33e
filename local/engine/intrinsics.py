"""Step Functions intrinsic functions (`States.Format(...)`, ...): validate and evaluate a call.

The syntax is parsed by `intrinsics_parser` and the functions live in `intrinsics_functions`; this
module is the entry point the interpreter and the validator use. Expressions are parsed and checked
once and cached.

Errors, and how the interpreter composes them:
- `validate(expression)` raises ValueError (syntax, unknown function, wrong number of arguments).
- `evaluate(...)` raises `IntrinsicFailure`, a StatesError whose `.error` is "States.Runtime" (AWS
  reserves "States.IntrinsicFailure" and reports intrinsic failures as States.Runtime) and whose
  `.cause` is only the text AWS puts after its state prefix. The interpreter prepends
  "An error occurred while executing the state '<State>' (entered at the event id #<n>). " itself.
- A path argument that matches nothing gives `IntrinsicPathNotFound` (also States.Runtime) whose
  cause reads like AWS's payload-template miss: "The JSONPath '$.x' specified for the field 'key.$'
  could not be found in the input '{...}'" when the caller passes `field`, without the field otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from local.engine.intrinsics_functions import RUNTIME_ERROR, IntrinsicFailure, check_call, run_call
from local.engine.intrinsics_parser import Call, Node, PathArgument, parse_call
from local.engine.java_compat import to_json_text
from local.engine.jsonpath import JsonPathNotFound

__all__ = [
    "RUNTIME_ERROR",
    "IntrinsicFailure",
    "IntrinsicPathNotFound",
    "evaluate",
    "is_intrinsic",
    "validate",
]


class IntrinsicPathNotFound(IntrinsicFailure):
    """A path argument matched nothing. `.path` is the argument as written, `.document` what it read."""

    def __init__(self, path: str, document: Any, field: str | None) -> None:
        where = f" specified for the field '{field}'" if field else ""
        rendered = to_json_text(document)
        super().__init__(f"The JSONPath '{path}'{where} could not be found in the input '{rendered}'")
        self.path = path
        self.document = document


@lru_cache(maxsize=4096)
def _compiled(expression: str) -> Call:
    call = parse_call(expression)
    check_call(call)
    return call


# ------------------------------------------------------------------------------------------ evaluation


@dataclass(frozen=True, slots=True)
class _Environment:
    input: Any
    context: Any
    variables: Mapping[str, Any]
    field: str | None


def _evaluate(node: Node, env: _Environment) -> Any:
    if isinstance(node, PathArgument):
        return _read_path(node, env)
    if isinstance(node, Call):
        values = [_evaluate(argument, env) for argument in node.arguments]
        return run_call(node, values)
    return node.value


def _read_path(node: PathArgument, env: _Environment) -> Any:
    if node.source == "variable":
        assert node.variable is not None
        if node.variable not in env.variables:
            raise IntrinsicFailure(f"The variable '${node.variable}' is not defined")
        document = env.variables[node.variable]
    else:
        document = env.context if node.source == "context" else env.input
    if node.path is None:
        return document
    try:
        return node.path.select(document)
    except JsonPathNotFound:
        raise IntrinsicPathNotFound(node.text, document, env.field) from None


def is_intrinsic(text: str) -> bool:
    """Whether a `.$` value is an intrinsic function call (rather than a path)."""
    return isinstance(text, str) and text.lstrip().startswith("States.")


def validate(expression: str) -> None:
    """Raise ValueError with a clear message if `expression` is not a valid intrinsic function call.

    Checks the syntax, every path argument, function names and numbers of arguments (nested calls too).
    """
    try:
        _compiled(expression)
    except ValueError as exc:
        raise ValueError(f"Invalid intrinsic function '{expression}': {exc}") from None


def evaluate(
    expression: str,
    *,
    input: Any,
    context: Any,
    variables: Mapping[str, Any] | None = None,
    field: str | None = None,
) -> Any:
    """Evaluate an intrinsic function call against the state input, context object and variables.

    `field` (e.g. "FunctionResult.$") only words the cause of a path argument that matches nothing.
    Raises IntrinsicFailure (States.Runtime) on a run-time failure.

    Example:
        evaluate("States.Format('Hello {}', $.name)", input={"name": "Ada"}, context={}) -> "Hello Ada"
    """
    try:
        call = _compiled(expression)
    except ValueError as exc:
        raise IntrinsicFailure(f"Invalid intrinsic function '{expression}': {exc}") from None
    return _evaluate(call, _Environment(input, context, variables or {}, field))
