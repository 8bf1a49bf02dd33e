"""The clock control endpoint (`/_local/clock`), free of any HTTP framework so every server can serve it.

GET answers `{"now": RFC 3339, "mode": "real" | "virtual" | "skip"}`; POST with `{"advanceSeconds": N}`,
`{"to": RFC 3339}` or `{"toNextTimer": true}` (to the moment the earliest execution timer falls due: a
Wait, a retry's backoff, a timeout) moves a virtual clock (or a skip clock, which otherwise only jumps by
itself when nothing is runnable), runs everything due by then, and answers like GET. A real clock cannot
move.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from local.engine.clock import Clock

CLOCK_PATH = "/_local/clock"
ADJUSTABLE_MODES = ("virtual", "skip")
_MOVES = ("advanceSeconds", "to", "toNextTimer")


class ClockControl(Protocol):
    """What the endpoint reads and moves: the engine itself, or the local stack's clock."""

    @property
    def clock(self) -> Clock:
        """The clock (its `now()` and `mode`)."""
        ...

    def advance(self, seconds: float) -> datetime:
        """Move forward by `seconds`, running everything that falls due on the way."""
        ...

    def next_timer(self) -> datetime | None:
        """When the earliest pending execution timer falls due, or None when no execution waits on one."""
        ...


class ClockControlError(Exception):
    """A clock request that cannot be honoured; `.code` names why, `.message` says it to a person."""

    code = "InvalidClockRequest"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ClockNotAdjustableError(ClockControlError):
    """The wall clock cannot be moved by hand."""

    code = "ClockNotAdjustable"


class NoTimerPendingError(ClockControlError):
    """`toNextTimer` was asked for while no execution waits on a timer."""

    code = "NoTimerPending"


def format_rfc3339(moment: datetime) -> str:
    """UTC RFC 3339 text with a `Z` suffix, e.g. `2026-01-01T00:00:00Z`."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def parse_rfc3339(text: str) -> datetime:
    """Parse an RFC 3339 timestamp that carries a UTC offset (`Z` or `+hh:mm`)."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as error:
        raise ClockControlError(f"'to' is not an RFC 3339 timestamp: {text!r}") from error
    if moment.tzinfo is None:
        raise ClockControlError(f"'to' must carry a UTC offset such as Z or +01:00: {text!r}")
    return moment


def clock_state(control: ClockControl) -> dict[str, str]:
    """The answer to GET /_local/clock."""
    return {"now": format_rfc3339(control.clock.now()), "mode": control.clock.mode}


def move_clock(control: ClockControl, body: bytes) -> dict[str, str]:
    """Handle POST /_local/clock: advance the clock and run everything due by the new time."""
    request = _parse_move_request(body)
    mode = control.clock.mode
    if mode not in ADJUSTABLE_MODES:
        raise ClockNotAdjustableError(
            f"The clock runs in '{mode}' mode; only a virtual or skip clock "
            "(--clock virtual | skip) can be moved by hand"
        )
    seconds = _seconds_to_advance(control, request)
    control.advance(seconds)
    return clock_state(control)


def _parse_move_request(body: bytes) -> dict[str, Any]:
    try:
        request = json.loads(body or b"{}")
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ClockControlError(f"Body is not valid JSON: {error}") from error
    if not isinstance(request, dict):
        raise ClockControlError(
            'Body must be a JSON object: {"advanceSeconds": N}, {"to": "<RFC 3339>"} or {"toNextTimer": true}'
        )
    unknown = sorted(set(request) - set(_MOVES))
    if unknown:
        raise ClockControlError(f"Unknown field(s) {unknown}; expected one of {', '.join(_MOVES)}")
    if len(request) != 1:
        raise ClockControlError(f"Give exactly one of {', '.join(_MOVES)}")
    if "toNextTimer" in request and request["toNextTimer"] is not True:
        raise ClockControlError("'toNextTimer' must be true")
    return request


def _seconds_to_advance(control: ClockControl, request: dict[str, Any]) -> float:
    now = control.clock.now()
    if "toNextTimer" in request:
        due = control.next_timer()
        if due is None:
            raise NoTimerPendingError("No execution waits on a timer, so there is no next timer to move to")
        return max(0.0, (due - now).total_seconds())
    if "to" in request:
        target = request["to"]
        if not isinstance(target, str):
            raise ClockControlError("'to' must be an RFC 3339 string")
        seconds = (parse_rfc3339(target) - now).total_seconds()
        if seconds < 0:
            raise ClockControlError(
                f"Cannot move the clock back from {format_rfc3339(now)} to {target}; "
                "a clock only moves forward"
            )
        return seconds
    seconds = request["advanceSeconds"]
    is_number = isinstance(seconds, int | float) and not isinstance(seconds, bool)
    if not is_number or not math.isfinite(seconds) or seconds < 0:
        raise ClockControlError(f"'advanceSeconds' must be a non-negative number, got {seconds!r}")
    return float(seconds)
