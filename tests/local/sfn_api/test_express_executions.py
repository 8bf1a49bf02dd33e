"""Express executions through boto3, shaped as AWS shapes them: an `express:MACHINE:NAME:ID` ARN from
StartExecution and StartSyncExecution, and the operations that read, stop or redrive an execution, or list a
machine's executions, refusing Express ones; Express definitions that name an activity or a `.sync` or
`.waitForTaskToken` integration refused at create."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.local.sfn_api.helpers import ROLE_ARN, definition, make_client, pass_chain_machine, wait_machine

Names = Callable[[str], str]
EXPRESS_ARN = re.compile(
    r"^arn:aws:states:[a-z0-9-]+:\d{12}:express:(?P<machine>[^:]+):(?P<name>[^:]+):[0-9a-f-]{36}$"
)
ACTIVITY_ARN = "arn:aws:states:us-east-1:123456789012:activity:Worker"


def _create(sfn: Any, name: str, machine_definition: str, machine_type: str) -> str:
    arn: str = sfn.create_state_machine(
        name=name, definition=machine_definition, roleArn=ROLE_ARN, type=machine_type
    )["stateMachineArn"]
    return arn


def _error(call: Callable[[], Any]) -> dict[str, str]:
    with pytest.raises(ClientError) as raised:
        call()
    error: dict[str, str] = raised.value.response["Error"]
    return error


def _task(resource: str) -> str:
    return definition({"Work": {"Type": "Task", "Resource": resource, "End": True}}, "Work")


def test_start_execution_of_an_express_machine_answers_an_express_arn(sfn: Any, unique_name: Names) -> None:
    # Given an Express state machine
    machine_name = unique_name("Express")
    machine_arn = _create(sfn, machine_name, pass_chain_machine(1), "EXPRESS")

    # When two executions are started with the same name
    first = sfn.start_execution(stateMachineArn=machine_arn, name="run", input="{}")["executionArn"]
    second = sfn.start_execution(stateMachineArn=machine_arn, name="run", input="{}")["executionArn"]

    # Then each has an Express ARN of its own, naming the machine and the execution
    for arn in (first, second):
        match = EXPRESS_ARN.match(arn)
        assert match is not None, arn
        assert (match["machine"], match["name"]) == (machine_name, "run")
    assert first != second


def test_start_sync_execution_answers_an_express_arn(endpoint_url: str, unique_name: Names) -> None:
    # Given an Express state machine, and a client that does not prefix the host with "sync-"
    sfn = make_client(endpoint_url, inject_host_prefix=False)
    machine_name = unique_name("Express")
    machine_arn = _create(sfn, machine_name, pass_chain_machine(1), "EXPRESS")

    # When it runs synchronously
    result = sfn.start_sync_execution(stateMachineArn=machine_arn, name="sync-run", input='{"a": 1}')

    # Then the answer names the execution with an Express ARN
    match = EXPRESS_ARN.match(result["executionArn"])
    assert match is not None, result["executionArn"]
    assert (match["machine"], match["name"], result["name"]) == (machine_name, "sync-run", "sync-run")
    assert (result["status"], json.loads(result["output"])) == ("SUCCEEDED", {"a": 1})


@pytest.mark.parametrize(
    "operation",
    [
        "describe_execution",
        "get_execution_history",
        "stop_execution",
        "redrive_execution",
        "describe_state_machine_for_execution",
    ],
)
def test_operations_on_an_execution_refuse_an_express_one(
    sfn: Any, unique_name: Names, operation: str
) -> None:
    # Given a running Express execution
    machine_arn = _create(sfn, unique_name("Express"), wait_machine(60), "EXPRESS")
    execution_arn = sfn.start_execution(stateMachineArn=machine_arn)["executionArn"]

    # When an operation on one execution is called with its ARN
    error = _error(lambda: getattr(sfn, operation)(executionArn=execution_arn))

    # Then it is refused as AWS refuses it: Step Functions keeps no record of Express executions
    assert error["Code"] == "InvalidArn"
    assert error["Message"] == "Invalid Arn: 'Resource type not valid in this context: express'"


def test_list_executions_refuses_an_express_machine(sfn: Any, unique_name: Names) -> None:
    # Given an Express state machine that has run
    machine_arn = _create(sfn, unique_name("Express"), pass_chain_machine(1), "EXPRESS")
    sfn.start_execution(stateMachineArn=machine_arn)

    # When its executions are listed
    error = _error(lambda: sfn.list_executions(stateMachineArn=machine_arn))

    # Then
    assert error["Code"] == "StateMachineTypeNotSupported"


def test_start_sync_execution_refuses_a_standard_machine(endpoint_url: str, unique_name: Names) -> None:
    # Given a Standard state machine
    sfn = make_client(endpoint_url, inject_host_prefix=False)
    machine_arn = _create(sfn, unique_name("Standard"), pass_chain_machine(1), "STANDARD")

    # When it is started synchronously
    error = _error(lambda: sfn.start_sync_execution(stateMachineArn=machine_arn))

    # Then it is refused, and nothing ran
    assert error["Code"] == "StateMachineTypeNotSupported"
    assert sfn.list_executions(stateMachineArn=machine_arn)["executions"] == []


def test_a_standard_execution_keeps_its_arn_and_answers(sfn: Any, unique_name: Names) -> None:
    # Given a Standard state machine; When it runs
    machine_name = unique_name("Standard")
    machine_arn = _create(sfn, machine_name, pass_chain_machine(1), "STANDARD")
    execution_arn = sfn.start_execution(stateMachineArn=machine_arn, name="run")["executionArn"]

    # Then its ARN is the Standard form, and it is described and listed
    assert execution_arn.endswith(f":execution:{machine_name}:run")
    assert sfn.describe_execution(executionArn=execution_arn)["name"] == "run"
    assert [e["executionArn"] for e in sfn.list_executions(stateMachineArn=machine_arn)["executions"]] == [
        execution_arn
    ]


@pytest.mark.parametrize(
    ("resource", "message"),
    [
        (ACTIVITY_ARN, "Express state machine does not support Activity ARN"),
        (
            "arn:aws:states:::lambda:invoke.waitForTaskToken",
            # AWS's message has a trailing space here, hence two before "at" in the refusal
            "Express state machine does not support '.waitForTaskToken' service integration ",
        ),
        (
            "arn:aws:states:::states:startExecution.sync:2",
            "Express state machine does not support '.sync' service integration",
        ),
    ],
)
def test_an_express_machine_refuses_what_it_cannot_run(
    sfn: Any, unique_name: Names, resource: str, message: str
) -> None:
    # Given a Task an Express workflow cannot run
    task = _task(resource)

    # When an Express machine is created with it, and when it is validated as Express and as Standard
    error = _error(lambda: _create(sfn, unique_name("Express"), task, "EXPRESS"))
    as_express = sfn.validate_state_machine_definition(definition=task, type="EXPRESS")
    as_standard = sfn.validate_state_machine_definition(definition=task, type="STANDARD")

    # Then creation is refused at the resource, validation flags it for Express only
    assert error["Code"] == "InvalidDefinition"
    assert error["Message"] == (
        f"Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: {message} at /States/Work/Resource'"
    )
    assert as_express["result"] == "FAIL"
    assert [d["message"] for d in as_express["diagnostics"]] == [message]
    assert as_standard["result"] == "OK"


def test_updating_an_express_machine_to_an_activity_is_refused(sfn: Any, unique_name: Names) -> None:
    # Given an Express machine, and a nested activity in a Parallel branch
    machine_arn = _create(sfn, unique_name("Express"), pass_chain_machine(1), "EXPRESS")
    nested = definition(
        {"Both": {"Type": "Parallel", "Branches": [json.loads(_task(ACTIVITY_ARN))], "End": True}}, "Both"
    )

    # When the machine is updated to run it
    error = _error(lambda: sfn.update_state_machine(stateMachineArn=machine_arn, definition=nested))

    # Then the update is refused, pointing into the branch, and the machine is unchanged
    assert error["Code"] == "InvalidDefinition"
    assert "at /States/Both/Branches[0]/States/Work/Resource" in error["Message"]
    assert sfn.describe_state_machine(stateMachineArn=machine_arn)["definition"] == pass_chain_machine(1)
