"""The AWS JSON 1.0 wire format of the Step Functions API: requests in, responses and errors out.

botocore's own Step Functions service model is the source of truth for which operations exist, their
parameters and which parameters are required, so the server accepts exactly what boto3 and the AWS CLI
send. Engine methods are the operations' snake_case names taking snake_case parameters.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any

import botocore.session
from botocore import xform_name

from local.engine.json_nesting import MAX_JSON_DEPTH, exceeds_depth

if TYPE_CHECKING:
    from botocore.model import OperationModel, ServiceModel, Shape

CONTENT_TYPE = "application/x-amz-json-1.0"
TARGET_PREFIX = "AWSStepFunctions."
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")

# JSON types a top-level member must arrive as, by botocore shape type.
_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "boolean": (bool,),
    "integer": (int,),
    "long": (int,),
    "float": (int, float),
    "double": (int, float),
    "list": (list,),
    "structure": (dict,),
    "map": (dict,),
}


class ProtocolError(Exception):
    """A request the protocol layer rejects before it reaches the engine."""

    code = "ValidationException"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UnknownOperationError(ProtocolError):
    """The X-Amz-Target names no operation this server implements."""

    code = "UnknownOperationException"


class SerializationError(ProtocolError):
    """The body is not a JSON object or a member has the wrong JSON type."""

    code = "SerializationException"


class MissingParameterError(ProtocolError):
    """A parameter the operation requires is absent."""

    code = "ValidationException"


@dataclass(frozen=True)
class ApiCall:
    """One decoded request: the AWS operation, the engine method name and its keyword arguments."""

    operation: str
    method_name: str
    arguments: dict[str, Any]


@cache
def _service_model() -> ServiceModel:
    return botocore.session.get_session().get_service_model("stepfunctions")


def operation_names() -> tuple[str, ...]:
    """Every operation of the AWS Step Functions API, as named in X-Amz-Target."""
    return tuple(_service_model().operation_names)


def decode_request(target: str | None, body: bytes) -> ApiCall:
    """Decode an AWS JSON 1.0 request into an `ApiCall` (parameters in snake_case)."""
    operation = _operation_for_target(target)
    document = _parse_body(body)
    input_shape = operation.input_shape
    arguments: dict[str, Any] = {}
    if input_shape is not None:
        _check_required(input_shape, document)
        for name, value in document.items():
            member = input_shape.members.get(name)
            if member is None:
                # AWS ignores members it does not model; so do we.
                continue
            _check_json_type(name, member, value)
            arguments[xform_name(name)] = value
    return ApiCall(operation=operation.name, method_name=xform_name(operation.name), arguments=arguments)


def encode_response(result: Any) -> bytes:
    """Serialize an engine result: timestamps as epoch seconds, absent (None) members left out."""
    return json.dumps(_to_wire(result), separators=(",", ":")).encode()


def encode_error(code: str, message: str) -> bytes:
    """Serialize an error the way botocore's JSON parser reads `__type` and `message`."""
    return json.dumps({"__type": code, "message": message}).encode()


def _operation_for_target(target: str | None) -> OperationModel:
    if not target or not target.startswith(TARGET_PREFIX):
        raise UnknownOperationError(f"Missing or malformed X-Amz-Target header: {target!r}")
    name = target[len(TARGET_PREFIX) :]
    if name not in _service_model().operation_names:
        raise UnknownOperationError(f"Unknown operation {name}")
    return _service_model().operation_model(name)


def _parse_body(body: bytes) -> dict[str, Any]:
    if not body.strip():
        return {}
    if exceeds_depth(body):
        raise SerializationError(
            f"Request body nests objects and arrays more than {MAX_JSON_DEPTH} levels deep"
        )
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise SerializationError(f"Request body is not valid JSON: {error}") from error
    if not isinstance(document, dict):
        raise SerializationError("Request body must be a JSON object")
    may_hold_surrogates = b"\x00" in body or _SURROGATE_ESCAPE.search(body)  # "\x00": UTF-16 or UTF-32
    if may_hold_surrogates and _has_unpaired_surrogate(document):
        raise SerializationError("Request body has a string with an unpaired UTF-16 surrogate escape")
    return document


def _has_unpaired_surrogate(document: dict[str, Any]) -> bool:
    """Whether a string in `document` holds half a surrogate pair ("\\ud800"), which no text encoding can
    carry: the engine would fail on it later with a 500."""
    try:
        json.dumps(document, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        return True
    return False


def _check_required(input_shape: Shape, document: dict[str, Any]) -> None:
    missing = [name for name in input_shape.required_members if document.get(name) is None]
    if missing:
        details = "; ".join(
            f"Value null at '{name}' failed to satisfy constraint: Member must not be null"
            for name in missing
        )
        count = len(missing)
        raise MissingParameterError(f"{count} validation error{'s' if count > 1 else ''} detected: {details}")


def _check_json_type(name: str, member: Shape, value: Any) -> None:
    expected = _JSON_TYPES.get(member.type_name)
    if value is None or expected is None:
        return
    is_bool_as_number = isinstance(value, bool) and bool not in expected
    if not isinstance(value, expected) or is_bool_as_number:
        raise SerializationError(f"Value of '{name}' must be of type {member.type_name}")


def _to_wire(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, dict):
        return {key: _to_wire(item) for key, item in value.items() if item is not None}
    if isinstance(value, list | tuple):
        return [_to_wire(item) for item in value]
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"cannot send non-finite number {value} in JSON")
    return value
