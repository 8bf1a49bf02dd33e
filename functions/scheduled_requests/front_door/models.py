"""The Schedule API's request and response bodies; the OpenAPI document is generated from them."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field, JsonValue
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

from functions.common.rfc3339 import InvalidTimestamp, parse_rfc3339
from functions.scheduled_requests.workflow_contract import CamelModel


class ApiModel(CamelModel):
    """A body of the Schedule API; schema titles use the JSON (camelCase) names."""

    model_config = ConfigDict(field_title_generator=lambda name, _: to_camel(name))


def _omitted_when_absent(schema: dict[str, Any]) -> None:
    """Document an optional response field as left out when absent (`exclude_none`), never null."""
    branches = [branch for branch in schema.pop("anyOf", []) if branch != {"type": "null"}]
    if len(branches) == 1:
        schema.update(branches[0])
    elif branches:
        schema["anyOf"] = branches


class ScheduleStatus(StrEnum):
    """Where a schedule is in its life."""

    SCHEDULED = "SCHEDULED"
    PROCESSING = "PROCESSING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"


class ErrorCode(StrEnum):
    """Machine-readable reason of an error response."""

    INVALID_JSON = "INVALID_JSON"
    BODY_NOT_OBJECT = "BODY_NOT_OBJECT"
    MISSING_FIELD = "MISSING_FIELD"
    UNKNOWN_FIELD = "UNKNOWN_FIELD"
    DUPLICATE_KEY = "DUPLICATE_KEY"
    INVALID_FIELD = "INVALID_FIELD"
    UNKNOWN_TARGET = "UNKNOWN_TARGET"
    TRIGGER_AT_IN_PAST = "TRIGGER_AT_IN_PAST"
    TRIGGER_AT_BEYOND_HORIZON = "TRIGGER_AT_BEYOND_HORIZON"
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
    UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
    NOT_FOUND = "NOT_FOUND"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    NOT_CANCELLABLE = "NOT_CANCELLABLE"
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
    INTERNAL_ERROR = "INTERNAL_ERROR"


def _rfc3339_instant(value: Any) -> datetime:
    if not isinstance(value, str):
        raise PydanticCustomError("rfc3339", "must be a string holding an RFC 3339 timestamp")
    try:
        return parse_rfc3339(value)
    except InvalidTimestamp as error:
        raise PydanticCustomError("rfc3339", str(error)) from error


def _plain_json(value: Any) -> Any:
    """Reject what json.loads accepts but Step Functions input cannot carry: NaN/Infinity, lone surrogates."""
    if isinstance(value, float) and not math.isfinite(value):
        raise PydanticCustomError("json_number", "numbers must be finite (no NaN or Infinity)")
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as error:
            raise PydanticCustomError("json_string", "strings must be valid Unicode") from error
    if isinstance(value, dict):
        for key, item in value.items():
            _plain_json(key)
            _plain_json(item)
    if isinstance(value, list):
        for item in value:
            _plain_json(item)
    return value


# The documented example of triggerAt is relative: any fixed time in a committed document would
# sooner or later fall outside the window a request must fit.
EXAMPLE_TRIGGER_LEAD = timedelta(hours=1)
# Objects and arrays in the payload nest at most this deep (the payload object is level 1): Python's
# json module and pydantic-core recurse per level, and Step Functions gains nothing from deeper input.
MAX_PAYLOAD_DEPTH = 64

TriggerAt = Annotated[
    datetime,
    BeforeValidator(_rfc3339_instant),
    Field(
        description=(
            "When to process the request: RFC 3339 with an explicit offset (`Z` or `±hh:mm`). "
            "Normalised to UTC and rounded up to the whole second. Must not be in the past (beyond a "
            "small clock-skew tolerance) nor beyond the configured horizon (364 days by default). "
            "Example: one hour from now, written `2031-05-04T10:00:00Z` or `2031-05-04T12:00:00+02:00` "
            "when it is 09:00 UTC on 4 May 2031."
        ),
    ),
]


class CreateScheduleRequest(ApiModel):
    """Body of `POST /schedules`."""

    # Only the JSON names: `trigger_at` is an unknown field, as the document's additionalProperties says.
    model_config = ConfigDict(extra="forbid", validate_by_name=False)

    trigger_at: TriggerAt
    payload: Annotated[
        dict[str, Any],
        AfterValidator(_plain_json),
        Field(
            description=(
                "Any JSON object; handed to the target unchanged. Objects and arrays nest at most "
                f"{MAX_PAYLOAD_DEPTH} levels deep (the payload object is level 1); keys are unique."
            )
        ),
    ]
    target: str | None = Field(
        None,
        min_length=1,
        max_length=80,
        description="Name of a configured target; the default target when omitted.",
        examples=["example-processor"],
    )


class ScheduleAccepted(ApiModel):
    """Body of the `202` answer to `POST /schedules`."""

    schedule_id: str = Field(description="Correlation id: the execution name.")
    execution_arn: str
    trigger_at: datetime = Field(description="The normalised trigger time (UTC, whole seconds).")
    status: ScheduleStatus = Field(
        description="SCHEDULED for a new schedule; the current status when an Idempotency-Key is replayed."
    )


class ScheduleView(ApiModel):
    """Body of `GET /schedules/{scheduleId}` and of a successful `DELETE`."""

    schedule_id: str
    status: ScheduleStatus
    trigger_at: datetime
    target: str
    created_at: datetime
    updated_at: datetime = Field(description="Time of the latest recorded change.")
    finished_at: datetime | None = Field(
        None,
        json_schema_extra=_omitted_when_absent,
        description="Present once SUCCEEDED, FAILED or CANCELLED.",
    )
    attempt: int | None = Field(
        None,
        json_schema_extra=_omitted_when_absent,
        description="Processing attempt under way or next (after a reschedule); absent before the first.",
    )
    next_attempt_at: datetime | None = Field(
        None, json_schema_extra=_omitted_when_absent, description="When a rescheduled attempt will start."
    )
    result: JsonValue | None = Field(
        None,
        json_schema_extra=_omitted_when_absent,
        description=(
            "The processor's result (SUCCEEDED only); its JSON text when it is not JSON or nests deeper "
            f"than {MAX_PAYLOAD_DEPTH} levels."
        ),
    )
    error: str | None = Field(
        None, json_schema_extra=_omitted_when_absent, description="Error name (FAILED only)."
    )
    cause: str | None = Field(
        None,
        json_schema_extra=_omitted_when_absent,
        description=(
            "What went wrong, in short (FAILED only): each error's type and message, without stack traces "
            "or file paths. The full cause stays in the execution history and the front door's logs."
        ),
    )


class ErrorResponse(ApiModel):
    """Body of every error answer."""

    error: ErrorCode
    message: str
    field: str | None = Field(
        None,
        json_schema_extra=_omitted_when_absent,
        description="The request field or header at fault, when there is one.",
    )


class GatewayResponseType(StrEnum):
    """Why API Gateway answered without calling the front door (`$context.error.responseType`)."""

    ACCESS_DENIED = "ACCESS_DENIED"
    MISSING_AUTHENTICATION_TOKEN = "MISSING_AUTHENTICATION_TOKEN"
    INVALID_SIGNATURE = "INVALID_SIGNATURE"
    EXPIRED_TOKEN = "EXPIRED_TOKEN"
    INVALID_API_KEY = "INVALID_API_KEY"
    UNAUTHORIZED = "UNAUTHORIZED"
    WAF_FILTERED = "WAF_FILTERED"
    THROTTLED = "THROTTLED"
    QUOTA_EXCEEDED = "QUOTA_EXCEEDED"
    BAD_REQUEST_PARAMETERS = "BAD_REQUEST_PARAMETERS"
    BAD_REQUEST_BODY = "BAD_REQUEST_BODY"
    REQUEST_TOO_LARGE = "REQUEST_TOO_LARGE"
    RESOURCE_NOT_FOUND = "RESOURCE_NOT_FOUND"
    UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
    API_CONFIGURATION_ERROR = "API_CONFIGURATION_ERROR"
    AUTHORIZER_CONFIGURATION_ERROR = "AUTHORIZER_CONFIGURATION_ERROR"
    AUTHORIZER_FAILURE = "AUTHORIZER_FAILURE"
    INTEGRATION_FAILURE = "INTEGRATION_FAILURE"
    INTEGRATION_TIMEOUT = "INTEGRATION_TIMEOUT"
    DEFAULT_4XX = "DEFAULT_4XX"
    DEFAULT_5XX = "DEFAULT_5XX"


class GatewayErrorResponse(ApiModel):
    """Body of an answer API Gateway gives itself (the stack's gateway responses use this shape)."""

    error: GatewayResponseType
    message: str
