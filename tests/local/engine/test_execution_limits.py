"""AWS's bounds on time: a Standard execution's one-year maximum duration and the Wait state's range."""

from __future__ import annotations

from datetime import timedelta

from local.engine import Engine

from .conftest import START, Starter, history_types

ONE_YEAR = timedelta(days=365)


def test_a_standard_execution_times_out_at_its_one_year_maximum_duration(
    virtual_engine: Engine, start: Starter
) -> None:
    # Given a Standard execution without TimeoutSeconds that waits about three years
    definition = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 99999999, "End": True}}}
    arn = start(virtual_engine, definition)
    # When the virtual clock reaches one second short of a year; Then it still runs
    virtual_engine.advance(ONE_YEAR.total_seconds() - 1)
    assert virtual_engine.describe_execution(arn)["status"] == "RUNNING"
    # When it reaches the year; Then AWS's maximum duration stops it as a timeout
    virtual_engine.advance(1)
    described = virtual_engine.describe_execution(arn)
    assert described["status"] == "TIMED_OUT"
    assert "error" not in described and "cause" not in described
    assert described["stopDate"] == START + ONE_YEAR
    assert history_types(virtual_engine, arn) == ["ExecutionStarted", "WaitStateEntered", "ExecutionTimedOut"]
    timed_out = virtual_engine.get_execution_history(arn)["events"][-1]
    assert timed_out["previousEventId"] == 0
    assert timed_out["executionTimedOutEventDetails"] == {"error": "States.Timeout"}
    assert timed_out["timestamp"] == START + ONE_YEAR


def test_a_shorter_timeout_seconds_still_wins_over_the_maximum_duration(
    skip_engine: Engine, start: Starter
) -> None:
    # Given TimeoutSeconds of two days and a Wait far beyond the year
    definition = {
        "TimeoutSeconds": 172800,
        "StartAt": "W",
        "States": {"W": {"Type": "Wait", "Timestamp": "2999-01-01T00:00:00Z", "End": True}},
    }
    arn = start(skip_engine, definition)
    # When run on a skip clock; Then it timed out after the two days
    skip_engine.run_until_idle()
    assert skip_engine.describe_execution(arn)["stopDate"] == START + timedelta(days=2)
