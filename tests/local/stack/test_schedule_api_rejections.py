"""The Schedule API through the local stack's HTTP API: bad input is a 4xx that names the field and starts
no execution; a failure is answered without its stack trace."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import timedelta
from typing import Any

import pytest

from catalog.scheduled_request import SCHEDULED_REQUEST
from local.sfn_api.clock_control import format_rfc3339
from local.stack import LocalStack
from tests.local.stack.conftest import client, clock_now
from tests.local.stack.http_json import TIMEOUT_SECONDS, call

CAFE = '{"triggerAt": "LATER", "payload": {"name": "café"}}'
DEEP = '{"triggerAt": "LATER", "payload": {"a": ' + "[" * 20_000 + "]" * 20_000 + "}}"
CASES = {
    "not UTF-8": (CAFE, "latin-1", 400, "body"),
    "payload 20,000 levels deep": (DEEP, "utf-8", 400, "payload"),
    "triggerAt twice": (
        '{"triggerAt": "2020-01-01T00:00:00Z", "triggerAt": "LATER", "payload": {}}',
        "utf-8",
        400,
        "triggerAt",
    ),
    "snake_case trigger_at": ('{"trigger_at": "LATER", "payload": {}}', "utf-8", 400, "trigger_at"),
}


def post_bytes(url: str, body: bytes) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def execution_count(stack: LocalStack) -> int:
    sfn = client("stepfunctions", stack.addresses.stepfunctions)
    arn = stack.workflows[SCHEDULED_REQUEST.name].state_machine_arn
    return len(sfn.list_executions(stateMachineArn=arn)["executions"])


@pytest.mark.parametrize(("template", "encoding", "status", "field"), CASES.values(), ids=CASES.keys())
def test_bad_input_is_refused_naming_the_field_and_starts_nothing(
    stack: LocalStack, template: str, encoding: str, status: int, field: str
) -> None:
    # Given a request body that would be accepted but for one defect, with triggerAt an hour ahead
    later = format_rfc3339(clock_now(stack.addresses.api) + timedelta(hours=1))
    body = template.replace("LATER", later).encode(encoding)
    before = execution_count(stack)

    # When it is posted over HTTP
    answer_status, answer = post_bytes(f"{stack.addresses.api}/schedules", body)

    # Then the front door refuses it, naming the field and why, and Step Functions lists no new execution
    assert (answer_status, answer["field"]) == (status, field)
    assert answer["message"]
    assert execution_count(stack) == before


def test_a_failed_schedule_is_answered_without_its_stack_trace(stack: LocalStack) -> None:
    api = stack.addresses.api
    # Given a schedule whose every attempt fails in the example processor (a Python exception)
    trigger_at = format_rfc3339(clock_now(api) + timedelta(minutes=5))
    created = call("POST", f"{api}/schedules", {"triggerAt": trigger_at, "payload": {"simulate": "failure"}})

    # When the clock passes its trigger time and every reschedule, and it is read
    call("POST", f"{api}/_local/clock", {"advanceSeconds": 2 * 3600})
    read = call("GET", f"{api}/schedules/{created.body['scheduleId']}")

    # Then the cause names the error and its message, without the stack trace or the processor's files
    assert read.body["status"] == "FAILED"
    cause = read.body["cause"]
    assert cause.startswith("PermanentProcessingError on attempt 4: simulated permanent failure")
    for leaked in ("stackTrace", "File ", ".py", "requestId"):
        assert leaked not in cause
