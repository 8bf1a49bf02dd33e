"""The front door against bad input, leaks and API details: handler events -> moto Step Functions."""

from __future__ import annotations

import base64
import io
import json
import logging
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from functions.scheduled_requests.front_door import adapters as front_door_adapters
from functions.scheduled_requests.front_door import handler as front_door
from functions.scheduled_requests.front_door.logic import ScheduleService
from functions.scheduled_requests.processor import handler as processor
from tests.integration.scheduled_requests.conftest import (
    INSTANT_PROCESSING,
    LambdaContextStub,
    ScheduleApi,
    StandInMachine,
    in_an_hour,
    rest_event,
)


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def post_raw(body: bytes, content_type: str = "application/json") -> tuple[int, dict[str, Any]]:
    """POST bytes as API Gateway hands them over: UTF-8 as text, anything else base64-encoded."""
    try:
        event = rest_event(
            "POST", "/schedules", body=body.decode("utf-8"), headers={"Content-Type": content_type}
        )
    except UnicodeDecodeError:
        event = rest_event(
            "POST", "/schedules", body=base64.b64encode(body).decode(), headers={"Content-Type": content_type}
        )
        event["isBase64Encoded"] = True
    response = front_door.handler(event, LambdaContextStub())
    return response["statusCode"], json.loads(response["body"])


@dataclass(frozen=True)
class BadInput:
    body: bytes
    status: int
    error: str
    field: str
    content_type: str = "application/json"


def body(template: str, *, encoding: str = "utf-8", nesting: int = 0) -> bytes:
    """The template with LATER an hour from now and NESTED that many levels of arrays."""
    return template.replace("LATER", in_an_hour()).replace("NESTED", nested(nesting)).encode(encoding)


CAFE = '{"triggerAt": "LATER", "payload": {"name": "café"}}'
DEEP = '{"triggerAt": "LATER", "payload": {"a": NESTED}}'
BAD_INPUT: dict[str, Callable[[], BadInput]] = {
    "not UTF-8": lambda: BadInput(body(CAFE, encoding="latin-1"), 400, "INVALID_JSON", "body"),
    "declared ISO-8859-1": lambda: BadInput(
        body(CAFE, encoding="latin-1"),
        415,
        "UNSUPPORTED_MEDIA_TYPE",
        "Content-Type",
        "application/json; charset=iso-8859-1",
    ),
    "payload 256 levels deep": lambda: BadInput(body(DEEP, nesting=256), 400, "INVALID_FIELD", "payload"),
    "payload 20,000 levels deep": lambda: BadInput(
        body(DEEP, nesting=20_000), 400, "INVALID_FIELD", "payload"
    ),
    "triggerAt twice": lambda: BadInput(
        body('{"triggerAt": "2020-01-01T00:00:00Z", "triggerAt": "LATER", "payload": {}}'),
        400,
        "DUPLICATE_KEY",
        "triggerAt",
    ),
    "snake_case trigger_at": lambda: BadInput(
        body('{"trigger_at": "LATER", "payload": {}}'), 400, "UNKNOWN_FIELD", "trigger_at"
    ),
}


