"""RedriveExecution of Map and Parallel states (only what did not succeed runs again) and of timeouts."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

from local.engine import Engine

from .conftest import START, Starter, history_types, output_of, redrive_and_run

FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:{}"


def _task(function: str, **fields: Any) -> dict[str, Any]:
    return {"Type": "Task", "Resource": FUNCTION_ARN.format(function), **fields}


class FailsOnceFor:
    """A handler that fails the first call for the given items and counts every call per item."""

    def __init__(self, *failing_once: int) -> None:
        self.failing = set(failing_once)
        self.calls: Counter[int] = Counter()

    def __call__(self, event: Any, context: Any) -> Any:
        item = event["item"]
        self.calls[item] += 1
        if item in self.failing and self.calls[item] == 1:
            raise RuntimeError(f"item {item} failed")
        return {"done": item}


def _one_item_at_a_time_map() -> dict[str, Any]:
    """A Map that calls the "process" function with {"item": <value>}, one item at a time."""
    return {
        "StartAt": "EachItem",
        "States": {
            "EachItem": {
                "Type": "Map",
                "MaxConcurrency": 1,
                "ItemSelector": {"item.$": "$$.Map.Item.Value"},
                "ItemProcessor": {"StartAt": "Process", "States": {"Process": _task("process", End=True)}},
                "End": True,
            }
        },
    }


def _events_after_redrive(engine: Engine, arn: str) -> list[dict[str, Any]]:
    events = engine.get_execution_history(arn)["events"]
    redriven = next(i for i, event in enumerate(events) if event["type"] == "ExecutionRedriven")
    return events[redriven:]


def test_redriving_a_failed_inline_map_reruns_only_the_iterations_that_did_not_succeed(
    skip_engine: Engine, start: Starter
) -> None:
    # Given a Map over four items, one at a time, whose second item fails the first time
    handler = FailsOnceFor(1)
    skip_engine.register_lambda("process", handler)
    arn = start(skip_engine, _one_item_at_a_time_map(), [0, 1, 2, 3])
    skip_engine.run_until_idle()
    assert skip_engine.describe_execution(arn)["status"] == "FAILED"
    assert dict(handler.calls) == {0: 1, 1: 1}

    # When the execution is redriven
    redrive_and_run(skip_engine, arn)

    # Then item 0 kept its result, only items 1-3 ran, and the output lists all four in order
    assert dict(handler.calls) == {0: 1, 1: 2, 2: 1, 3: 1}
    assert output_of(skip_engine, arn) == [{"done": 0}, {"done": 1}, {"done": 2}, {"done": 3}]
    rerun = [
        event["mapIterationStartedEventDetails"]["index"]
        for event in _events_after_redrive(skip_engine, arn)
        if event["type"] == "MapIterationStarted"
    ]
    assert rerun == [1, 2, 3]


def test_redriving_a_failed_parallel_state_reruns_only_the_failed_branch(
    skip_engine: Engine, start: Starter
) -> None:
    # Given two branches: the first succeeds, the second fails the first time
    handler = FailsOnceFor(2)
    skip_engine.register_lambda("work", handler)
    definition = {
        "StartAt": "Both",
        "States": {
            "Both": {
                "Type": "Parallel",
                "Branches": [
                    {
                        "StartAt": "First",
                        "States": {"First": _task("work", Parameters={"item": 1}, End=True)},
                    },
                    {
                        "StartAt": "Second",
                        "States": {"Second": _task("work", Parameters={"item": 2}, End=True)},
                    },
                ],
                "End": True,
            }
        },
    }
    arn = start(skip_engine, definition)
    skip_engine.run_until_idle()
    assert skip_engine.describe_execution(arn)["status"] == "FAILED"

    # When the execution is redriven
    redrive_and_run(skip_engine, arn)

    # Then the first branch did not run again and its earlier output is part of the result
    assert dict(handler.calls) == {1: 1, 2: 2}
    assert output_of(skip_engine, arn) == [{"done": 1}, {"done": 2}]
    entered_again = [
        event["stateEnteredEventDetails"]["name"]
        for event in _events_after_redrive(skip_engine, arn)
        if event["type"] == "TaskStateEntered"
    ]
    assert entered_again == ["Second"]


def test_a_redriven_map_that_fails_again_keeps_what_succeeded_in_either_attempt(
    skip_engine: Engine, start: Starter
) -> None:
    # Given a Map whose items 1 and 2 fail on their first call (the Map stops at the first failure)
    handler = FailsOnceFor(1, 2)
    skip_engine.register_lambda("process", handler)
    arn = start(skip_engine, _one_item_at_a_time_map(), [0, 1, 2])
    skip_engine.run_until_idle()

    # When redriven twice (the first redrive fails on item 2)
    redrive_and_run(skip_engine, arn)
    after_first_redrive = skip_engine.describe_execution(arn)["status"]
    redrive_and_run(skip_engine, arn)

    # Then no item that once succeeded ran again
    assert after_first_redrive == "FAILED"
    assert dict(handler.calls) == {0: 1, 1: 2, 2: 2}
    assert output_of(skip_engine, arn) == [{"done": 0}, {"done": 1}, {"done": 2}]
    assert skip_engine.describe_execution(arn)["redriveCount"] == 2


def test_a_redrive_starts_the_execution_timeout_afresh(virtual_engine: Engine, start: Starter) -> None:
    # Given an execution with TimeoutSeconds 100 that timed out in a Wait of 150 s
    definition = {
        "TimeoutSeconds": 100,
        "StartAt": "Wait",
        "States": {"Wait": {"Type": "Wait", "Seconds": 150, "End": True}},
    }
    arn = start(virtual_engine, definition)
    virtual_engine.advance(100)
    assert virtual_engine.describe_execution(arn)["status"] == "TIMED_OUT"

    # When redriven and time passes beyond the second timeout
    virtual_engine.redrive_execution(arn)
    virtual_engine.advance(120)

    # Then it timed out again, 100 s after the redrive
    described = virtual_engine.describe_execution(arn)
    assert described["status"] == "TIMED_OUT"
    assert described["stopDate"] == START + timedelta(seconds=200)
    assert history_types(virtual_engine, arn).count("ExecutionTimedOut") == 2
