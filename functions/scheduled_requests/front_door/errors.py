"""Named reasons why the front door refuses a request, each with the HTTP status it is answered with."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any, ClassVar

from functions.scheduled_requests.front_door.models import ErrorCode


class ScheduleApiError(Exception):
    """A request the Schedule API answers with an error body instead of a result.

    Each subclass declares its `status`, a 4xx or a 5xx other than 500, and defining one without it
    fails at import: a new reason to refuse cannot reach clients as an unplanned 500. (A 500 is for the
    unexpected only, and says nothing about the failure.) The base class itself is not raised.
    """

    status: ClassVar[HTTPStatus]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        status = getattr(cls, "status", None)
        if not isinstance(status, HTTPStatus) or status < 400 or status == HTTPStatus.INTERNAL_SERVER_ERROR:
            raise TypeError(
                f"{cls.__name__} must declare `status`, an HTTPStatus of 400 or more other than 500; "
                f"it has {status!r}"
            )

    def __init__(self, code: ErrorCode, message: str, field: str | None = None) -> None:
        if type(self) is ScheduleApiError:
            raise TypeError("raise a subclass of ScheduleApiError: the subclass says which status answers it")
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


class InvalidScheduleRequest(ScheduleApiError):
    """The request is malformed or breaks a rule."""

    status = HTTPStatus.BAD_REQUEST


class ScheduleNotFound(ScheduleApiError):
    """No schedule has this id."""

    status = HTTPStatus.NOT_FOUND

    def __init__(self, schedule_id: str) -> None:
        super().__init__(ErrorCode.NOT_FOUND, f"no schedule with id {schedule_id!r}")


class RouteNotFound(ScheduleApiError):
    """The API has no such route or method."""

    status = HTTPStatus.NOT_FOUND

    def __init__(self, method: str, path: str) -> None:
        super().__init__(ErrorCode.NOT_FOUND, f"no route for {method} {path}")


class IdempotencyKeyReused(ScheduleApiError):
    """The Idempotency-Key was first used with a different request."""

    status = HTTPStatus.CONFLICT

    def __init__(self) -> None:
        super().__init__(
            ErrorCode.IDEMPOTENCY_KEY_REUSED,
            "this Idempotency-Key was already used with a different request body",
            "Idempotency-Key",
        )


class ScheduleNotCancellable(ScheduleApiError):
    """Processing has begun or the schedule has finished."""

    status = HTTPStatus.CONFLICT

    def __init__(self, schedule_id: str, reason: str) -> None:
        super().__init__(ErrorCode.NOT_CANCELLABLE, f"schedule {schedule_id!r} cannot be cancelled: {reason}")


class RequestTooLarge(ScheduleApiError):
    """The body, or the execution input built from it, exceeds the Step Functions input limit."""

    status = HTTPStatus.REQUEST_ENTITY_TOO_LARGE

    def __init__(self, what: str, size: int, limit: int) -> None:
        super().__init__(
            ErrorCode.PAYLOAD_TOO_LARGE, f"{what} is {size} bytes; the limit is {limit} bytes", "body"
        )


class UnsupportedMediaType(ScheduleApiError):
    """The body is not declared as application/json, or in a charset other than UTF-8."""

    status = HTTPStatus.UNSUPPORTED_MEDIA_TYPE

    def __init__(self, content_type: str | None, reason: str | None = None) -> None:
        received = repr(content_type) if content_type else "no Content-Type"
        super().__init__(
            ErrorCode.UNSUPPORTED_MEDIA_TYPE,
            f"the body must be sent as application/json in UTF-8; received {received}"
            + (f": {reason}" if reason else ""),
            "Content-Type",
        )


class ExecutionServiceUnavailable(ScheduleApiError):
    """Step Functions throttled us or failed; the client may retry."""

    status = HTTPStatus.SERVICE_UNAVAILABLE

    def __init__(self) -> None:
        super().__init__(
            ErrorCode.SERVICE_UNAVAILABLE, "the scheduler is temporarily unavailable; retry later"
        )


class ExecutionNameTaken(Exception):
    """StartExecution found an execution with this name already (the adapter's ExecutionAlreadyExists)."""
