"""Clocks: real follows the wall clock, virtual moves only when told, skip jumps over idle time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from local.engine import Engine, MemoryStore, RealClock, SkipClock, VirtualClock

from .conftest import START, Starter, history_types

WAIT_TEN_SECONDS = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 10, "End": True}}}


def test_real_clock_reports_aware_utc_now() -> None:
    # Given a real clock; When read; Then it is timezone-aware and close to the wall clock
    clock = RealClock()
    assert clock.mode == "real"
    assert clock.now().tzinfo is not None
    assert abs((clock.now() - datetime.now(UTC)).total_seconds()) < 5


def test_virtual_clock_moves_only_when_advanced() -> None:
    # Given a virtual clock; When read twice and advanced; Then it changed only by the advance
    clock = VirtualClock(start=START)
    assert clock.now() == clock.now() == START
    assert clock.advance(90) == START + timedelta(seconds=90)
    assert clock.mode == "virtual"


def test_manual_clocks_never_move_backwards() -> None:
    # Given a skip clock; When set to an earlier time or advanced negatively; Then it stays put or refuses
    clock = SkipClock(start=START)
    clock.set(START - timedelta(days=1))
    assert clock.now() == START
    with pytest.raises(ValueError, match="backwards"):
        clock.advance(-1)


def test_virtual_clock_waits_until_advanced(virtual_engine: Engine, start: Starter) -> None:
    # Given a Wait of 10 s on a virtual clock
    arn = start(virtual_engine, WAIT_TEN_SECONDS)
    # When the engine runs without moving time; Then the execution still waits
    virtual_engine.run_until_idle()
    assert virtual_engine.describe_execution(arn)["status"] == "RUNNING"
    # When time moves 9 s; Then it still waits; When it moves past 10 s; Then it has succeeded
    virtual_engine.advance(9)
    assert virtual_engine.describe_execution(arn)["status"] == "RUNNING"
    virtual_engine.advance(1)
    assert virtual_engine.describe_execution(arn)["status"] == "SUCCEEDED"
    assert history_types(virtual_engine, arn) == [
        "ExecutionStarted",
        "WaitStateEntered",
        "WaitStateExited",
        "ExecutionSucceeded",
    ]


def test_skip_clock_jumps_to_the_next_timer(skip_engine: Engine, start: Starter) -> None:
    # Given a Wait of 10 s on a skip clock; When the engine runs until idle
    arn = start(skip_engine, WAIT_TEN_SECONDS)
    skip_engine.run_until_idle()
    # Then the execution succeeded and the clock moved exactly to the timer
    assert skip_engine.describe_execution(arn)["status"] == "SUCCEEDED"
    assert skip_engine.now() == START + timedelta(seconds=10)


def test_event_timestamps_and_entered_time_come_from_the_engine_clock(
    virtual_engine: Engine, start: Starter
) -> None:
    # Given a Pass state reading $$.State.EnteredTime after a 1-hour wait on a virtual clock
    definition = {
        "StartAt": "W",
        "States": {
            "W": {"Type": "Wait", "Seconds": 3600, "Next": "P"},
            "P": {
                "Type": "Pass",
                "Parameters": {"entered.$": "$$.State.EnteredTime", "started.$": "$$.Execution.StartTime"},
                "End": True,
            },
        },
    }
    arn = start(virtual_engine, definition)
    virtual_engine.advance(3600)
    # Then the times in the output and in the history are virtual times
    events = virtual_engine.get_execution_history(arn)["events"]
    assert events[-1]["timestamp"] == START + timedelta(hours=1)
    output = virtual_engine.describe_execution(arn)["output"]
    assert '"entered":"2026-01-01T01:00:00.000Z"' in output
    assert '"started":"2026-01-01T00:00:00.000Z"' in output


def test_jsonata_now_reads_the_engine_clock(skip_engine: Engine, start: Starter) -> None:
    # Given a JSONata state returning $now() after waiting one day
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "W",
        "States": {
            "W": {"Type": "Wait", "Seconds": 86400, "Next": "P"},
            "P": {"Type": "Pass", "Output": "{% $now() %}", "End": True},
        },
    }
    arn = start(skip_engine, definition)
    skip_engine.run_until_idle()
    # Then $now() is the virtual time a day after the start
    assert skip_engine.describe_execution(arn)["output"] == '"2026-01-02T00:00:00.000Z"'


def test_engine_default_clock_is_real() -> None:
    # Given an engine without a clock; Then it uses the wall clock
    assert Engine(store=MemoryStore()).clock.mode == "real"
