"""TestState's `mock.fieldValidationMode`: a mocked service integration result checked against the API's
response shape (botocore's model), with AWS's messages.

STRICT (the default) wants the response's required fields and checks the type, enum and bounds of every
field the mock gives; PRESENT checks only the fields the mock gives; NONE checks nothing. Fields the API
does not have pass (AWS allows them, for forward compatibility). Field names are as Step Functions gives
them: the API member's name with a capital first letter. A response's payload member (a Lambda `Payload`,
an S3 object's `Body`) is whatever JSON the service returned, so it passes too. Only a Task that calls a
service and takes its response as the result is checked: not a Lambda function named by its ARN, an
activity, an HTTP Task, or a `.sync` or `.waitForTaskToken` integration (whose result is another).
"""

from __future__ import annotations

from functools import cache
from typing import Any

import botocore.session
from botocore.exceptions import DataNotFoundError, UnknownServiceError
from botocore.model import (
    ListShape,
    MapShape,
    OperationNotFoundError,
    Shape,
    StringShape,
    StructureShape,
)

from local.engine.errors import ApiError
from local.engine.resources import parse_resource

MODES = ("STRICT", "PRESENT", "NONE")
# Step Functions' service names that botocore spells differently.
BOTOCORE_SERVICE = {"states": "stepfunctions", "sfn": "stepfunctions", "eventbridge": "events"}
PREFIX = "Mock result schema validation error: "


def check(resource_arn: Any, result: Any, mode: str | None) -> None:
    """Refuse a mocked `result` of the Task resource `resource_arn` that its API could not have answered
    (None for a mocked error, or for a state that is not a Task: only the mode is checked)."""
    mode = mode or "STRICT"
    if mode not in MODES:
        raise ApiError(
            "ValidationException",
            f"1 validation error detected: Value '{mode}' at 'mock.fieldValidationMode' failed to satisfy "
            f"constraint: Member must satisfy enum value set: [{', '.join(MODES)}]",
        )
    checked = isinstance(resource_arn, str) and result is not None and mode != "NONE"
    shape = _response_shape(resource_arn) if checked else None
    if shape is not None:
        _Checker(strict=mode == "STRICT").value(result, shape, None)


@cache
def _response_shape(resource_arn: str) -> StructureShape | None:
    resource = parse_resource(resource_arn)
    if resource.kind != "integration" or not resource.action or resource.pattern:
        return None  # a .sync or .waitForTaskToken result is not the call's response
    service = resource.service.removeprefix("aws-sdk:")
    operation = resource.action[:1].upper() + resource.action[1:]
    try:
        model = _session().get_service_model(BOTOCORE_SERVICE.get(service, service))
        output = model.operation_model(operation).output_shape
    except (UnknownServiceError, DataNotFoundError, OperationNotFoundError):
        return None  # http:invoke, apigateway:invoke and what botocore does not model: nothing to check
    return output


@cache
def _session() -> botocore.session.Session:
    return botocore.session.get_session()


def _invalid(message: str) -> ApiError:
    return ApiError("ValidationException", PREFIX + message)


class _Checker:
    def __init__(self, *, strict: bool) -> None:
        self.strict = strict

    def value(self, value: Any, shape: Shape, name: str | None) -> None:
        if isinstance(shape, StructureShape):
            self._structure(value, shape, name)
        elif isinstance(shape, ListShape):
            self._expect(isinstance(value, list), name, "an array")
            for item in value:
                self.value(item, shape.member, name)
        elif isinstance(shape, MapShape):
            self._expect(isinstance(value, dict), name, "an object")
            for item in value.values():
                self.value(item, shape.value, name)
        else:
            self._scalar(value, shape, name)

    def _structure(self, value: Any, shape: StructureShape, name: str | None) -> None:
        self._expect(isinstance(value, dict), name, "an object")
        members = {_sfn_name(member): member_shape for member, member_shape in shape.members.items()}
        if self.strict:
            for required in shape.required_members:
                if _sfn_name(required) not in value:
                    raise _invalid(f"Required field '{_sfn_name(required)}' is missing")
        payload = shape.serialization.get("payload")
        for field, field_value in value.items():
            member = members.get(field)
            if member is not None and field != payload:
                self.value(field_value, member, field)

    def _scalar(self, value: Any, shape: Shape, name: str | None) -> None:
        kind = shape.type_name
        if kind == "boolean":
            self._expect(isinstance(value, bool), name, "a boolean")
        elif kind in ("integer", "long", "float", "double"):
            whole = kind in ("integer", "long")
            number = isinstance(value, int if whole else int | float) and not isinstance(value, bool)
            self._expect(number, name, "a number")
            self._bounds(value, shape, name)
        elif kind in ("string", "timestamp", "blob"):
            self._expect(isinstance(value, str), name, "a string")
            if isinstance(shape, StringShape) and shape.enum and value not in shape.enum:
                raise _invalid(f"Field '{name}' is not an expected value")
            minimum = shape.metadata.get("min")
            if kind != "timestamp" and minimum is not None and len(value) < minimum:
                raise _invalid(f"Field '{name}' is smaller than the minimum length")

    def _bounds(self, value: float, shape: Shape, name: str | None) -> None:
        minimum, maximum = shape.metadata.get("min"), shape.metadata.get("max")
        if minimum is not None and value < minimum:
            raise _invalid(f"Field '{name}' is less than the minimum value")
        if maximum is not None and value > maximum:
            raise _invalid(f"Field '{name}' exceeds the maximum value")

    @staticmethod
    def _expect(holds: bool, name: str | None, kind: str) -> None:
        if not holds:
            raise _invalid(f"Field '{name}' must be {kind}" if name else f"The result must be {kind}")


def _sfn_name(member: str) -> str:
    return member[:1].upper() + member[1:]
