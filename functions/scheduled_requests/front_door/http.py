"""HTTP details of the Schedule API: request envelope checks, error translation, JSON responses.

Powertools validates the body against `CreateScheduleRequest` before our route runs and reports
problems as a list of Pydantic-style errors; `invalid_request_from` turns the first one into our
`{"error", "message", "field"}` shape instead of Powertools' default 422 body.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types

from functions.scheduled_requests.front_door.errors import (
    ExecutionServiceUnavailable,
    IdempotencyKeyReused,
    InvalidScheduleRequest,
    RequestTooLarge,
    RouteNotFound,
    ScheduleApiError,
    ScheduleNotCancellable,
    ScheduleNotFound,
    UnsupportedMediaType,
)
from functions.scheduled_requests.front_door.logic import STEP_FUNCTIONS_DATA_LIMIT_BYTES
from functions.scheduled_requests.front_door.models import ErrorCode, ErrorResponse
from functions.scheduled_requests.workflow_contract import CamelModel

JSON_MEDIA_TYPE = "application/json"

HTTP_STATUS: dict[type[ScheduleApiError], HTTPStatus] = {
    InvalidScheduleRequest: HTTPStatus.BAD_REQUEST,
    ScheduleNotFound: HTTPStatus.NOT_FOUND,
    RouteNotFound: HTTPStatus.NOT_FOUND,
    IdempotencyKeyReused: HTTPStatus.CONFLICT,
    ScheduleNotCancellable: HTTPStatus.CONFLICT,
    RequestTooLarge: HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
    UnsupportedMediaType: HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
    ExecutionServiceUnavailable: HTTPStatus.SERVICE_UNAVAILABLE,
}

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
    """415 unless the body is declared application/json; 413 when the body exceeds 256 KiB.

    This is the cheap first check; the execution input built from the body is measured later.

    `headers` must look names up case-insensitively (Powertools' event headers do).
    """
    content_type = headers.get("content-type")
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    if media_type != JSON_MEDIA_TYPE:
        return UnsupportedMediaType(content_type)
    size = _body_size(body, is_base64_encoded)
    if size > STEP_FUNCTIONS_DATA_LIMIT_BYTES:
        return RequestTooLarge("the request body", size, STEP_FUNCTIONS_DATA_LIMIT_BYTES)
    return None


def invalid_request_from(errors: Sequence[Any]) -> InvalidScheduleRequest:
    """Our 400 error for the first of Powertools' request validation errors."""
    first: Mapping[str, Any] = errors[0] if errors else {}
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
    """The JSON error answer for `error`, with the status its class maps to."""
    status = next(
        (code for kind, code in HTTP_STATUS.items() if isinstance(error, kind)),
        HTTPStatus.INTERNAL_SERVER_ERROR,
    )
    body = ErrorResponse(error=error.code, message=error.message, field=error.field)
    return json_response(status, body)


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


def _body_size(body: str | None, is_base64_encoded: bool) -> int:
    if not body:
        return 0
    if is_base64_encoded:
        return len(base64.b64decode(body))
    return len(body.encode("utf-8", "surrogatepass"))
