"""Named reasons why the front door refuses a request; `handler` maps each class to an HTTP status once."""

from __future__ import annotations

from functions.scheduled_requests.front_door.models import ErrorCode


class ScheduleApiError(Exception):
    """A request the Schedule API answers with an error body instead of a result."""

    def __init__(self, code: ErrorCode, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


class InvalidScheduleRequest(ScheduleApiError):
    """The request is malformed or breaks a rule (400)."""


class ScheduleNotFound(ScheduleApiError):
    """No schedule has this id (404)."""

    def __init__(self, schedule_id: str) -> None:
        super().__init__(ErrorCode.NOT_FOUND, f"no schedule with id {schedule_id!r}")


class RouteNotFound(ScheduleApiError):
    """The API has no such route or method (404)."""

    def __init__(self, method: str, path: str) -> None:
        super().__init__(ErrorCode.NOT_FOUND, f"no route for {method} {path}")


class IdempotencyKeyReused(ScheduleApiError):
    """The Idempotency-Key was first used with a different request (409)."""

    def __init__(self) -> None:
        super().__init__(
            ErrorCode.IDEMPOTENCY_KEY_REUSED,
            "this Idempotency-Key was already used with a different request body",
            "Idempotency-Key",
        )


class ScheduleNotCancellable(ScheduleApiError):
    """Processing has begun or the schedule has finished (409)."""

    def __init__(self, schedule_id: str, reason: str) -> None:
        super().__init__(ErrorCode.NOT_CANCELLABLE, f"schedule {schedule_id!r} cannot be cancelled: {reason}")


class RequestTooLarge(ScheduleApiError):
    """The body, or the execution input built from it, exceeds the Step Functions input limit (413)."""

    def __init__(self, what: str, size: int, limit: int) -> None:
        super().__init__(
            ErrorCode.PAYLOAD_TOO_LARGE, f"{what} is {size} bytes; the limit is {limit} bytes", "body"
        )


class UnsupportedMediaType(ScheduleApiError):
    """The body is not declared as application/json, or in a charset other than UTF-8 (415)."""

    def __init__(self, content_type: str | None, reason: str | None = None) -> None:
        received = repr(content_type) if content_type else "no Content-Type"
        super().__init__(
            ErrorCode.UNSUPPORTED_MEDIA_TYPE,
            f"the body must be sent as application/json in UTF-8; received {received}"
            + (f": {reason}" if reason else ""),
            "Content-Type",
        )


class ExecutionServiceUnavailable(ScheduleApiError):
    """Step Functions throttled us or failed; the client may retry (503)."""

    def __init__(self) -> None:
        super().__init__(
            ErrorCode.SERVICE_UNAVAILABLE, "the scheduler is temporarily unavailable; retry later"
        )


class ExecutionNameTaken(Exception):
    """StartExecution found an execution with this name already (the adapter's ExecutionAlreadyExists)."""
