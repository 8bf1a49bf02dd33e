"""List pages stay consistent while the list changes between two calls: no item twice, none skipped."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from local.engine import Engine
from tests.local.sfn_api.helpers import ROLE_ARN, definition, wait_for_event, wait_machine

Names = Callable[[str], str]


def _waiting_machine(sfn: Any, name: str) -> str:
    arn: str = sfn.create_state_machine(name=name, definition=wait_machine(3600), roleArn=ROLE_ARN)[
        "stateMachineArn"
    ]
    return arn


def _start(sfn: Any, machine_arn: str, names: list[str]) -> None:
    for name in names:
        sfn.start_execution(stateMachineArn=machine_arn, name=name)


def test_executions_started_between_pages_neither_repeat_nor_hide_one(sfn: Any, unique_name: Names) -> None:
    # Given seven executions, all started at the same moment of the virtual clock
    machine_arn = _waiting_machine(sfn, unique_name("Paged"))
    existing = [f"run-{i}" for i in range(7)]
    _start(sfn, machine_arn, existing)
    # When they are listed two per page, and three more executions start before each next page
    seen: list[str] = []
    page = sfn.list_executions(stateMachineArn=machine_arn, maxResults=2)
    seen += [e["name"] for e in page["executions"]]
    for round_ in range(1, 10):  # bounded: pages that shifted under new executions would never end
        if "nextToken" not in page:
            break
        _start(sfn, machine_arn, [f"late-{round_}-{i}" for i in range(3)])
        page = sfn.list_executions(stateMachineArn=machine_arn, maxResults=2, nextToken=page["nextToken"])
        seen += [e["name"] for e in page["executions"]]
    # Then the pages end, and every execution that was there is listed exactly once, newest first
    assert "nextToken" not in page
    assert len(seen) == len(set(seen))
    assert set(existing) <= set(seen)
    assert seen[: len(existing)] == list(reversed(existing))


def test_executions_that_leave_a_status_filter_between_pages_skip_no_other(
    sfn: Any, unique_name: Names
) -> None:
    # Given six running executions
    machine_arn = _waiting_machine(sfn, unique_name("Filtered"))
    names = [f"run-{i}" for i in range(6)]
    _start(sfn, machine_arn, names)
    # When RUNNING ones are listed two per page, and each page's executions are stopped before the next
    seen: list[str] = []
    token: str | None = None
    while True:
        arguments: dict[str, Any] = {
            "stateMachineArn": machine_arn,
            "statusFilter": "RUNNING",
            "maxResults": 2,
        }
        if token is not None:
            arguments["nextToken"] = token
        page = sfn.list_executions(**arguments)
        seen += [e["name"] for e in page["executions"]]
        for execution in page["executions"]:
            sfn.stop_execution(executionArn=execution["executionArn"])
        token = page.get("nextToken")
        if token is None:
            break
    # Then all six were listed, once each
    assert sorted(seen) == sorted(names)
    assert len(seen) == len(names)


def test_history_pages_newest_first_while_the_execution_adds_events(
    sfn: Any, engine: Engine, unique_name: Names
) -> None:
    # Given an execution waiting in a Wait state (four events so far)
    machine_arn = _waiting_machine(sfn, unique_name("History"))
    execution_arn = sfn.start_execution(stateMachineArn=machine_arn)["executionArn"]
    wait_for_event(sfn, execution_arn, "WaitStateEntered")
    # When its history is read newest first, one event per page, and the execution ends after the first page
    first = sfn.get_execution_history(executionArn=execution_arn, reverseOrder=True, maxResults=1)
    engine.advance(timedelta(hours=1))
    ids = [e["id"] for e in first["events"]]
    page = first
    while "nextToken" in page:
        page = sfn.get_execution_history(
            executionArn=execution_arn, reverseOrder=True, maxResults=1, nextToken=page["nextToken"]
        )
        ids += [e["id"] for e in page["events"]]
    # Then the pages go on from where the first ended, down to the first event
    assert ids == list(range(ids[0], 0, -1))


def test_state_machines_changing_between_pages_neither_repeat_nor_hide_one(
    sfn: Any, unique_name: Names
) -> None:
    # Given four state machines
    created = [_waiting_machine(sfn, unique_name("Listed")) for _ in range(4)]
    # When they are listed one per page, and before each next page the one just listed is deleted and a new
    # state machine is created
    seen: list[str] = []
    page = sfn.list_state_machines(maxResults=1)
    for _ in range(10):
        listed = [m["stateMachineArn"] for m in page["stateMachines"]]
        seen += listed
        if "nextToken" not in page:
            break
        sfn.delete_state_machine(stateMachineArn=listed[0])
        _waiting_machine(sfn, unique_name("Late"))
        page = sfn.list_state_machines(maxResults=1, nextToken=page["nextToken"])
    # Then each of the four is listed once, in the order they were created
    assert seen[:4] == created
    assert len(seen) == len(set(seen))


def test_a_token_is_refused_by_another_list(sfn: Any, unique_name: Names) -> None:
    # Given a token of one state machine's executions
    one = _waiting_machine(sfn, unique_name("One"))
    other = sfn.create_state_machine(
        name=unique_name("Other"),
        definition=definition({"P": {"Type": "Pass", "End": True}}, "P"),
        roleArn=ROLE_ARN,
    )["stateMachineArn"]
    _start(sfn, one, ["a", "b"])
    token = sfn.list_executions(stateMachineArn=one, maxResults=1)["nextToken"]
    # When it is given to another list, or tampered with; Then InvalidToken
    forged = base64.urlsafe_b64encode(json.dumps({"after": [1]}).encode()).decode()
    for call in (
        lambda: sfn.list_executions(stateMachineArn=other, maxResults=1, nextToken=token),
        lambda: sfn.list_state_machines(maxResults=1, nextToken=token),
        lambda: sfn.list_executions(stateMachineArn=one, maxResults=1, nextToken=forged),
    ):
        with pytest.raises(ClientError) as caught:
            call()
        assert caught.value.response["Error"]["Code"] == "InvalidToken"
