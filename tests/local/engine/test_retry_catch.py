"""Retry intervals, backoff, MaxDelaySeconds and jitter on a virtual clock; Catch and error outputs."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from local.engine import Engine

from .conftest import START, Starter, history_types, output_of


class Flaky(Exception):
    """Raised by the test function until it has failed enough times."""


def _flaky(failures: int) -> tuple[list[int], Any]:
    calls: list[int] = []

    def handler(event: Any, context: Any) -> Any:
        calls.append(len(calls))
        if len(calls) <= failures:
            raise Flaky(f"failure {len(calls)}")
        return {"calls": len(calls)}

    return calls, handler


FLAKY_ARN = "arn:aws:lambda:us-east-1:123456789012:function:flaky"


def _task(retrier: dict[str, Any]) -> dict[str, Any]:
    return {
        "StartAt": "Call",
        "States": {
            "Call": {
                "Type": "Task",
                "Resource": FLAKY_ARN,
                "Retry": [{"ErrorEquals": ["Flaky"], **retrier}],
                "End": True,
            }
        },
    }


def _call_then_handled(**call_fields: Any) -> dict[str, Any]:
    """A Task "Call" of the flaky function with the given fields, and a Pass state "Handled" to catch into."""
    return {
        "StartAt": "Call",
        "States": {
            "Call": {"Type": "Task", "Resource": FLAKY_ARN, **call_fields},
            "Handled": {"Type": "Pass", "End": True},
        },
    }


def _attempt_times(engine: Engine, arn: str) -> list[float]:
    events = engine.get_execution_history(arn)["events"]
    return [
        (e["timestamp"] - START).total_seconds() for e in events if e["type"] == "LambdaFunctionScheduled"
    ]


def test_retry_waits_interval_times_backoff(virtual_engine: Engine, start: Starter) -> None:
    # Given a function that fails three times and IntervalSeconds 2, BackoffRate 3
    calls, handler = _flaky(3)
    virtual_engine.register_lambda("flaky", handler)
    arn = start(virtual_engine, _task({"IntervalSeconds": 2, "BackoffRate": 3, "MaxAttempts": 3}))
    # When time advances step by step; Then each retry happens only after its interval (2, 6, 18 s)
    virtual_engine.run_until_idle()
    assert len(calls) == 1
    virtual_engine.advance(1.9)
    assert len(calls) == 1
    virtual_engine.advance(0.1)
    assert len(calls) == 2
    virtual_engine.advance(30)
    assert _attempt_times(virtual_engine, arn) == [0, 2, 8, 26]
    assert output_of(virtual_engine, arn) == {"calls": 4}


def test_max_delay_caps_the_backoff(virtual_engine: Engine, start: Starter) -> None:
    # Given BackoffRate 10 capped at 5 s
    _, handler = _flaky(3)
    virtual_engine.register_lambda("flaky", handler)
    arn = start(
        virtual_engine,
        _task({"IntervalSeconds": 1, "BackoffRate": 10, "MaxDelaySeconds": 5, "MaxAttempts": 3}),
    )
    # When enough time passes; Then the gaps are 1, 5, 5 seconds
    virtual_engine.advance(60)
    assert _attempt_times(virtual_engine, arn) == [0, 1, 6, 11]


def test_full_jitter_never_waits_longer_than_the_backoff(virtual_engine: Engine, start: Starter) -> None:
    # Given FULL jitter over a 10 s interval
    _, handler = _flaky(1)
    virtual_engine.register_lambda("flaky", handler)
    arn = start(virtual_engine, _task({"IntervalSeconds": 10, "MaxAttempts": 1, "JitterStrategy": "FULL"}))
    # When 10 s pass; Then the retry has happened somewhere within those 10 s
    virtual_engine.advance(10)
    times = _attempt_times(virtual_engine, arn)
    assert len(times) == 2
    assert 0 <= times[1] <= 10


def test_exhausted_retries_fail_the_execution_with_the_function_error(
    skip_engine: Engine, start: Starter
) -> None:
    # Given a function that always fails and two retries
    calls, handler = _flaky(100)
    skip_engine.register_lambda("flaky", handler)
    arn = start(skip_engine, _task({"IntervalSeconds": 1, "MaxAttempts": 2}))
    skip_engine.run_until_idle()
    # Then there were three attempts and the execution failed with the exception's class name
    described = skip_engine.describe_execution(arn)
    assert len(calls) == 3
    assert described["status"] == "FAILED"
    assert described["error"] == "Flaky"
    assert skip_engine.now() == START + timedelta(seconds=3)


@pytest.mark.parametrize(("result_path", "expected"), [(None, "error"), ("$.problem", "merged")])
def test_catch_routes_the_error_output(
    skip_engine: Engine, start: Starter, result_path: str | None, expected: str
) -> None:
    # Given a failing function with a Catch (with or without ResultPath)
    _, handler = _flaky(100)
    skip_engine.register_lambda("flaky", handler)
    catcher: dict[str, Any] = {"ErrorEquals": ["States.ALL"], "Next": "Handled"}
    if result_path:
        catcher["ResultPath"] = result_path
    definition = _call_then_handled(Catch=[catcher], Next="Handled")
    arn = start(skip_engine, definition, {"order": 7})
    skip_engine.run_until_idle()
    # Then the execution succeeded through the catcher with the error output placed per ResultPath
    output = output_of(skip_engine, arn)
    error_output = output if expected == "error" else output["problem"]
    assert error_output["Error"] == "Flaky"
    assert '"errorMessage": "failure 1"' in error_output["Cause"]
    if expected == "merged":
        assert output["order"] == 7
    assert history_types(skip_engine, arn)[-5:] == [
        "LambdaFunctionFailed",
        "TaskStateExited",
        "PassStateEntered",
        "PassStateExited",
        "ExecutionSucceeded",
    ]


def test_states_runtime_errors_are_never_caught(skip_engine: Engine, start: Starter) -> None:
    # Given a Task whose Parameters read a missing path and a States.ALL catcher
    definition = _call_then_handled(
        Parameters={"x.$": "$.missing"},
        Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Handled"}],
        End=True,
    )
    arn = start(skip_engine, definition)
    skip_engine.run_until_idle()
    # Then the execution failed with States.Runtime naming the state and field
    described = skip_engine.describe_execution(arn)
    assert described["error"] == "States.Runtime"
    assert "The JSONPath '$.missing' specified for the field 'x.$' could not be found" in described["cause"]
