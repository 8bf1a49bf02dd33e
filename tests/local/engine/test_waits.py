"""Long waits: a three-day Wait loop finishes at once on a skip clock; Timestamp waits on a virtual clock."""

from __future__ import annotations

import itertools
from datetime import timedelta

from local.engine import Engine

from .conftest import START, Starter, history_types, output_of

THREE_DAY_POLL = {
    "Comment": "Poll every 6 hours until 12 polls (three days) have happened.",
    "StartAt": "Init",
    "States": {
        "Init": {"Type": "Pass", "Result": {"polls": 0}, "Next": "Wait"},
        "Wait": {"Type": "Wait", "Seconds": 21600, "Next": "Count"},
        "Count": {"Type": "Pass", "Parameters": {"polls.$": "States.MathAdd($.polls, 1)"}, "Next": "Done?"},
        "Done?": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.polls", "NumericGreaterThanEquals": 12, "Next": "Done"}],
            "Default": "Wait",
        },
        "Done": {"Type": "Succeed"},
    },
}


def test_three_day_wait_loop_finishes_at_once_on_a_skip_clock(skip_engine: Engine, start: Starter) -> None:
    # Given a loop that waits 6 h twelve times; When run until idle on a skip clock
    arn = start(skip_engine, THREE_DAY_POLL)
    skip_engine.run_until_idle()
    # Then it succeeded after exactly three virtual days with twelve waits in its history
    assert output_of(skip_engine, arn) == {"polls": 12}
    assert skip_engine.now() == START + timedelta(days=3)
    assert history_types(skip_engine, arn).count("WaitStateExited") == 12


def test_advance_runs_each_timer_at_its_own_time(virtual_engine: Engine, start: Starter) -> None:
    # Given the three-day loop on a virtual clock; When advanced by three days at once
    arn = start(virtual_engine, THREE_DAY_POLL)
    virtual_engine.advance(3 * 86400)
    # Then it finished and each WaitStateExited is stamped 6 h after the previous one
    assert virtual_engine.describe_execution(arn)["status"] == "SUCCEEDED"
    exits = [
        e["timestamp"]
        for e in virtual_engine.get_execution_history(arn)["events"]
        if e["type"] == "WaitStateExited"
    ]
    assert [b - a for a, b in itertools.pairwise(exits)] == [timedelta(hours=6)] * 11


def test_timestamp_path_wait_until_a_future_time(virtual_engine: Engine, start: Starter) -> None:
    # Given a TimestampPath two hours ahead
    definition = {"StartAt": "W", "States": {"W": {"Type": "Wait", "TimestampPath": "$.at", "End": True}}}
    arn = start(virtual_engine, definition, {"at": "2026-01-01T02:00:00Z"})
    # When advanced by one hour; Then still waiting; When advanced by another; Then done
    virtual_engine.advance(3600)
    assert virtual_engine.describe_execution(arn)["status"] == "RUNNING"
    virtual_engine.advance(3600)
    assert virtual_engine.describe_execution(arn)["status"] == "SUCCEEDED"


def test_timestamp_in_the_past_does_not_wait(virtual_engine: Engine, start: Starter) -> None:
    # Given a Timestamp in the past; When run; Then the wait ends immediately
    definition = {
        "StartAt": "W",
        "States": {"W": {"Type": "Wait", "Timestamp": "2020-01-01T00:00:00Z", "End": True}},
    }
    arn = start(virtual_engine, definition)
    virtual_engine.run_until_idle()
    assert virtual_engine.describe_execution(arn)["status"] == "SUCCEEDED"


def test_execution_timeout_ends_a_long_wait(skip_engine: Engine, start: Starter) -> None:
    # Given TimeoutSeconds of one hour and a one-day wait
    definition = {
        "TimeoutSeconds": 3600,
        "StartAt": "W",
        "States": {"W": {"Type": "Wait", "Seconds": 86400, "End": True}},
    }
    arn = start(skip_engine, definition)
    skip_engine.run_until_idle()
    # Then the execution timed out after one hour
    described = skip_engine.describe_execution(arn)
    assert described["status"] == "TIMED_OUT"
    assert described["stopDate"] == START + timedelta(hours=1)
    assert history_types(skip_engine, arn)[-1] == "ExecutionTimedOut"
