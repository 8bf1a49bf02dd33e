"""HTTP details of the Schedule API: request envelope checks, body parsing, error translation, responses.

Powertools validates the body against `CreateScheduleRequest` before our route runs and reports
problems as a list of Pydantic-style errors; `invalid_request_from` turns the first one into our
`{"error", "message", "field"}` shape instead of Powertools' default 422 body. Powertools parses the
body with `parse_request_body`, which refuses deep nesting and repeated keys before they can do harm.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types

from functions.common.strict_json import DuplicateKey, NestingTooDeep, loads_strict
from functions.scheduled_requests.front_door.errors import (
    InvalidScheduleRequest,
    RequestTooLarge,
    ScheduleApiError,
    UnsupportedMediaType,
)
from functions.scheduled_requests.front_door.logic import STEP_FUNCTIONS_DATA_LIMIT_BYTES
from functions.scheduled_requests.front_door.models import MAX_PAYLOAD_DEPTH, ErrorCode, ErrorResponse
from functions.scheduled_requests.workflow_contract import CamelModel

JSON_MEDIA_TYPE = "application/json"
# JSON exchanged between systems is UTF-8 (RFC 8259, section 8.1); no other charset is accepted.
JSON_CHARSET = "utf-8"
SCHEDULES_PATH = "/schedules"
# API Gateway's stage of HTTP APIs that is served without a path prefix.
_DEFAULT_STAGE = "$default"

# Powertools error types -> our codes; anything else about a field is INVALID_FIELD.
_ERROR_CODES = {
    "json_invalid": ErrorCode.INVALID_JSON,
    "model_attributes_type": ErrorCode.BODY_NOT_OBJECT,
    "missing": ErrorCode.MISSING_FIELD,
    "extra_forbidden": ErrorCode.UNKNOWN_FIELD,
}
_HEADER_NAMES = {"idempotency-key": "Idempotency-Key"}


def envelope_problem(
    headers: Mapping[str, str], body: str | None, is_base64_encoded: bool
) -> ScheduleApiError | None:
    """415 unless the body is declared application/json (in UTF-8, if a charset is named); 413 when
    the body exceeds 256 KiB; 400 when its bytes are not UTF-8.

    This is the cheap first check; the execution input built from the body is measured later.

    `headers` must look names up case-insensitively (Powertools' event headers do).
    """
    content_type = headers.get("content-type")
    media_type, charset = _media_type_and_charset(content_type)
    if media_type != JSON_MEDIA_TYPE:
        return UnsupportedMediaType(content_type)
    if charset is not None and charset != JSON_CHARSET:
        return UnsupportedMediaType(content_type, reason=f"the charset must be {JSON_CHARSET}, not {charset}")
    raw = _body_bytes(body, is_base64_encoded)
    if len(raw) > STEP_FUNCTIONS_DATA_LIMIT_BYTES:
        return RequestTooLarge("the request body", len(raw), STEP_FUNCTIONS_DATA_LIMIT_BYTES)
    if is_base64_encoded:
        # API Gateway hands over text bodies as text; it base64-encodes bytes it cannot read as UTF-8.
        return _not_utf8(raw)
    return None


def parse_request_body(text: str) -> Any:
    """The JSON body, refusing payloads nested deeper than MAX_PAYLOAD_DEPTH and repeated keys (400).

    Invalid JSON raises json.JSONDecodeError, which Powertools reports as `json_invalid`.
    """
    try:
        # The body object is one level above the payload object.
        return loads_strict(text, max_depth=MAX_PAYLOAD_DEPTH + 1)
    except NestingTooDeep as error:
        field = error.member or "body"
        raise InvalidScheduleRequest(
            ErrorCode.INVALID_FIELD,
            f"{field} nests objects and arrays more than {MAX_PAYLOAD_DEPTH} levels deep; "
            f"at most {MAX_PAYLOAD_DEPTH} levels are allowed",
            field,
        ) from error
    except DuplicateKey as error:
        raise InvalidScheduleRequest(
            ErrorCode.DUPLICATE_KEY,
            f"the key {error.path} appears more than once; each key may appear once in its object",
            error.path,
        ) from error


def schedule_location(schedule_id: str, *, stage: str | None, request_path: str | None) -> str:
    """The `Location` of a new schedule, under the stage prefix the client called, if any.

    On the execute-api endpoint the stage is the first segment of the path (`/v1/schedules`); behind a
    custom domain it is not in the path at all. API Gateway's `requestContext.path` tells which.
    """
    prefix = ""
    if stage and stage != _DEFAULT_STAGE and request_path is not None:
        candidate = f"/{stage}"
        if request_path == candidate or request_path.startswith(f"{candidate}/"):
            prefix = candidate
    return f"{prefix}{SCHEDULES_PATH}/{schedule_id}"


def invalid_request_from(errors: Sequence[Any]) -> InvalidScheduleRequest:
    """Our 400 error for the first of Powertools' request validation errors; an unknown field first of
    all, since a misspelt name (`trigger_at`) also makes the right one (`triggerAt`) missing."""
    unknown = [error for error in errors if error.get("type") == "extra_forbidden"]
    first: Mapping[str, Any] = (unknown or errors or [{}])[0]
    location = [str(part) for part in first.get("loc", ())]
    kind = str(first.get("type", ""))
    code = _ERROR_CODES.get(kind, ErrorCode.INVALID_FIELD)
    if kind == "json_invalid":
        return InvalidScheduleRequest(code, "the body is not valid JSON", "body")
    if location[:1] == ["header"] and len(location) > 1:
        field = _HEADER_NAMES.get(location[1].lower(), location[1])
    else:
        # ("body",) is the body itself; ("body", "payload", "x") names the field payload.x.
        field = ".".join(location[1:]) or "body"
    if code is ErrorCode.MISSING_FIELD and field == "body":
        return InvalidScheduleRequest(ErrorCode.BODY_NOT_OBJECT, "the body must be a JSON object", "body")
    if code is ErrorCode.BODY_NOT_OBJECT:
        return InvalidScheduleRequest(code, f"{field} must be a JSON object", field)
    if code is ErrorCode.MISSING_FIELD:
        return InvalidScheduleRequest(code, f"{field} is required", field)
    if code is ErrorCode.UNKNOWN_FIELD:
        return InvalidScheduleRequest(code, f"unknown field {field!r}", field)
    reason = str(first.get("msg", "is invalid")).removeprefix("Value error, ")
    return InvalidScheduleRequest(code, f"{field}: {reason}", field)


def error_response(error: ScheduleApiError) -> Response[str]:
    """The JSON error answer for `error`, with the status its class declares."""
    body = ErrorResponse(error=error.code, message=error.message, field=error.field)
    return json_response(error.status, body)


def internal_error_response() -> Response[str]:
    """A 500 answer that reveals nothing about the failure (it is logged instead)."""
    body = ErrorResponse(error=ErrorCode.INTERNAL_ERROR, message="internal error; it has been logged")
    return json_response(HTTPStatus.INTERNAL_SERVER_ERROR, body)


def json_response(
    status: HTTPStatus, body: CamelModel, headers: Mapping[str, str] | None = None
) -> Response[str]:
    """A JSON response with camelCase keys; absent optional fields are left out, not sent as null."""
    return Response(
        status_code=status.value,
        content_type=content_types.APPLICATION_JSON,
        body=body.model_dump_json(exclude_none=True),
        headers=dict(headers or {}),
    )


def _media_type_and_charset(content_type: str | None) -> tuple[str, str | None]:
    media_type, *parameters = (content_type or "").split(";")
    charset = None
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return media_type.strip().lower(), charset


def _body_bytes(body: str | None, is_base64_encoded: bool) -> bytes:
    if not body:
        return b""
    if is_base64_encoded:
        return base64.b64decode(body)
    return body.encode("utf-8", "surrogatepass")


def _not_utf8(raw: bytes) -> InvalidScheduleRequest | None:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as error:
        return InvalidScheduleRequest(
            ErrorCode.INVALID_JSON,
            f"the body must be UTF-8 encoded JSON; byte 0x{raw[error.start]:02x} at offset {error.start} "
            "is not valid UTF-8",
            "body",
        )
    return None
