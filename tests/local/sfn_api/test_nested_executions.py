"""Nested executions through boto3: a parent's `states:startExecution.sync:2` task and a child that fails."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.local.sfn_api.helpers import ROLE_ARN, definition, wait_for_event, wait_for_status, wait_machine


def _parent(sfn: Any, name: str, child_arn: str) -> str:
    machine = definition(
        {
            "RunChild": {
                "Type": "Task",
                "Resource": "arn:aws:states:::states:startExecution.sync:2",
                "Arguments": {"StateMachineArn": child_arn, "Input": "{% $states.input %}"},
                "End": True,
            }
        },
        "RunChild",
    )
    parent = json.loads(machine) | {"QueryLanguage": "JSONata"}
    created = sfn.create_state_machine(name=name, definition=json.dumps(parent), roleArn=ROLE_ARN)
    return str(created["stateMachineArn"])


def test_a_sync_2_parent_answers_the_child_description(sfn: Any, unique_name: Callable[[str], str]) -> None:
    # Given a child that passes its input through and a parent that runs it and waits
    child = sfn.create_state_machine(name=unique_name("child"), definition=wait_machine(0), roleArn=ROLE_ARN)[
        "stateMachineArn"
    ]
    parent = _parent(sfn, unique_name("parent"), child)
    # When the parent runs
    arn = sfn.start_execution(stateMachineArn=parent, input='{"order": 7}')["executionArn"]
    described = wait_for_status(sfn, arn)
    # Then its output is the child's description with the child's output as JSON
    assert described["status"] == "SUCCEEDED"
    output = json.loads(described["output"])
    assert output["Output"] == {"order": 7}
    assert output["Status"] == "SUCCEEDED"
    child_described = sfn.describe_execution(executionArn=output["ExecutionArn"])
    assert child_described["status"] == "SUCCEEDED"
    assert "mapRunArn" not in child_described


def test_stopping_the_parent_stops_the_child(sfn: Any, unique_name: Callable[[str], str]) -> None:
    # Given a parent waiting on a child that waits an hour
    child = sfn.create_state_machine(
        name=unique_name("child"), definition=wait_machine(3600), roleArn=ROLE_ARN
    )["stateMachineArn"]
    arn = sfn.start_execution(stateMachineArn=_parent(sfn, unique_name("parent"), child))["executionArn"]
    wait_for_event(sfn, arn, "TaskSubmitted")
    submitted = [
        e for e in sfn.get_execution_history(executionArn=arn)["events"] if e["type"] == "TaskSubmitted"
    ]
    child_arn = json.loads(submitted[0]["taskSubmittedEventDetails"]["output"])["ExecutionArn"]
    # When the parent is stopped
    sfn.stop_execution(executionArn=arn)
    # Then the child is stopped too
    assert wait_for_status(sfn, child_arn)["status"] == "ABORTED"
