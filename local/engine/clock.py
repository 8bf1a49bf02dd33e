"""Clocks for the engine: every time the engine reads (timers, timestamps, $now()) comes from one of these.

`RealClock` follows the wall clock; `VirtualClock` moves only when told; `SkipClock` moves only when the
engine has nothing runnable and jumps straight to the next due timer. A virtual or skip clock can report
each move to a recorder (the engine persists the position in its store, so a restart resumes from it).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol

PositionRecorder = Callable[[datetime], None]


class ClockNotMovableError(RuntimeError):
    """Only a virtual or skip clock can be moved by hand; the wall clock moves by itself."""


class ClockMoveError(ValueError):
    """A move a clock cannot make: backwards, by a non-finite amount, or to a time without a timezone."""


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
        self._start_given = start is not None
        self._recorder: PositionRecorder | None = None
        self._lock = threading.Lock()

    def now(self) -> datetime:
        """The current (virtual) time."""
        with self._lock:
            return self._now

    def set(self, moment: datetime) -> datetime:
        """Move to `moment`; a clock never moves backwards, so an earlier moment is ignored."""
        moment = _aware(moment)
        with self._lock:
            if moment > self._now:
                self._move(moment)
            return self._now

    def advance(self, seconds: float) -> datetime:
        """Move forward by `seconds` (negative values are rejected)."""
        if seconds < 0:
            raise ClockMoveError(f"a clock cannot move backwards (asked to advance by {seconds} s)")
        with self._lock:
            if seconds > 0:
                self._move(self._now + timedelta(seconds=seconds))
            return self._now

    def _move(self, moment: datetime) -> None:
        # Record first, then move: nothing can read (and commit) a time the recorder has not kept yet.
        if self._recorder is not None:
            self._recorder(moment)
        self._now = moment

    def resume_from(self, recorded: datetime) -> datetime:
        """Continue from a position recorded earlier (by a previous process on the same store).

        A clock created without a start takes the recorded position as it is; one created with an
        explicit start keeps that start only when it is later, so time never goes backwards.
        """
        recorded = _aware(recorded)
        with self._lock:
            self._now = max(self._now, recorded) if self._start_given else recorded
            self._start_given = True
            return self._now

    def record_with(self, recorder: PositionRecorder) -> None:
        """Report every later move to `recorder` (replacing any earlier one)."""
        with self._lock:
            self._recorder = recorder

    def stop_recording(self, recorder: PositionRecorder) -> None:
        """Stop reporting to `recorder`, unless another one has replaced it meanwhile."""
        with self._lock:
            if self._recorder == recorder:
                self._recorder = None


class VirtualClock(ManualClock):
    """Moves only when advanced (`Engine.advance`, `POST /_local/clock`)."""

    mode = "virtual"


class SkipClock(ManualClock):
    """Jumps to the next due timer whenever nothing is runnable."""

    mode = "skip"
