"""The engine's clock as `/_local/clock` and `python -m local clock` move it.

Moving it runs, in time order, everything that falls due on the way: the engine's timers, and the
scheduled runs that follow the clock (the local stack's rate schedules: the reconciler's hourly rule
fires at each virtual hour, not once at the end).

With a state directory, a move is journalled: its target is written before the clock starts moving and
removed once it has arrived. A move cut short by a crash is therefore known after the restart, and is
completed before anything is served again (`complete_interrupted_move`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol

from local.durable_file import read_json, write_json_atomically
from local.engine import Engine
from local.engine.clock import Clock
from local.sfn_api.clock_control import format_rfc3339

logger = logging.getLogger(__name__)

JOURNAL_FILE_NAME = "clock-move.json"


class ScheduledRun(Protocol):
    """Something run at times of the clock (a rate schedule)."""

    function_name: str

    @property
    def next_run(self) -> datetime:
        """When it is next due."""
        ...

    def poll(self) -> None:
        """Run if due (and wait for a run in progress)."""
        ...


class ClockMover:
    """The engine's clock, moved together with the scheduled runs that follow it."""

    def __init__(self, engine: Engine, *, journal_dir: Path | None) -> None:
        self._engine = engine
        self._journal = journal_dir / JOURNAL_FILE_NAME if journal_dir is not None else None
        self._schedules: tuple[ScheduledRun, ...] = ()
        self._moving = threading.Lock()

    @property
    def clock(self) -> Clock:
        """The clock itself (read its `now()` and `mode`)."""
        return self._engine.clock

    def follow(self, schedules: Sequence[ScheduledRun]) -> None:
        """Stop at each run of `schedules` when moving."""
        self._schedules = tuple(schedules)

    def advance(self, seconds: float) -> datetime:
        """Move forward by `seconds`, running everything due on the way; returns the new time."""
        return self.advance_to(self.clock.now() + timedelta(seconds=seconds))

    def advance_to(self, target: datetime) -> datetime:
        """Move forward to `target`, running everything due on the way; returns the new time."""
        with self._moving:
            self._write_journal(target)
            # A schedule's run, or even the target, may already lie behind a skip clock that jumped by
            # itself: `run_until` then runs what is due instead of refusing to move back.
            while (due := self._next_schedule_run()) is not None and due <= target:
                self._engine.run_until(due)
                self._run_due_schedules()
            self._engine.run_until(target)
            self._run_due_schedules()
            self._clear_journal()
        return self.clock.now()

    def next_timer(self) -> datetime | None:
        """When the engine's earliest execution timer falls due (where "run to the next timer" goes)."""
        return self._engine.next_timer()

    def interrupted_move(self) -> datetime | None:
        """The target of a move that a crash cut short, if the clock has not reached it."""
        if self._journal is None:
            return None
        journal = read_json(self._journal)
        if journal is None:
            return None
        target = datetime.fromisoformat(journal["target"])
        return target if target > self.clock.now() else None

    def complete_interrupted_move(self) -> datetime | None:
        """Finish a move a crash cut short; returns its target, or None when there was none."""
        target = self.interrupted_move()
        if target is None:
            self._clear_journal()
            return None
        logger.warning("completing a clock move cut short by a restart: %s -> %s", self.clock.now(), target)
        self.advance_to(target)
        return target

    def _next_schedule_run(self) -> datetime | None:
        return min((schedule.next_run for schedule in self._schedules), default=None)

    def _run_due_schedules(self) -> None:
        for schedule in self._schedules:
            try:
                schedule.poll()
            except Exception:  # a failing run is the function's problem, as on AWS; the clock moves on
                logger.exception("the schedule of %s failed", schedule.function_name)

    def _write_journal(self, target: datetime) -> None:
        if self._journal is not None:
            write_json_atomically(self._journal, {"target": target.isoformat()})

    def _clear_journal(self) -> None:
        if self._journal is not None:
            self._journal.unlink(missing_ok=True)


def describe_completed_move(target: datetime) -> str:
    """What a start says after completing a move a crash had cut short."""
    return f"completed the move to {format_rfc3339(target)} that a restart had cut short"
