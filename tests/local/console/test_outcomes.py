"""How the graph draws what happened to each state: caught, retried, Map iterations counted."""

from __future__ import annotations

import time
from typing import Any

from local.engine import Engine
from tests.local.console.machines import create
from tests.local.console.pages import click_state, open_execution, outcomes


class _FailsFirst:
    """A Lambda handler whose first call for each input fails."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def __call__(self, event: Any, context: Any) -> Any:
        key = repr(event)
        if key not in self.seen:
            self.seen.add(key)
            raise ConnectionError("flaky network")
        return event


def _always_fails(event: Any, context: Any) -> Any:
    raise PermissionError("not allowed")


def test_caught_retried_and_map_states_are_drawn_as_they_went(
    engine: Engine, sfn_url: str, console: Any
) -> None:
    # Given an execution in which a task failed and was caught, and a Map's items were each retried once
    engine.register_lambda("flaky", _FailsFirst())
    engine.register_lambda("forbidden", _always_fails)
    invoke = "arn:aws:states:::lambda:invoke"
    states = {
        "TryIt": {
            "Type": "Task",
            "Resource": invoke,
            "Parameters": {"FunctionName": "forbidden", "Payload": {}},
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Recover"}],
            "Next": "Unreachable",
        },
        "Unreachable": {"Type": "Pass", "End": True},
        "Recover": {"Type": "Pass", "Result": [1, 2, 3], "Next": "EachItem"},
        "EachItem": {
            "Type": "Map",
            "ItemProcessor": {
                "StartAt": "Work",
                "States": {
                    "Work": {
                        "Type": "Task",
                        "Resource": invoke,
                        "Parameters": {"FunctionName": "flaky", "Payload.$": "$"},
                        "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "MaxAttempts": 2}],
                        "OutputPath": "$.Payload",
                        "End": True,
                    }
                },
            },
            "End": True,
        },
    }
    machine = create(engine, "Outcomes", states, "TryIt")
    execution_arn = engine.start_execution(machine, input="{}")["executionArn"]
    deadline = time.monotonic() + 15
    while engine.describe_execution(execution_arn)["status"] == "RUNNING":
        engine.advance(1)
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert engine.describe_execution(execution_arn)["status"] == "SUCCEEDED"

    # When its page is opened
    page = console.page
    open_execution(page, sfn_url, execution_arn)

    # Then each state is drawn by how it went
    assert outcomes(page) == {
        "TryIt": "caught",
        "Unreachable": "not-visited",
        "Recover": "succeeded",
        "EachItem": "succeeded",
        "Work": "retried",
    }
    group = page.text_content('#graph .state-node[data-state="EachItem"] .cluster-label')
    assert "3 items" in group and "3 iterations: 3 succeeded" in group

    # And the caught state's panel shows the error it was caught with
    click_state(page, "TryIt")
    assert page.inner_text('#state-panel [data-field="outcome"]') == "Failed, caught"
    assert page.inner_text("#state-panel .error-name") == "PermissionError"
