"""The front door end to end: API Gateway proxy events -> handler -> moto Step Functions."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from functions.common.clock import utc_now
from functions.scheduled_requests.front_door import handler as front_door
from functions.scheduled_requests.front_door.adapters import StepFunctionsExecutions, stepfunctions_client
from functions.scheduled_requests.front_door.logic import ScheduleService
from functions.scheduled_requests.front_door.settings import FrontDoorSettings
from tests.integration.scheduled_requests.conftest import (
    ENDLESS_PROCESSING,
    INSTANT_PROCESSING,
    REPORTS_ARN,
    LambdaContextStub,
    ScheduleApi,
    StandInMachine,
    in_an_hour,
    rest_event,
)


def right_now() -> str:
    return datetime.now(UTC).isoformat()


def test_create_answers_202_and_starts_one_waiting_execution(
    api: ScheduleApi, state_machine: StandInMachine
) -> None:
    # When a schedule is created
    trigger_at = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=2)
    answer = api.post(
        {"triggerAt": trigger_at.astimezone().isoformat(), "payload": {"order": 42}, "target": "reports"}
    )

    # Then the answer is 202 with id, ARN, normalised time, status and Location
    assert answer.status == 202
    schedule_id = answer.body["scheduleId"]
    assert answer.body == {
        "scheduleId": schedule_id,
        "executionArn": state_machine.executions()[0]["executionArn"],
        "triggerAt": trigger_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "status": "SCHEDULED",
    }
    assert answer.headers["Location"] == f"/prod/schedules/{schedule_id}"
    assert answer.headers["Idempotent-Replayed"] == "false"

    # And the execution carries the contract's input
    described = state_machine.client.describe_execution(executionArn=answer.body["executionArn"])
    document = json.loads(described["input"])
    assert described["name"] == schedule_id
    assert document["target"] == {"name": "reports", "functionArn": REPORTS_ARN}
    assert document["payload"] == {"order": 42}
    assert document["triggerAt"] == answer.body["triggerAt"]


def test_get_reads_a_waiting_schedule(api: ScheduleApi) -> None:
    # Given a schedule an hour ahead
    created = api.post({"triggerAt": in_an_hour(), "payload": INSTANT_PROCESSING}).body

    # When it is read
    answer = api.get(created["scheduleId"])

    # Then it is SCHEDULED with its details
    assert answer.status == 200
    assert answer.body["status"] == "SCHEDULED"
    assert answer.body["triggerAt"] == created["triggerAt"]
    assert answer.body["target"] == "example-processor"
    assert {"createdAt", "updatedAt"} <= set(answer.body)
    assert not {"finishedAt", "result", "error"} & set(answer.body)


def test_the_same_key_and_body_answer_the_same_schedule_and_start_nothing_new(
    api: ScheduleApi, state_machine: StandInMachine
) -> None:
    # Given a schedule created with an Idempotency-Key
    body = {"triggerAt": in_an_hour(), "payload": {"n": 1}}
    first = api.post(body, key="order-42")

    # When the same request is sent again
    again = api.post(body, key="order-42")

    # Then the same schedule is answered, flagged as a replay, and there is still one execution
    assert (first.status, again.status) == (202, 202)
    assert again.body == first.body
    assert again.headers["Idempotent-Replayed"] == "true"
    assert len(state_machine.executions()) == 1


def test_a_key_reused_with_another_body_is_409(api: ScheduleApi, state_machine: StandInMachine) -> None:
    # Given a schedule created with a key
    trigger_at = in_an_hour()
    api.post({"triggerAt": trigger_at, "payload": {"n": 1}}, key="order-42")

    # When the key comes back with a different payload
    answer = api.post({"triggerAt": trigger_at, "payload": {"n": 2}}, key="order-42")

    # Then 409 names the header, and nothing new is started
    assert answer.status == 409
    assert answer.body["error"] == "IDEMPOTENCY_KEY_REUSED"
    assert answer.body["field"] == "Idempotency-Key"
    assert len(state_machine.executions()) == 1


def test_the_idempotency_key_header_name_is_case_insensitive(
    api: ScheduleApi, state_machine: StandInMachine
) -> None:
    # Given a schedule created with the header spelled one way
    body = json.dumps({"triggerAt": in_an_hour(), "payload": {}})
    first = api.post(body, key="k")

    # When it is replayed with the header in lower case
    event_headers = {"content-type": "application/json", "idempotency-key": "k"}
    response = front_door.handler(
        rest_event("POST", "/schedules", body=body, headers=event_headers), LambdaContextStub()
    )

    # Then it is recognised as the same schedule
    assert json.loads(response["body"])["scheduleId"] == first.body["scheduleId"]
    assert len(state_machine.executions()) == 1


def test_a_schedule_that_ran_is_succeeded_and_cannot_be_cancelled(
    api: ScheduleApi, state_machine: StandInMachine
) -> None:
    # Given a schedule due now, which the state machine waits for, processes and finishes
    schedule_id = api.post({"triggerAt": right_now(), "payload": INSTANT_PROCESSING}).body["scheduleId"]
    finished = api.wait_for_status(schedule_id, "SUCCEEDED")

    # When it is cancelled
    answer = api.delete(schedule_id)

    # Then 409, and it stays SUCCEEDED with its result
    assert answer.status == 409
    assert answer.body["error"] == "NOT_CANCELLABLE"
    assert finished.body["result"] == {"processed": schedule_id}
    assert "finishedAt" in finished.body
    assert state_machine.executions()[0]["status"] == "SUCCEEDED"


def test_a_replay_of_a_finished_schedule_answers_it_although_its_time_has_passed(
    api: ScheduleApi, state_machine: StandInMachine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a keyed schedule that has run to completion
    body = {"triggerAt": right_now(), "payload": INSTANT_PROCESSING}
    first = api.post(body, key="nightly-report")
    api.wait_for_status(first.body["scheduleId"], "SUCCEEDED")

    # And a front door whose clock reads two days later, so the request's triggerAt is long past
    later = ScheduleService(
        FrontDoorSettings.from_environ(),
        StepFunctionsExecutions(stepfunctions_client(None), state_machine.arn),
        clock=lambda: utc_now() + timedelta(days=2),
    )
    with monkeypatch.context() as patched:
        patched.setattr(front_door, "schedule_service", lambda: later)
        assert api.post({**body, "payload": {"other": 1}}).body["error"] == "TRIGGER_AT_IN_PAST"

        # When the original request is replayed with its key
        again = api.post(body, key="nightly-report")

    # Then it answers the same schedule with its current status, and starts nothing
    assert again.status == 202
    assert again.body["scheduleId"] == first.body["scheduleId"]
    assert again.body["status"] == "SUCCEEDED"
    assert len(state_machine.executions()) == 1


def test_a_waiting_schedule_is_cancelled_and_a_second_cancel_is_409(
    api: ScheduleApi, state_machine: StandInMachine
) -> None:
    # Given a schedule that waits
    schedule_id = api.post({"triggerAt": in_an_hour(), "payload": INSTANT_PROCESSING}).body["scheduleId"]

    # When it is cancelled
    cancelled = api.delete(schedule_id)

    # Then 200 CANCELLED, and the execution is stopped (ABORTED)
    assert cancelled.status == 200
    assert cancelled.body["status"] == "CANCELLED"
    assert cancelled.body["scheduleId"] == schedule_id
    assert "finishedAt" in cancelled.body
    api.wait_for_status(schedule_id, "CANCELLED")
    assert state_machine.executions()[0]["status"] == "ABORTED"

    # And cancelling a cancelled (finished) schedule again is 409
    again = api.delete(schedule_id)
    assert (again.status, again.body["error"]) == (409, "NOT_CANCELLABLE")


def test_a_schedule_being_processed_is_processing_and_cannot_be_cancelled(
    api: ScheduleApi, state_machine: StandInMachine
) -> None:
    # Given a schedule due now whose processing is still under way
    schedule_id = api.post({"triggerAt": right_now(), "payload": ENDLESS_PROCESSING}).body["scheduleId"]
    api.wait_for_status(schedule_id, "PROCESSING")

    # When it is cancelled
    answer = api.delete(schedule_id)

    # Then 409, and the execution keeps running
    assert answer.status == 409
    assert "processing has begun" in answer.body["message"]
    assert state_machine.executions()[0]["status"] == "RUNNING"
    assert api.get(schedule_id).body["attempt"] == 1


def test_a_failed_execution_reads_failed_with_its_error(api: ScheduleApi) -> None:
    # Given a schedule whose processing fails (the stand-in's ProcessRequest finds no end time)
    schedule_id = api.post({"triggerAt": right_now(), "payload": {}}).body["scheduleId"]

    # When it has finished
    answer = api.wait_for_status(schedule_id, "FAILED")

    # Then the error is reported
    assert answer.body["error"]
    assert "result" not in answer.body


@pytest.mark.parametrize(
    "schedule_id",
    ["idem-" + "0" * 64, "0f8fad5b-d9cb-469f-a165-70867728950e", "not-an-id", "x" * 200],
    ids=["unknown keyed id", "unknown random id", "malformed", "too long"],
)
def test_unknown_or_malformed_ids_are_404(api: ScheduleApi, schedule_id: str) -> None:
    # When an id nobody was given is read or cancelled / Then both answer 404
    for answer in (api.get(schedule_id), api.delete(schedule_id)):
        assert answer.status == 404
        assert answer.body["error"] == "NOT_FOUND"


@dataclass(frozen=True)
class Rejection:
    body: Any
    status: int
    error: str
    field: str
    content_type: str | None = "application/json"


LATER = "IN_AN_HOUR"  # replaced by a time an hour ahead when the test runs
REJECTIONS = {
    "not JSON": Rejection("{not json", 400, "INVALID_JSON", "body"),
    "array body": Rejection("[1, 2]", 400, "BODY_NOT_OBJECT", "body"),
    "string body": Rejection('"text"', 400, "BODY_NOT_OBJECT", "body"),
    "empty body": Rejection("", 400, "BODY_NOT_OBJECT", "body"),
    "payload not an object": Rejection({"triggerAt": LATER, "payload": [1]}, 400, "INVALID_FIELD", "payload"),
    "unknown field": Rejection({"triggerAt": LATER, "payload": {}, "when": 1}, 400, "UNKNOWN_FIELD", "when"),
    "no triggerAt": Rejection({"payload": {}}, 400, "MISSING_FIELD", "triggerAt"),
    "unknown target": Rejection(
        {"triggerAt": LATER, "payload": {}, "target": "x"}, 400, "UNKNOWN_TARGET", "target"
    ),
    "naive time": Rejection(
        {"triggerAt": "2030-01-01 10:00", "payload": {}}, 400, "INVALID_FIELD", "triggerAt"
    ),
    "date only": Rejection({"triggerAt": "2030-01-01", "payload": {}}, 400, "INVALID_FIELD", "triggerAt"),
    "offset without colon": Rejection(
        {"triggerAt": "2030-01-01T10:00:00+0100", "payload": {}}, 400, "INVALID_FIELD", "triggerAt"
    ),
    "in the past": Rejection(
        {"triggerAt": "2020-01-01T10:00:00Z", "payload": {}}, 400, "TRIGGER_AT_IN_PAST", "triggerAt"
    ),
    "beyond the horizon": Rejection(
        {"triggerAt": "2099-01-01T10:00:00Z", "payload": {}}, 400, "TRIGGER_AT_BEYOND_HORIZON", "triggerAt"
    ),
    "text/plain": Rejection(
        {"triggerAt": LATER, "payload": {}}, 415, "UNSUPPORTED_MEDIA_TYPE", "Content-Type", "text/plain"
    ),
    "form": Rejection(
        "a=b", 415, "UNSUPPORTED_MEDIA_TYPE", "Content-Type", "application/x-www-form-urlencoded"
    ),
    "no content type": Rejection(
        {"triggerAt": LATER, "payload": {}}, 415, "UNSUPPORTED_MEDIA_TYPE", "Content-Type", None
    ),
    "bad JSON as text": Rejection("{not json", 415, "UNSUPPORTED_MEDIA_TYPE", "Content-Type", "text/plain"),
    "body over 256 KiB": Rejection(
        {"triggerAt": LATER, "payload": {"big": "x" * 262_144}}, 413, "PAYLOAD_TOO_LARGE", "body"
    ),
    "execution input without room for the state machine": Rejection(
        {"triggerAt": LATER, "payload": {"big": "x" * 230_000}}, 413, "PAYLOAD_TOO_LARGE", "body"
    ),
}


@pytest.mark.parametrize("case", REJECTIONS.values(), ids=REJECTIONS.keys())
def test_rejected_requests_answer_the_error_shape_and_start_nothing(
    api: ScheduleApi, state_machine: StandInMachine, case: Rejection
) -> None:
    # Given a request that breaks a rule
    body = case.body
    if isinstance(body, dict) and body.get("triggerAt") == LATER:
        body = {**body, "triggerAt": in_an_hour()}

    # When it is posted
    answer = api.post(body, content_type=case.content_type, key="same-key-for-all")

    # Then the answer is exactly {"error", "message", "field"} with the status, and no execution exists
    assert answer.status == case.status
    assert set(answer.body) == {"error", "message", "field"}
    assert (answer.body["error"], answer.body["field"]) == (case.error, case.field)
    assert answer.body["message"]
    assert state_machine.executions() == []


def test_an_empty_idempotency_key_is_400(api: ScheduleApi, state_machine: StandInMachine) -> None:
    # When the header is present but empty / Then 400 names the header and nothing starts
    answer = api.post({"triggerAt": in_an_hour(), "payload": {}}, key="")
    assert (answer.status, answer.body["field"]) == (400, "Idempotency-Key")
    assert state_machine.executions() == []


def test_unknown_routes_are_404_in_the_error_shape(api: ScheduleApi) -> None:
    # When a route the API does not have is called / Then 404 in the error shape
    response = front_door.handler(rest_event("PUT", "/schedules"), LambdaContextStub())
    assert response["statusCode"] == 404
    assert json.loads(response["body"])["error"] == "NOT_FOUND"
