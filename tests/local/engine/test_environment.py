"""The engine as a test environment: `with Engine(...)`, `now()`, `advance()`, `advance_to()`, and misuse
refused with a plain `RuntimeError` / `ValueError` that says what to do instead."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from local.engine import ApiError, Engine, MemoryStore, RealClock, SkipClock, SqliteStore, VirtualClock

from .conftest import ROLE_ARN, START, Starter

WAIT_A_DAY = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 86_400, "End": True}}}
WAIT_THREE_DAYS = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 259_200, "End": True}}}
WORKER_THREAD = "sfn-engine-worker"


def _workers() -> set[threading.Thread]:
    return {thread for thread in threading.enumerate() if thread.name == WORKER_THREAD}


def test_leaving_the_with_block_stops_the_worker_and_closes_the_store(tmp_path: Path) -> None:
    # Given an engine used as a context manager, with its background worker started and a timer pending
    before = _workers()
    with Engine(clock=VirtualClock(start=START), store=SqliteStore(tmp_path / "state.db")) as engine:
        engine.start()
        machine = engine.create_state_machine(name="M", definition=json.dumps(WAIT_A_DAY), role_arn=ROLE_ARN)
        arn = engine.start_execution(machine["stateMachineArn"])["executionArn"]
        engine.advance(timedelta(hours=1))
        assert _workers() - before
    # When the block ends; Then the worker it started is gone and the store is closed
    assert not _workers() - before
    with pytest.raises(Exception, match="closed"):
        engine.store.get_execution(arn)
    # And the file holds what happened, the clock's position included
    with Engine(clock=VirtualClock(), store=SqliteStore(tmp_path / "state.db")) as reopened:
        assert reopened.now() == START + timedelta(hours=1)
        assert reopened.describe_execution(arn)["status"] == "RUNNING"
    engine.close()  # closing again is harmless


def test_now_is_the_clock_of_the_engine_and_advance_takes_a_timedelta_or_seconds() -> None:
    with Engine(clock=VirtualClock(start=START), store=MemoryStore()) as engine:
        # Given a virtual clock at START; Then now() reads it
        assert engine.now() == START
        # When it advances by a timedelta and by seconds; Then each returns the new time
        assert engine.advance(timedelta(days=1)) == START + timedelta(days=1)
        assert engine.advance(90.5) == START + timedelta(days=1, seconds=90.5)
        assert engine.advance(0) == engine.now()


def test_advance_to_runs_a_three_day_wait_in_one_call(start: Starter) -> None:
    with Engine(clock=VirtualClock(start=START), store=MemoryStore()) as engine:
        # Given an execution waiting three days
        arn = start(
            engine, {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 259_200, "End": True}}}
        )
        # When the clock moves to a moment given in another timezone, three days later
        three_days_later = (START + timedelta(days=3)).astimezone(timezone(timedelta(hours=2)))
        reached = engine.advance_to(three_days_later)
        # Then it arrived there and the execution finished at its own time
        assert reached == three_days_later
        assert engine.describe_execution(arn)["status"] == "SUCCEEDED"
        assert engine.describe_execution(arn)["stopDate"] == START + timedelta(days=3)


def test_the_wall_clock_cannot_be_moved() -> None:
    # Given an engine on the real clock
    with Engine(clock=RealClock(), store=MemoryStore()) as engine:
        # When a test tries to move it; Then it is told which clock to use, not an AWS error
        for move in (lambda: engine.advance(1), lambda: engine.advance_to(datetime.now(UTC) + timedelta(1))):
            with pytest.raises(RuntimeError, match=r"VirtualClock\(\)") as refused:
                move()
            assert not isinstance(refused.value, ApiError)


@pytest.mark.parametrize("amount", [-1, timedelta(seconds=-1), float("nan"), float("inf")])
def test_advance_refuses_to_go_back_or_by_no_number(amount: timedelta | float) -> None:
    with Engine(clock=SkipClock(start=START), store=MemoryStore()) as engine:
        with pytest.raises(ValueError, match="forward only"):
            engine.advance(amount)
        assert engine.now() == START


def test_advance_to_refuses_an_earlier_moment_and_a_naive_datetime() -> None:
    with Engine(clock=VirtualClock(start=START), store=MemoryStore()) as engine:
        # Given a clock at START; When asked to go back; Then it refuses, naming both times
        with pytest.raises(ValueError, match=r"backwards, from 2026-01-01T00:00:00\+00:00 to 2025"):
            engine.advance_to(START - timedelta(seconds=1))
        # When given a datetime without a timezone; Then it refuses and says how to give one
        with pytest.raises(ValueError, match="tzinfo=UTC"):
            engine.advance_to(datetime(2026, 1, 2))
        with pytest.raises(ValueError, match="tzinfo=UTC"):
            engine.run_until(datetime(2026, 1, 2))
        assert engine.now() == START


def test_run_until_a_moment_already_passed_runs_what_is_due_without_moving(start: Starter) -> None:
    # Given a skip clock that jumped a day ahead by itself
    with Engine(clock=SkipClock(start=START), store=MemoryStore()) as engine:
        arn = start(engine, WAIT_A_DAY)
        engine.run_until_idle()
        assert engine.now() == START + timedelta(days=1)
        # When a server catches up to a moment behind it; Then the clock stays and nothing is refused
        assert engine.run_until(START + timedelta(hours=1)) == START + timedelta(days=1)
        assert engine.describe_execution(arn)["status"] == "SUCCEEDED"