@pytest.mark.parametrize("case", BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_bad_input_is_a_4xx_naming_the_field_and_starts_nothing(
    state_machine: StandInMachine, case: Callable[[], BadInput]
) -> None:
    # Given a request the front door must refuse (built now: triggerAt is an hour from now)
    bad = case()

    # When it is posted
    status, body = post_raw(bad.body, bad.content_type)

    # Then it is refused with the status, code and field, a reason, and no execution exists
    assert (status, body["error"], body["field"]) == (bad.status, bad.error, bad.field)
    assert body["message"]
    assert state_machine.executions() == []


def test_an_execution_started_outside_the_api_is_not_found_rather_than_a_500(
    api: ScheduleApi, state_machine: StandInMachine
) -> None:
    # Given an execution of the state machine started directly, with input {}
    name = str(uuid.uuid4())
    state_machine.client.start_execution(stateMachineArn=state_machine.arn, name=name, input="{}")

    # When it is read and cancelled / Then both answer 404 in the error shape
    for answer in (api.get(name), api.delete(name)):
        assert (answer.status, answer.body["error"]) == (404, "NOT_FOUND")


class LogLines:
    """What the front door's logger wrote since the last read, as parsed JSON lines."""

    def __init__(self) -> None:
        self.buffer = io.StringIO()

    def read(self) -> list[dict[str, Any]]:
        text, self.buffer = self.buffer.getvalue(), io.StringIO()
        self.handler.setStream(self.buffer)
        return [json.loads(line) for line in text.splitlines() if line.startswith("{")]

    handler: logging.StreamHandler[Any]


@pytest.fixture
def front_door_log() -> Iterator[LogLines]:
    """Redirects the front door logger's handler (bound to stdout at import) into a buffer."""
    lines = LogLines()
    handler = front_door.logger.registered_handler
    assert isinstance(handler, logging.StreamHandler)
    lines.handler = handler
    original = handler.setStream(lines.buffer)
    yield lines
    handler.setStream(original)


LAMBDA_ERROR = {
    "errorMessage": "simulated permanent failure on attempt 4",
    "errorType": "PermanentProcessingError",
    "requestId": "5b8e5a2c-0000-4000-8000-000000000001",
    "stackTrace": [
        '  File "/var/task/functions/scheduled_requests/processor/logic.py", line 33, in process_request\n'
        '    raise PermanentProcessingError(f"simulated permanent failure on attempt {request.attempt}")\n'
    ]
    * 12,
}
FAILED_CAUSE = f"PermanentProcessingError on attempt 4: {json.dumps(LAMBDA_ERROR)}"


@pytest.fixture
def failing_machine(
    monkeypatch: pytest.MonkeyPatch, state_machine: StandInMachine
) -> Iterator[StandInMachine]:
    """A stand-in whose executions wait, then fail with the cause ScheduledRequestFailed reports."""
    definition = {
        "StartAt": "WaitUntilTriggerAt",
        "States": {
            "WaitUntilTriggerAt": {"Type": "Wait", "TimestampPath": "$.triggerAt", "Next": "Failed"},
            "Failed": {"Type": "Fail", "Error": "ScheduledRequestFailed", "Cause": FAILED_CAUSE},
        },
    }
    arn = state_machine.client.create_state_machine(
        name=f"Failing-{uuid.uuid4().hex[:12]}",
        definition=json.dumps(definition),
        roleArn="arn:aws:iam::123456789012:role/scheduled-request",
    )["stateMachineArn"]
    monkeypatch.setenv("STATE_MACHINE_ARN", arn)
    front_door.schedule_service.cache_clear()
    front_door_adapters.stepfunctions_client.cache_clear()
    yield StandInMachine(arn, state_machine.client)
    front_door.schedule_service.cache_clear()


def test_a_failed_schedule_answers_a_short_cause_and_logs_the_full_one_with_the_request_id(
    failing_machine: StandInMachine, api: ScheduleApi, front_door_log: LogLines
) -> None:
    # Given a schedule whose processing failed with a Lambda error and its stack trace
    schedule_id = api.post({"triggerAt": datetime.now(UTC).isoformat(), "payload": {}}).body["scheduleId"]
    api.wait_for_status(schedule_id, "FAILED")
    front_door_log.read()

    # When it is read
    event = rest_event("GET", f"/schedules/{schedule_id}", schedule_id=schedule_id)
    response = front_door.handler(event, LambdaContextStub())
    body = json.loads(response["body"])

    # Then the answer names the error and a short cause, without the stack trace or any file
    assert response["statusCode"] == 200
    assert body["error"] == "ScheduledRequestFailed"
    assert body["cause"] == "PermanentProcessingError on attempt 4: simulated permanent failure on attempt 4"
    assert "stackTrace" not in response["body"]
    assert "/var/task" not in response["body"]

    # And the log has the full cause, under the API Gateway request id
    detail = [line for line in front_door_log.read() if line.get("cause") == FAILED_CAUSE]
    assert [line["correlation_id"] for line in detail] == [event["requestContext"]["requestId"]]


def test_log_keys_of_one_request_do_not_leak_into_the_next(
    api: ScheduleApi, front_door_log: LogLines
) -> None:
    # Given a request that logged with its schedule_id
    created = api.post({"triggerAt": in_an_hour(), "payload": INSTANT_PROCESSING})
    assert created.body["scheduleId"] in [line.get("schedule_id") for line in front_door_log.read()]

    # When an unrelated request is handled by the same execution environment
    front_door.handler(rest_event("PUT", "/schedules"), LambdaContextStub())

    # Then none of its log lines carries the earlier schedule_id
    second = front_door_log.read()
    assert second
    assert [line.get("schedule_id") for line in second] == [None] * len(second)


def test_the_processor_does_not_keep_the_previous_schedules_correlation_id(idempotency_table: str) -> None:
    # Given the processor handled a schedule
    event = {"scheduleId": "s-1", "triggerAt": "2030-01-01T10:00:00Z", "payload": {}, "attempt": 2}
    processor.handler(event, LambdaContextStub())

    # When the next invocation's event is malformed (it fails before naming its own schedule)
    with pytest.raises(ValueError):
        processor.handler({"attempt": 1}, LambdaContextStub())

    # Then the logger no longer speaks for the first schedule
    assert processor.logger.get_correlation_id() is None
    assert "attempt" not in processor.logger.get_current_keys()


def test_an_unexpected_error_answers_500_without_details_and_logs_them(
    api: ScheduleApi, front_door_log: LogLines, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a service that fails in a way no rule of the API names
    def broken_read(_service: ScheduleService, _schedule_id: str) -> Any:
        raise KeyError("/var/task/functions/internal-detail")

    monkeypatch.setattr(ScheduleService, "get", broken_read)
    front_door_log.read()

    # When a schedule is read
    answer = api.get(str(uuid.uuid4()))

    # Then the answer is a 500 that says nothing about the failure
    assert answer.status == 500
    assert answer.body == {"error": "INTERNAL_ERROR", "message": "internal error; it has been logged"}

    # And the log has the error and its stack trace
    logged = [line for line in front_door_log.read() if line.get("error_type") == "KeyError"]
    assert len(logged) == 1
    assert "internal-detail" in logged[0]["exception"]
