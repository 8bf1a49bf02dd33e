"""The Step Functions API surface: idempotency, errors with AWS codes, pagination, stop, redrive, express."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest

from local.engine import ApiError, Engine

from .conftest import ROLE_ARN, Starter, history_types, output_of, redrive_and_run

PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
WAIT = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 100, "End": True}}}


def _code(call: Any) -> str:
    with pytest.raises(ApiError) as raised:
        call()
    return raised.value.code


def test_start_execution_is_idempotent_while_running(virtual_engine: Engine, start: Starter) -> None:
    # Given a running execution named "order-1"
    machine = virtual_engine.create_state_machine(name="M", definition=json.dumps(WAIT), role_arn=ROLE_ARN)[
        "stateMachineArn"
    ]
    first = virtual_engine.start_execution(machine, input='{"a": 1}', name="order-1")
    # When started again with the same name and input; Then the same execution is returned
    assert virtual_engine.start_execution(machine, input='{"a": 1}', name="order-1") == first
    # When started with another input, or after it finished; Then ExecutionAlreadyExists
    assert (
        _code(lambda: virtual_engine.start_execution(machine, input='{"a": 2}', name="order-1"))
        == "ExecutionAlreadyExists"
    )
    virtual_engine.advance(100)
    assert (
        _code(lambda: virtual_engine.start_execution(machine, input='{"a": 1}', name="order-1"))
        == "ExecutionAlreadyExists"
    )


def test_api_errors_use_aws_codes(virtual_engine: Engine) -> None:
    # Given an engine; When called with bad names, ARNs or inputs; Then the AWS error codes come back
    machine = virtual_engine.create_state_machine(name="M", definition=json.dumps(PASS), role_arn=ROLE_ARN)[
        "stateMachineArn"
    ]
    assert (
        _code(
            lambda: virtual_engine.create_state_machine(
                name="bad name", definition=json.dumps(PASS), role_arn=ROLE_ARN
            )
        )
        == "InvalidName"
    )
    assert (
        _code(
            lambda: virtual_engine.create_state_machine(
                name="M", definition=json.dumps(WAIT), role_arn=ROLE_ARN
            )
        )
        == "StateMachineAlreadyExists"
    )
    assert (
        _code(
            lambda: virtual_engine.create_state_machine(
                name="R", definition=json.dumps(PASS), role_arn="role"
            )
        )
        == "InvalidArn"
    )
    assert _code(lambda: virtual_engine.describe_state_machine(machine + "x")) == "StateMachineDoesNotExist"
    assert _code(lambda: virtual_engine.describe_execution("not-an-arn")) == "InvalidArn"
    assert (
        _code(
            lambda: virtual_engine.describe_execution(machine.replace("stateMachine:M", "execution:M:nope"))
        )
        == "ExecutionDoesNotExist"
    )
    assert _code(lambda: virtual_engine.start_execution(machine, input="{oops")) == "InvalidExecutionInput"
    assert (
        _code(lambda: virtual_engine.start_sync_execution(machine, input="{}"))
        == "StateMachineTypeNotSupported"
    )
    assert _code(lambda: virtual_engine.list_executions(machine, next_token="garbage")) == "InvalidToken"
    # And creating the identical state machine again returns the existing one
    again = virtual_engine.create_state_machine(name="M", definition=json.dumps(PASS), role_arn=ROLE_ARN)
    assert again["stateMachineArn"] == machine


def test_list_operations_paginate(virtual_engine: Engine) -> None:
    # Given five executions (three finished, two running)
    machine = virtual_engine.create_state_machine(name="M", definition=json.dumps(PASS), role_arn=ROLE_ARN)[
        "stateMachineArn"
    ]
    waiting = virtual_engine.create_state_machine(name="W", definition=json.dumps(WAIT), role_arn=ROLE_ARN)[
        "stateMachineArn"
    ]
    for index in range(3):
        virtual_engine.start_execution(machine, name=f"done-{index}")
    virtual_engine.run_until_idle()
    # When listed two at a time; Then pages chain with nextToken and cover every execution once
    names, token = [], None
    while True:
        page = virtual_engine.list_executions(machine, max_results=2, next_token=token)
        names += [item["name"] for item in page["executions"]]
        token = page.get("nextToken")
        if token is None:
            break
    assert sorted(names) == ["done-0", "done-1", "done-2"]
    for index in range(2):
        virtual_engine.start_execution(waiting, name=f"wait-{index}")
    assert len(virtual_engine.list_executions(waiting, status_filter="RUNNING")["executions"]) == 2
    assert virtual_engine.list_executions(waiting, status_filter="SUCCEEDED")["executions"] == []
    assert [m["name"] for m in virtual_engine.list_state_machines(max_results=1)["stateMachines"]] == ["M"]


def test_history_pages_and_reverse_order(skip_engine: Engine, start: Starter) -> None:
    # Given a finished execution with four events
    arn = start(skip_engine, PASS)
    skip_engine.run_until_idle()
    # When read in pages of three, and in reverse; Then ids are consistent and timestamps are datetimes
    first = skip_engine.get_execution_history(arn, max_results=3)
    second = skip_engine.get_execution_history(arn, max_results=3, next_token=first["nextToken"])
    assert [e["id"] for e in first["events"] + second["events"]] == [1, 2, 3, 4]
    assert "nextToken" not in second
    assert [e["id"] for e in skip_engine.get_execution_history(arn, reverse_order=True)["events"]] == [
        4,
        3,
        2,
        1,
    ]
    assert isinstance(first["events"][0]["timestamp"], datetime)
    without_data = skip_engine.get_execution_history(arn, include_execution_data=False)["events"]
    assert "input" not in without_data[0]["executionStartedEventDetails"]


def test_stop_execution_aborts_a_running_execution(virtual_engine: Engine, start: Starter) -> None:
    # Given a waiting execution; When stopped with an error and cause
    arn = start(virtual_engine, WAIT)
    virtual_engine.run_until_idle()
    virtual_engine.stop_execution(arn, error="Cancelled", cause="by the user")
    # Then it is ABORTED at once and the timer does not revive it
    described = virtual_engine.describe_execution(arn)
    assert (described["status"], described["error"], described["cause"]) == (
        "ABORTED",
        "Cancelled",
        "by the user",
    )
    virtual_engine.advance(1000)
    assert history_types(virtual_engine, arn)[-1] == "ExecutionAborted"
    assert virtual_engine.describe_execution(arn)["status"] == "ABORTED"


def test_redrive_resumes_from_the_failed_state(skip_engine: Engine, start: Starter) -> None:
    # Given an execution that failed in its second state because a function failed once
    outcomes = iter([RuntimeError("temporary"), {"ok": True}])

    def handler(event: Any, context: Any) -> Any:
        outcome = next(outcomes)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    skip_engine.register_lambda("work", handler)
    definition = {
        "StartAt": "First",
        "States": {
            "First": {"Type": "Pass", "Result": {"step": 1}, "Next": "Work"},
            "Work": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:work",
                "End": True,
            },
        },
    }
    arn = start(skip_engine, definition)
    skip_engine.run_until_idle()
    assert skip_engine.describe_execution(arn)["status"] == "FAILED"
    # When redriven
    redrive_and_run(skip_engine, arn)
    # Then only the failed state ran again and the execution succeeded
    described = skip_engine.describe_execution(arn)
    assert (described["status"], described["redriveCount"]) == ("SUCCEEDED", 1)
    types = history_types(skip_engine, arn)
    assert types.count("PassStateEntered") == 1
    assert "ExecutionRedriven" in types
    assert output_of(skip_engine, arn) == {"ok": True}
    assert _code(lambda: skip_engine.redrive_execution(arn)) == "ExecutionNotRedrivable"


def test_express_start_sync_execution_returns_the_result(skip_engine: Engine) -> None:
    # Given an EXPRESS machine with a wait; When started synchronously
    definition = {
        "StartAt": "W",
        "States": {
            "W": {"Type": "Wait", "Seconds": 5, "Next": "P"},
            "P": {"Type": "Pass", "Result": "done", "End": True},
        },
    }
    machine = skip_engine.create_state_machine(
        name="E", definition=json.dumps(definition), role_arn=ROLE_ARN, type="EXPRESS"
    )
    result = skip_engine.start_sync_execution(machine["stateMachineArn"], input="{}")
    # Then the response carries the final status and output
    assert (result["status"], result["output"]) == ("SUCCEEDED", '"done"')
    assert ":express:E:" in result["executionArn"]


def test_running_executions_keep_their_definition_after_an_update(virtual_engine: Engine) -> None:
    # Given an execution waiting in version 1 of a machine
    version_1 = {
        "StartAt": "W",
        "States": {
            "W": {"Type": "Wait", "Seconds": 10, "Next": "P"},
            "P": {"Type": "Pass", "Result": 1, "End": True},
        },
    }
    version_2 = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": 2, "End": True}}}
    machine = virtual_engine.create_state_machine(
        name="M", definition=json.dumps(version_1), role_arn=ROLE_ARN
    )["stateMachineArn"]
    arn = virtual_engine.start_execution(machine)["executionArn"]
    # When the machine is updated and time passes
    virtual_engine.update_state_machine(machine, definition=json.dumps(version_2))
    virtual_engine.advance(10)
    # Then the old execution finished on version 1, and describe shows version 2
    assert output_of(virtual_engine, arn) == 1
    assert json.loads(virtual_engine.describe_state_machine(machine)["definition"]) == version_2
    assert json.loads(virtual_engine.describe_state_machine_for_execution(arn)["definition"]) == version_1


def test_tags_can_be_added_listed_and_removed(virtual_engine: Engine) -> None:
    # Given a state machine; When tagged, untagged and over-tagged; Then tags follow and limits apply
    machine = virtual_engine.create_state_machine(name="M", definition=json.dumps(PASS), role_arn=ROLE_ARN)[
        "stateMachineArn"
    ]
    virtual_engine.tag_resource(machine, tags=[{"key": "a", "value": "1"}, {"key": "b", "value": "2"}])
    virtual_engine.untag_resource(machine, tag_keys=["a"])
    assert virtual_engine.list_tags_for_resource(machine)["tags"] == [{"key": "b", "value": "2"}]
    too_many = [{"key": f"k{i}", "value": "v"} for i in range(60)]
    assert _code(lambda: virtual_engine.tag_resource(machine, tags=too_many)) == "TooManyTags"


def test_an_aborted_execution_can_be_redriven_from_where_it_stopped(
    virtual_engine: Engine, start: Starter
) -> None:
    # Given an execution stopped while waiting
    arn = start(virtual_engine, WAIT)
    virtual_engine.run_until_idle()
    virtual_engine.stop_execution(arn)
    # When redriven and the wait elapses; Then it succeeds with one redrive counted
    virtual_engine.redrive_execution(arn)
    virtual_engine.advance(100)
    described = virtual_engine.describe_execution(arn)
    assert (described["status"], described["redriveCount"]) == ("SUCCEEDED", 1)
    assert history_types(virtual_engine, arn)[-3:] == [
        "WaitStateEntered",
        "WaitStateExited",
        "ExecutionSucceeded",
    ]
