"""Map Runs through boto3: a Distributed Map's run listed, described and updated, and its child executions."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from local.engine import Engine
from tests.local.sfn_api.helpers import ROLE_ARN, wait_for_event, wait_for_status

ITEMS = [1, 2, 3]
UNKNOWN_RUN = "arn:aws:states:us-east-1:123456789012:mapRun:Machine/Label:no-such-run"


def _fanout(sfn: Any, name: str) -> str:
    """A Distributed Map over its input, one child at a time, each child waiting a minute."""
    processor = {
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
        "StartAt": "Wait",
        "States": {"Wait": {"Type": "Wait", "Seconds": 60, "End": True}},
    }
    state = {"Type": "Map", "ItemProcessor": processor, "MaxConcurrency": 1, "Label": "Item", "End": True}
    definition = json.dumps({"StartAt": "Fanout", "States": {"Fanout": state}})
    return str(
        sfn.create_state_machine(name=name, definition=definition, roleArn=ROLE_ARN)["stateMachineArn"]
    )


def test_a_map_run_is_listed_described_and_updated(
    sfn: Any, engine: Engine, unique_name: Callable[[str], str]
) -> None:
    # Given a running Distributed Map of three items, one child at a time
    machine = _fanout(sfn, unique_name("fanout"))
    arn = sfn.start_execution(stateMachineArn=machine, input=json.dumps(ITEMS))["executionArn"]
    wait_for_event(sfn, arn, "MapRunStarted")
    # When its runs are listed and the run is described
    (listed,) = sfn.list_map_runs(executionArn=arn)["mapRuns"]
    run_arn = listed["mapRunArn"]
    described = sfn.describe_map_run(mapRunArn=run_arn)
    # Then the run is running one child with two items pending
    assert listed["executionArn"] == arn
    assert listed["stateMachineArn"] == f"{machine}/Item"
    assert described["status"] == "RUNNING"
    assert described["maxConcurrency"] == 1
    counts = described["executionCounts"]
    assert (counts["running"], counts["pending"], counts["total"]) == (1, 2, 3)
    # When its concurrency is raised
    sfn.update_map_run(mapRunArn=run_arn, maxConcurrency=3)
    # Then the other two children start, and ListExecutions lists all three under the run
    children = sfn.list_executions(mapRunArn=run_arn)["executions"]
    assert len(children) == 3
    assert {child["mapRunArn"] for child in children} == {run_arn}
    # And once the minute passes every child and the parent succeed
    engine.advance(timedelta(seconds=60))
    assert wait_for_status(sfn, arn)["status"] == "SUCCEEDED"
    child = sfn.describe_execution(executionArn=children[0]["executionArn"])
    assert (child["status"], child["mapRunArn"]) == ("SUCCEEDED", run_arn)
    history = sfn.get_execution_history(executionArn=children[0]["executionArn"])["events"]
    assert [event["type"] for event in history][-1] == "ExecutionSucceeded"
    assert sfn.describe_map_run(mapRunArn=run_arn)["status"] == "SUCCEEDED"


@pytest.mark.parametrize(
    ("call", "code"),
    [
        (lambda sfn: sfn.describe_map_run(mapRunArn=UNKNOWN_RUN), "ResourceNotFound"),
        (lambda sfn: sfn.update_map_run(mapRunArn=UNKNOWN_RUN, maxConcurrency=2), "ResourceNotFound"),
        (lambda sfn: sfn.update_map_run(mapRunArn="arn:aws:states:x", maxConcurrency=2), "InvalidArn"),
        (lambda sfn: sfn.list_executions(mapRunArn=UNKNOWN_RUN), "ResourceNotFound"),
    ],
    ids=["describe-unknown", "update-unknown", "update-malformed", "list-children-of-unknown"],
)
def test_map_run_operations_refuse_what_is_not_a_map_run(
    sfn: Any, call: Callable[[Any], Any], code: str
) -> None:
    with pytest.raises(ClientError) as refused:
        call(sfn)
    assert refused.value.response["Error"]["Code"] == code
