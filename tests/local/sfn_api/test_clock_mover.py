"""Moving the clock: a move runs the rate schedules at each of their times on the way, and a move cut
short by a crash is completed by the next start."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from local.engine import Engine, MemoryStore, SkipClock, VirtualClock
from local.sfn_api.clock_mover import JOURNAL_FILE_NAME, ClockMover
from local.stack.triggers.schedule import RateSchedule
from tests.local.stack.fakes import RecordingFunction

START = datetime(2026, 1, 1, tzinfo=UTC)


def _clock_with_hourly_schedule(journal_dir: Path | None) -> tuple[ClockMover, RecordingFunction]:
    engine = Engine(clock=VirtualClock(start=START), store=MemoryStore())
    function = RecordingFunction()
    schedule = RateSchedule(name="R", function=function, every=timedelta(hours=1), clock=engine.clock)  # type: ignore[arg-type]
    clock = ClockMover(engine, journal_dir=journal_dir)
    clock.follow([schedule])
    return clock, function


def test_an_hourly_schedule_runs_at_each_virtual_hour_of_a_move(tmp_path: Path) -> None:
    # Given an hourly schedule
    clock, function = _clock_with_hourly_schedule(tmp_path)

    # When the clock moves three and a half hours in one step
    arrived = clock.advance(3.5 * 3600)

    # Then the schedule ran three times, each at its own hour, and the move left no journal behind
    assert arrived == START + timedelta(hours=3.5)
    assert [event["time"] for event in function.events] == [
        "2026-01-01T01:00:00Z",
        "2026-01-01T02:00:00Z",
        "2026-01-01T03:00:00Z",
    ]
    assert not (tmp_path / JOURNAL_FILE_NAME).exists()


def test_a_move_cut_short_by_a_crash_is_completed_by_the_next_start(tmp_path: Path) -> None:
    # Given the journal of a move to two hours ahead that a crash cut short
    target = START + timedelta(hours=2)
    (tmp_path / JOURNAL_FILE_NAME).write_text(json.dumps({"target": target.isoformat()}))
    clock, function = _clock_with_hourly_schedule(tmp_path)
    assert clock.interrupted_move() == target

    # When the stack completes it at start
    completed = clock.complete_interrupted_move()

    # Then the clock stands at the target, everything due on the way ran, and nothing is left to complete
    assert completed == target
    assert clock.clock.now() == target
    assert len(function.events) == 2
    assert clock.interrupted_move() is None
    assert clock.complete_interrupted_move() is None


def test_a_journal_the_clock_has_already_passed_is_nothing_to_complete(tmp_path: Path) -> None:
    # Given a journal whose target is not later than the clock (the move had finished but for its cleanup)
    (tmp_path / JOURNAL_FILE_NAME).write_text(json.dumps({"target": START.isoformat()}))
    clock, function = _clock_with_hourly_schedule(tmp_path)

    # When the stack starts, Then nothing moves and the journal is gone
    assert clock.complete_interrupted_move() is None
    assert clock.clock.now() == START
    assert function.events == []
    assert not (tmp_path / JOURNAL_FILE_NAME).exists()


def test_a_move_after_a_skip_clock_jumped_past_a_schedule_runs_it_instead_of_refusing() -> None:
    # Given a skip clock that jumped a day ahead by itself over a Wait, leaving an hourly schedule behind it
    engine = Engine(clock=SkipClock(start=START), store=MemoryStore())
    function = RecordingFunction()
    schedule = RateSchedule(name="R", function=function, every=timedelta(hours=1), clock=engine.clock)  # type: ignore[arg-type]
    clock = ClockMover(engine, journal_dir=None)
    clock.follow([schedule])
    wait_a_day = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 86_400, "End": True}}}
    machine = engine.create_state_machine(
        name="M", definition=json.dumps(wait_a_day), role_arn="arn:aws:iam::123456789012:role/sfn"
    )
    engine.start_execution(machine["stateMachineArn"])
    engine.run_until_idle()
    assert schedule.next_run < engine.now() == START + timedelta(days=1)

    # When the clock is moved a minute
    arrived = clock.advance(60)

    # Then it moved, and the schedule that fell behind ran once, at the clock's time
    assert arrived == START + timedelta(days=1, minutes=1)
    assert [event["time"] for event in function.events] == ["2026-01-02T00:00:00Z"]
