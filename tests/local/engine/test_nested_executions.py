"""Nested executions: `states:startExecution` and its `.sync`, `.sync:2` and `.waitForTaskToken` patterns."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from local.engine import ApiError, Engine, SqliteStore, VirtualClock

from .conftest import ROLE_ARN, START, history_types, output_of

CHILD_WAITS_THEN_ANSWERS = {
    "StartAt": "Think",
    "States": {
        "Think": {"Type": "Wait", "Seconds": 60, "Next": "Answer"},
        "Answer": {"Type": "Pass", "Parameters": {"doubled.$": "States.MathAdd($.n, $.n)"}, "End": True},
    },
}
CHILD_FAILS = {
    "StartAt": "Break",
    "States": {"Break": {"Type": "Fail", "Error": "Child.Broken", "Cause": "it broke"}},
}


def _machine(engine: Engine, name: str, definition: dict[str, Any]) -> str:
    created = engine.create_state_machine(name=name, definition=json.dumps(definition), role_arn=ROLE_ARN)
    return str(created["stateMachineArn"])


def _parent(child_arn: str, pattern: str, **task: Any) -> dict[str, Any]:
    return {
        "StartAt": "RunChild",
        "States": {
            "RunChild": {
                "Type": "Task",
                "Resource": f"arn:aws:states:::states:startExecution{pattern}",
                "Parameters": {
                    "StateMachineArn": child_arn,
                    "Name.$": "$.name",
                    "Input": {
                        "n.$": "$.n",
                        "AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$": "$$.Execution.Id",
                    },
                },
                "End": True,
                **task,
            }
        },
    }


def _run(engine: Engine, parent: dict[str, Any], execution_input: dict[str, Any]) -> str:
    machine = _machine(engine, "Parent", parent)
    arn = str(engine.start_execution(machine, input=json.dumps(execution_input))["executionArn"])
    engine.run_until_idle()
    return arn


def _child_arn(name: str) -> str:
    return f"arn:aws:states:us-east-1:123456789012:execution:Child:{name}"


def test_request_response_answers_the_start_and_does_not_wait(virtual_engine: Engine) -> None:
    # Given a parent that starts a child which waits a minute
    child = _machine(virtual_engine, "Child", CHILD_WAITS_THEN_ANSWERS)
    # When the parent runs
    arn = _run(virtual_engine, _parent(child, ""), {"name": "kid", "n": 2})
    # Then it succeeded at once with StartExecution's response, while the child still runs
    output = output_of(virtual_engine, arn)
    assert output["ExecutionArn"] == _child_arn("kid")
    assert output["StartDate"] == int(START.timestamp() * 1000)
    assert output["SdkHttpMetadata"]["HttpStatusCode"] == 200
    assert virtual_engine.describe_execution(_child_arn("kid"))["status"] == "RUNNING"
    # And the child got the input with the parent's execution id, and shows no parent otherwise
    child_described = virtual_engine.describe_execution(_child_arn("kid"))
    assert json.loads(child_described["input"]) == {"n": 2, "AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID": arn}
    assert history_types(virtual_engine, arn)[2:5] == ["TaskScheduled", "TaskStarted", "TaskSucceeded"]


@pytest.mark.parametrize(("pattern", "parsed"), [(".sync", False), (".sync:2", True)])
def test_sync_waits_for_the_child_and_answers_its_description(
    virtual_engine: Engine, pattern: str, parsed: bool
) -> None:
    # Given a parent waiting on a child that answers after a minute
    child = _machine(virtual_engine, "Child", CHILD_WAITS_THEN_ANSWERS)
    arn = _run(virtual_engine, _parent(child, pattern), {"name": "kid", "n": 21})
    assert virtual_engine.describe_execution(arn)["status"] == "RUNNING"
    # When the minute passes
    virtual_engine.advance(60)
    # Then the parent's output is the child's DescribeExecution, Output a string (.sync) or JSON (.sync:2)
    output = output_of(virtual_engine, arn)
    assert output["Output"] == ({"doubled": 42} if parsed else '{"doubled":42}')
    assert output["Status"] == "SUCCEEDED"
    assert output["ExecutionArn"] == _child_arn("kid")
    assert output["Name"] == "kid"
    assert output["StateMachineArn"] == child
    assert output["StopDate"] - output["StartDate"] == 60_000
    assert output["InputDetails"] == output["OutputDetails"] == {"Included": True}
    assert json.loads(output["Input"])["n"] == 21
    # And the history shows the submission with StartExecution's response
    events = virtual_engine.get_execution_history(arn)["events"]
    assert [e["type"] for e in events][2:6] == [
        "TaskScheduled",
        "TaskStarted",
        "TaskSubmitted",
        "TaskSucceeded",
    ]
    submitted = json.loads(events[4]["taskSubmittedEventDetails"]["output"])
    assert submitted["ExecutionArn"] == _child_arn("kid")
    assert events[4]["taskSubmittedEventDetails"]["resource"] == f"startExecution{pattern}"


def test_a_failing_child_fails_the_sync_task_with_states_task_failed(virtual_engine: Engine) -> None:
    # Given a parent that catches States.TaskFailed around a child that fails
    child = _machine(virtual_engine, "Child", CHILD_FAILS)
    parent = _parent(
        child,
        ".sync",
        Catch=[{"ErrorEquals": ["States.TaskFailed"], "ResultPath": "$.failure", "Next": "Caught"}],
    )
    parent["States"]["Caught"] = {"Type": "Pass", "End": True}
    # When it runs
    arn = _run(virtual_engine, parent, {"name": "kid", "n": 1})
    # Then the catcher got States.TaskFailed, its cause the child's description with its error and cause
    failure = output_of(virtual_engine, arn)["failure"]
    assert failure["Error"] == "States.TaskFailed"
    cause = json.loads(failure["Cause"])
    assert cause["Status"] == "FAILED"
    assert (cause["Error"], cause["Cause"]) == ("Child.Broken", "it broke")
    assert cause["ExecutionArn"] == _child_arn("kid")
    assert "TaskFailed" in history_types(virtual_engine, arn)


def test_an_aborted_child_fails_the_sync_task(virtual_engine: Engine) -> None:
    # Given a parent waiting on a child
    child = _machine(virtual_engine, "Child", CHILD_WAITS_THEN_ANSWERS)
    arn = _run(virtual_engine, _parent(child, ".sync:2"), {"name": "kid", "n": 1})
    # When the child is stopped
    virtual_engine.stop_execution(_child_arn("kid"), error="Stop.Now", cause="enough")
    virtual_engine.run_until_idle()
    # Then the parent failed with States.TaskFailed, the child ABORTED in the cause
    described = virtual_engine.describe_execution(arn)
    assert described["status"] == "FAILED"
    assert described["error"] == "States.TaskFailed"
    assert json.loads(described["cause"])["Status"] == "ABORTED"


def test_a_child_that_times_out_fails_the_sync_task(virtual_engine: Engine) -> None:
    # Given a parent waiting on a child whose execution times out before its Wait ends
    child = _machine(virtual_engine, "Child", {**CHILD_WAITS_THEN_ANSWERS, "TimeoutSeconds": 10})
    arn = _run(virtual_engine, _parent(child, ".sync"), {"name": "kid", "n": 1})
    # When the child's ten seconds pass
    virtual_engine.advance(10)
    # Then the parent failed with States.TaskFailed, the child TIMED_OUT in the cause
    described = virtual_engine.describe_execution(arn)
    assert described["error"] == "States.TaskFailed"
    assert json.loads(described["cause"])["Status"] == "TIMED_OUT"


def test_stopping_the_parent_stops_its_sync_child(virtual_engine: Engine) -> None:
    # Given a parent waiting on a child
    child = _machine(virtual_engine, "Child", CHILD_WAITS_THEN_ANSWERS)
    arn = _run(virtual_engine, _parent(child, ".sync"), {"name": "kid", "n": 1})
    # When the parent is stopped
    virtual_engine.stop_execution(arn)
    # Then the child is stopped too
    assert virtual_engine.describe_execution(_child_arn("kid"))["status"] == "ABORTED"
    assert virtual_engine.describe_execution(arn)["status"] == "ABORTED"


def test_stopping_the_parent_leaves_a_request_response_child_running(virtual_engine: Engine) -> None:
    # Given a parent that started a child and then waits on its own
    child = _machine(virtual_engine, "Child", CHILD_WAITS_THEN_ANSWERS)
    parent = _parent(child, "", Next="Linger")
    del parent["States"]["RunChild"]["End"]
    parent["States"]["Linger"] = {"Type": "Wait", "Seconds": 600, "End": True}
    arn = _run(virtual_engine, parent, {"name": "kid", "n": 1})
    # When the parent is stopped
    virtual_engine.stop_execution(arn)
    # Then the child runs on
    assert virtual_engine.describe_execution(_child_arn("kid"))["status"] == "RUNNING"


def test_wait_for_task_token_is_answered_by_the_child(virtual_engine: Engine) -> None:
    # Given a child that answers its parent's token with SendTaskSuccess
    tokens: list[str] = []
    virtual_engine.register_lambda("remember", lambda event, context: tokens.append(event["token"]))
    child = _machine(
        virtual_engine,
        "Child",
        {
            "StartAt": "Hand",
            "States": {
                "Hand": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::lambda:invoke",
                    "Parameters": {"FunctionName": "remember", "Payload": {"token.$": "$.token"}},
                    "End": True,
                }
            },
        },
    )
    parent = {
        "StartAt": "RunChild",
        "States": {
            "RunChild": {
                "Type": "Task",
                "Resource": "arn:aws:states:::states:startExecution.waitForTaskToken",
                "Parameters": {"StateMachineArn": child, "Input": {"token.$": "$$.Task.Token"}},
                "End": True,
            }
        },
    }
    arn = _run(virtual_engine, parent, {})
    assert virtual_engine.describe_execution(arn)["status"] == "RUNNING"
    # When the token is sent back
    virtual_engine.send_task_success(task_token=tokens[0], output='{"approved": true}')
    virtual_engine.run_until_idle()
    # Then the parent's task succeeded with that output
    assert output_of(virtual_engine, arn) == {"approved": True}
    assert history_types(virtual_engine, arn)[2:6] == [
        "TaskScheduled",
        "TaskStarted",
        "TaskSubmitted",
        "TaskSucceeded",
    ]


def test_a_missing_child_state_machine_fails_the_task(virtual_engine: Engine) -> None:
    # Given a parent naming a state machine that does not exist
    missing = "arn:aws:states:us-east-1:123456789012:stateMachine:Nowhere"
    # When it runs
    arn = _run(virtual_engine, _parent(missing, ".sync"), {"name": "kid", "n": 1})
    # Then the task failed with the SDK's exception name
    described = virtual_engine.describe_execution(arn)
    assert described["error"] == "StepFunctions.StateMachineDoesNotExistException"
    assert "State Machine Does Not Exist" in described["cause"]


def test_only_the_patterns_that_run_are_accepted(engine_for_validation: Engine) -> None:
    # Given a Task naming an unknown pattern of startExecution
    child = "arn:aws:states:us-east-1:123456789012:stateMachine:Child"
    # When it is created, Then it is refused
    with pytest.raises(ApiError) as refused:
        _machine(engine_for_validation, "Parent", _parent(child, ".sync:3"))
    assert refused.value.code == "InvalidDefinition"


def test_a_parent_waiting_on_a_child_completes_after_a_restart(tmp_path: Path) -> None:
    # Given a parent waiting on a child in a SQLite store, and the engine closed
    clock = VirtualClock(start=START)
    first = Engine(clock=clock, store=SqliteStore(tmp_path / "state.db"))
    child = _machine(first, "Child", CHILD_WAITS_THEN_ANSWERS)
    arn = _run(first, _parent(child, ".sync:2"), {"name": "kid", "n": 4})
    first.close()
    # When a new engine opens the store and the child's minute passes
    second = Engine(clock=clock, store=SqliteStore(tmp_path / "state.db"))
    second.advance(60)
    # Then the parent completed with the child's output
    assert output_of(second, arn)["Output"] == {"doubled": 8}
    second.close()


def test_a_parent_whose_child_ended_before_a_crash_completes_on_restart(tmp_path: Path) -> None:
    # Given a parent waiting on a child, and the child ending with no one left to tell the parent
    clock = VirtualClock(start=START)
    first = Engine(clock=clock, store=SqliteStore(tmp_path / "state.db"))
    child = _machine(first, "Child", CHILD_WAITS_THEN_ANSWERS)
    arn = _run(first, _parent(child, ".sync"), {"name": "kid", "n": 5})
    first._driver._end_hooks.clear()  # as if the process died between the child's end and the parent's turn
    first.advance(60)
    assert first.describe_execution(_child_arn("kid"))["status"] == "SUCCEEDED"
    assert first.describe_execution(arn)["status"] == "RUNNING"
    first.close()
    # When a new engine opens the store
    second = Engine(clock=clock, store=SqliteStore(tmp_path / "state.db"))
    second.run_until_idle()
    # Then the parent completed with the child's output
    assert output_of(second, arn)["Output"] == '{"doubled":10}'
    second.close()
