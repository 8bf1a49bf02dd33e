"""Clocks for the engine: every time the engine reads (timers, timestamps, $now()) comes from one of these.

`RealClock` follows the wall clock; `VirtualClock` moves only when told; `SkipClock` moves only when the
engine has nothing runnable and jumps straight to the next due timer.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """What the engine needs from a clock."""

    mode: str

    def now(self) -> datetime:
        """Current time (timezone-aware, UTC)."""
        ...


class RealClock:
    """The wall clock."""

    mode = "real"

    def now(self) -> datetime:
        """Current wall-clock time in UTC."""
        return datetime.now(UTC)


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


class ManualClock:
    """A clock that only moves forward when told to."""

    mode = "manual"

    def __init__(self, start: datetime | None = None) -> None:
        self._now = _aware(start) if start is not None else datetime.now(UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        """The current (virtual) time."""
        with self._lock:
            return self._now

    def set(self, moment: datetime) -> datetime:
        """Move to `moment`; a clock never moves backwards, so an earlier moment is ignored."""
        moment = _aware(moment)
        with self._lock:
            self._now = max(self._now, moment)
            return self._now

    def advance(self, seconds: float) -> datetime:
        """Move forward by `seconds` (negative values are rejected)."""
        if seconds < 0:
            raise ValueError("a clock cannot move backwards")
        with self._lock:
            self._now = self._now + timedelta(seconds=seconds)
            return self._now


class VirtualClock(ManualClock):
    """Moves only when advanced (`Engine.advance`, `POST /_local/clock`)."""

    mode = "virtual"


class SkipClock(ManualClock):
    """Jumps to the next due timer whenever nothing is runnable."""

    mode = "skip"
