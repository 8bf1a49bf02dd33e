"""The Step Functions API over real HTTP, driven by real boto3 clients as an application would."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC
from typing import Any

import pytest

from tests.local.sfn_api.helpers import (
    CLOCK_START,
    ROLE_ARN,
    definition,
    http_json,
    make_client,
    pass_chain_machine,
    wait_for_event,
    wait_for_status,
    wait_machine,
)

Names = Callable[[str], str]
TARGET = "AWSStepFunctions."


def create_machine(sfn: Any, name: str, machine_definition: str) -> str:
    arn: str = sfn.create_state_machine(name=name, definition=machine_definition, roleArn=ROLE_ARN)[
        "stateMachineArn"
    ]
    return arn


def test_state_machines_can_be_created_described_and_listed(sfn: Any, unique_name: Names) -> None:
    # Given a definition
    name = unique_name("Machine")
    machine_definition = pass_chain_machine(2)

    # When it is created
    created = sfn.create_state_machine(name=name, definition=machine_definition, roleArn=ROLE_ARN)

    # Then describe and list show it as AWS would
    described = sfn.describe_state_machine(stateMachineArn=created["stateMachineArn"])
    assert created["stateMachineArn"] == f"arn:aws:states:us-east-1:123456789012:stateMachine:{name}"
    assert created["creationDate"].tzinfo is not None
    assert described["name"] == name
    assert described["status"] == "ACTIVE"
    assert described["type"] == "STANDARD"
    assert described["roleArn"] == ROLE_ARN
    assert json.loads(described["definition"]) == json.loads(machine_definition)
    listed = sfn.list_state_machines()["stateMachines"]
    assert created["stateMachineArn"] in [machine["stateMachineArn"] for machine in listed]


def test_state_machine_list_pages_with_next_token(sfn: Any, unique_name: Names) -> None:
    # Given three state machines
    arns = {create_machine(sfn, unique_name(f"Paged{i}"), pass_chain_machine(1)) for i in range(3)}

    # When they are listed one per page
    seen: list[str] = []
    kwargs: dict[str, Any] = {"maxResults": 1}
    while True:
        page = sfn.list_state_machines(**kwargs)
        assert len(page["stateMachines"]) <= 1
        seen += [machine["stateMachineArn"] for machine in page["stateMachines"]]
        if "nextToken" not in page:
            break
        kwargs["nextToken"] = page["nextToken"]

    # Then every machine appears exactly once
    assert arns <= set(seen)
    assert len(seen) == len(set(seen))


def test_executions_start_run_and_are_described_and_listed(sfn: Any, unique_name: Names) -> None:
    # Given a machine of three Pass states
    machine_arn = create_machine(sfn, unique_name("Runs"), pass_chain_machine(3))

    # When an execution starts with an input
    started = sfn.start_execution(stateMachineArn=machine_arn, name="first-run", input='{"order": 42}')
    finished = wait_for_status(sfn, started["executionArn"])

    # Then it succeeds with its input as output, and list_executions reports it
    assert started["executionArn"].endswith(":execution:" + machine_arn.rsplit(":", 1)[1] + ":first-run")
    assert finished["status"] == "SUCCEEDED"
    assert json.loads(finished["output"]) == {"order": 42}
    assert finished["startDate"] == CLOCK_START.astimezone(finished["startDate"].tzinfo)
    assert finished["stopDate"] >= finished["startDate"]
    listed = sfn.list_executions(stateMachineArn=machine_arn, statusFilter="SUCCEEDED")["executions"]
    assert [execution["name"] for execution in listed] == ["first-run"]
    running = sfn.list_executions(stateMachineArn=machine_arn, statusFilter="RUNNING")["executions"]
    assert running == []


def test_a_waiting_execution_can_be_stopped(sfn: Any, unique_name: Names) -> None:
    # Given an execution waiting an hour on the virtual clock
    machine_arn = create_machine(sfn, unique_name("Stoppable"), wait_machine(3600))
    execution_arn = sfn.start_execution(stateMachineArn=machine_arn)["executionArn"]
    wait_for_event(sfn, execution_arn, "WaitStateEntered")
    assert sfn.describe_execution(executionArn=execution_arn)["status"] == "RUNNING"

    # When it is stopped with an error and a cause
    details = {"error": "Operator.Cancelled", "cause": "no longer needed"}
    stopped = sfn.stop_execution(executionArn=execution_arn, **details)

    # Then it is ABORTED and its history ends with ExecutionAborted carrying both
    described = sfn.describe_execution(executionArn=execution_arn)
    newest = sfn.get_execution_history(executionArn=execution_arn, reverseOrder=True, maxResults=1)
    last_event = newest["events"][0]
    assert stopped["stopDate"].tzinfo is not None
    assert described["status"] == "ABORTED"
    assert last_event["type"] == "ExecutionAborted"
    assert last_event["executionAbortedEventDetails"] == details


def test_history_pages_and_reverse_order_agree_with_the_full_history(sfn: Any, unique_name: Names) -> None:
    # Given a finished execution of five Pass states (2 + 5 * 2 events)
    machine_arn = create_machine(sfn, unique_name("History"), pass_chain_machine(5))
    execution_arn = sfn.start_execution(stateMachineArn=machine_arn, input="{}")["executionArn"]
    wait_for_status(sfn, execution_arn)
    full = sfn.get_execution_history(executionArn=execution_arn)["events"]

    # When it is read three events per page, forwards and backwards
    forwards = read_all_pages(sfn, execution_arn, reverse=False, page_size=3)
    backwards = read_all_pages(sfn, execution_arn, reverse=True, page_size=3)

    # Then the pages add up to the whole history, in either order
    ids = [event["id"] for event in full]
    assert len(full) == 12
    assert ids == list(range(1, 13))
    assert [event["id"] for event in forwards] == ids
    assert [event["id"] for event in backwards] == ids[::-1]
    assert full[0]["type"] == "ExecutionStarted"
    assert full[-1]["type"] == "ExecutionSucceeded"
    assert full[0]["timestamp"].tzinfo is not None


def read_all_pages(sfn: Any, execution_arn: str, *, reverse: bool, page_size: int) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"executionArn": execution_arn, "maxResults": page_size, "reverseOrder": reverse}
    while True:
        page = sfn.get_execution_history(**kwargs)
        assert len(page["events"]) <= page_size
        events += page["events"]
        if "nextToken" not in page:
            return events
        kwargs["nextToken"] = page["nextToken"]


def test_unknown_resources_raise_boto3_exception_classes(sfn: Any, unique_name: Names) -> None:
    # Given ARNs of things that do not exist
    missing_machine = f"arn:aws:states:us-east-1:123456789012:stateMachine:{unique_name('Missing')}"
    missing_execution = f"arn:aws:states:us-east-1:123456789012:execution:{unique_name('Missing')}:run"

    # When / Then each call raises the exception class boto3 generates from the AWS model
    with pytest.raises(sfn.exceptions.StateMachineDoesNotExist):
        sfn.describe_state_machine(stateMachineArn=missing_machine)
    with pytest.raises(sfn.exceptions.ExecutionDoesNotExist) as raised:
        sfn.describe_execution(executionArn=missing_execution)
    assert raised.value.response["Error"]["Code"] == "ExecutionDoesNotExist"
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    with pytest.raises(sfn.exceptions.InvalidArn):
        sfn.describe_execution(executionArn="not-an-arn")


def test_an_invalid_definition_raises_invalid_definition(sfn: Any, unique_name: Names) -> None:
    # Given a definition whose StartAt names no state
    broken = definition({"Only": {"Type": "Pass", "End": True}}, "Missing")

    # When / Then
    with pytest.raises(sfn.exceptions.InvalidDefinition):
        sfn.create_state_machine(name=unique_name("Broken"), definition=broken, roleArn=ROLE_ARN)


def test_a_second_execution_with_a_used_name_and_other_input_is_refused(sfn: Any, unique_name: Names) -> None:
    # Given a running execution named "only-once"
    machine_arn = create_machine(sfn, unique_name("Named"), wait_machine(3600))
    sfn.start_execution(stateMachineArn=machine_arn, name="only-once", input='{"a": 1}')

    # When / Then another start with that name but a different input fails like AWS
    with pytest.raises(sfn.exceptions.ExecutionAlreadyExists):
        sfn.start_execution(stateMachineArn=machine_arn, name="only-once", input='{"a": 2}')


def test_tags_can_be_added_listed_and_removed(sfn: Any, unique_name: Names) -> None:
    # Given a machine with one tag
    machine_arn = sfn.create_state_machine(
        name=unique_name("Tagged"),
        definition=pass_chain_machine(1),
        roleArn=ROLE_ARN,
        tags=[{"key": "team", "value": "payments"}],
    )["stateMachineArn"]

    # When one tag is added and the first removed
    sfn.tag_resource(resourceArn=machine_arn, tags=[{"key": "env", "value": "local"}])
    sfn.untag_resource(resourceArn=machine_arn, tagKeys=["team"])

    # Then only the added tag remains
    assert sfn.list_tags_for_resource(resourceArn=machine_arn)["tags"] == [{"key": "env", "value": "local"}]


def test_start_sync_execution_answers_with_the_result(endpoint_url: str, unique_name: Names) -> None:
    # Given an EXPRESS machine, and a client that does not prefix the host with "sync-" as AWS needs
    sfn = make_client(endpoint_url, inject_host_prefix=False)
    machine_arn = sfn.create_state_machine(
        name=unique_name("Express"), definition=pass_chain_machine(2), roleArn=ROLE_ARN, type="EXPRESS"
    )["stateMachineArn"]

    # When it runs synchronously
    result = sfn.start_sync_execution(stateMachineArn=machine_arn, input='{"x": true}')

    # Then the answer carries the output
    assert result["status"] == "SUCCEEDED"
    assert json.loads(result["output"]) == {"x": True}


def test_unknown_operations_and_missing_parameters_get_aws_error_types(endpoint_url: str) -> None:
    # Given raw AWS JSON 1.0 requests a hand-written client might send
    headers = {"Content-Type": "application/x-amz-json-1.0"}

    # When an operation outside the API is called, and when a required parameter is missing
    unknown = http_json(endpoint_url, {}, {**headers, "X-Amz-Target": f"{TARGET}LaunchRocket"})
    missing = http_json(endpoint_url, {"input": "{}"}, {**headers, "X-Amz-Target": f"{TARGET}StartExecution"})

    # Then
    assert unknown[0] == 400
    assert unknown[1]["__type"] == "UnknownOperationException"
    assert missing[0] == 400
    assert missing[1]["__type"] == "ValidationException"
    assert "stateMachineArn" in missing[1]["message"]


def test_the_clock_endpoint_reports_and_moves_the_virtual_clock(
    sfn: Any, endpoint_url: str, unique_name: Names
) -> None:
    # Given an execution waiting one hour on a virtual clock that starts at 2026-01-01T00:00:00Z
    machine_arn = create_machine(sfn, unique_name("Clocked"), wait_machine(3600))
    execution_arn = sfn.start_execution(stateMachineArn=machine_arn)["executionArn"]
    wait_for_event(sfn, execution_arn, "WaitStateEntered")
    before = http_json(f"{endpoint_url}/_local/clock")

    # When the clock is moved on by an hour, then to a fixed time
    advanced = http_json(f"{endpoint_url}/_local/clock", {"advanceSeconds": 3600})
    status_after_advance = sfn.describe_execution(executionArn=execution_arn)["status"]
    moved = http_json(f"{endpoint_url}/_local/clock", {"to": "2026-01-03T00:00:00+00:00"})

    # Then each answer shows the new time, and the timer that fell due has already run
    assert before == (200, {"now": "2026-01-01T00:00:00Z", "mode": "virtual"})
    assert advanced == (200, {"now": "2026-01-01T01:00:00Z", "mode": "virtual"})
    assert status_after_advance == "SUCCEEDED"
    assert moved == (200, {"now": "2026-01-03T00:00:00Z", "mode": "virtual"})
    stop_date = sfn.describe_execution(executionArn=execution_arn)["stopDate"]
    assert stop_date.astimezone(UTC).isoformat() == "2026-01-01T01:00:00+00:00"


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"advanceSeconds": -5}, "non-negative"),
        ({"advanceSeconds": "soon"}, "non-negative"),
        ({"to": "2025-01-01T00:00:00Z"}, "back"),
        ({"to": "2027-01-01T00:00:00"}, "offset"),
        ({"to": "tomorrow"}, "RFC 3339"),
        ({"advanceSeconds": 1, "to": "2027-01-01T00:00:00Z"}, "exactly one"),
        ({"speed": 2}, "Unknown field"),
    ],
)
def test_the_clock_endpoint_explains_bad_requests(
    endpoint_url: str, body: dict[str, Any], fragment: str
) -> None:
    # Given / When a malformed clock move
    status, answer = http_json(f"{endpoint_url}/_local/clock", body)

    # Then it is refused with a message naming the problem, and the clock did not move
    assert status == 400
    assert fragment in answer["message"]
    assert http_json(f"{endpoint_url}/_local/clock")[1]["now"] == "2026-01-01T00:00:00Z"
