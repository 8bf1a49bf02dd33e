"""The Schedule API's rules against in-memory executions and a pinned clock."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from functions.scheduled_requests.front_door.errors import (
    ExecutionNameTaken,
    IdempotencyKeyReused,
    InvalidScheduleRequest,
    RequestTooLarge,
    ScheduleNotCancellable,
    ScheduleNotFound,
)
from functions.scheduled_requests.front_door.logic import (
    MAX_EXECUTION_INPUT_BYTES,
    ScheduleService,
    schedule_id_for_key,
)
from functions.scheduled_requests.front_door.models import CreateScheduleRequest, ErrorCode, ScheduleStatus
from functions.scheduled_requests.front_door.settings import FrontDoorSettings
from tests.unit.scheduled_requests.fakes import STATE_MACHINE_ARN, InMemoryExecutions, ManualClock

NOW = datetime(2030, 1, 1, 12, 0, 0, tzinfo=UTC)
PROCESSOR_ARN = "arn:aws:lambda:us-east-1:123456789012:function:example-processor"
REPORTS_ARN = "arn:aws:lambda:us-east-1:123456789012:function:reports"
SKEW = timedelta(seconds=30)
HORIZON = timedelta(days=364)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
def executions(clock: ManualClock) -> InMemoryExecutions:
    return InMemoryExecutions(clock)


@pytest.fixture
def service(executions: InMemoryExecutions, clock: ManualClock) -> ScheduleService:
    settings = FrontDoorSettings.model_validate(
        {
            "STATE_MACHINE_ARN": STATE_MACHINE_ARN,
            "TARGET_FUNCTIONS": json.dumps({"example-processor": PROCESSOR_ARN, "reports": REPORTS_ARN}),
            "CLOCK_SKEW_SECONDS": "30",
            "MAX_HORIZON_DAYS": "364",
        }
    )
    return ScheduleService(settings, executions, clock)


def request(
    trigger_at: datetime | str, payload: dict[str, Any] | None = None, **extra: Any
) -> CreateScheduleRequest:
    text = trigger_at if isinstance(trigger_at, str) else trigger_at.isoformat()
    return CreateScheduleRequest.model_validate({"triggerAt": text, "payload": payload or {"n": 1}, **extra})


# The time window, at its exact boundaries.


@pytest.mark.parametrize(
    "trigger_at", [NOW - SKEW, NOW, NOW + HORIZON], ids=["skew edge", "now", "horizon edge"]
)
def test_trigger_times_inside_the_window_are_accepted(
    service: ScheduleService, executions: InMemoryExecutions, trigger_at: datetime
) -> None:
    # When a schedule is requested at the edge of the window
    outcome = service.create(request(trigger_at), idempotency_key=None)

    # Then it is accepted and one execution is started
    assert outcome.accepted.status is ScheduleStatus.SCHEDULED
    assert len(executions.started_inputs) == 1


@pytest.mark.parametrize(
    ("trigger_at", "code"),
    [
        (NOW - SKEW - timedelta(microseconds=1), ErrorCode.TRIGGER_AT_IN_PAST),
        (NOW - timedelta(days=1), ErrorCode.TRIGGER_AT_IN_PAST),
        (NOW + HORIZON + timedelta(microseconds=1), ErrorCode.TRIGGER_AT_BEYOND_HORIZON),
        (NOW + timedelta(days=400), ErrorCode.TRIGGER_AT_BEYOND_HORIZON),
    ],
    ids=["just past the skew", "a day ago", "just past the horizon", "400 days ahead"],
)
def test_trigger_times_outside_the_window_are_rejected_and_start_nothing(
    service: ScheduleService, executions: InMemoryExecutions, trigger_at: datetime, code: ErrorCode
) -> None:
    # When a schedule is requested just outside the window
    with pytest.raises(InvalidScheduleRequest) as rejected:
        service.create(request(trigger_at), idempotency_key="k")

    # Then it is rejected on triggerAt with the reason, and nothing is started
    assert (rejected.value.code, rejected.value.field) == (code, "triggerAt")
    assert executions.started_inputs == []


def test_the_window_follows_the_clock(service: ScheduleService, clock: ManualClock) -> None:
    # Given a time that is beyond the horizon today
    far = NOW + HORIZON + timedelta(days=1)
    with pytest.raises(InvalidScheduleRequest):
        service.create(request(far), idempotency_key=None)

    # When two days pass / Then the same time is accepted
    clock.advance(timedelta(days=2))
    assert service.create(request(far), idempotency_key=None).accepted.trigger_at == far


# The execution input.


def test_the_execution_input_follows_the_contract(
    service: ScheduleService, executions: InMemoryExecutions
) -> None:
    # When a schedule is requested with an offset and a fraction of a second
    outcome = service.create(
        request("2030-01-02T10:00:00.250+01:00", {"order": 42}, target="reports"), idempotency_key=None
    )

    # Then the input holds the id, UTC time rounded up to the second, payload, target and fingerprint
    document = json.loads(executions.started_inputs[0])
    assert set(document) == {"scheduleId", "triggerAt", "payload", "target", "requestFingerprint"}
    assert document["scheduleId"] == outcome.accepted.schedule_id
    assert document["triggerAt"] == "2030-01-02T09:00:01Z"
    assert document["payload"] == {"order": 42}
    assert document["target"] == {"name": "reports", "functionArn": REPORTS_ARN}
    assert len(document["requestFingerprint"]) == 64
    assert outcome.accepted.trigger_at == datetime(2030, 1, 2, 9, 0, 1, tzinfo=UTC)


def test_a_request_without_target_goes_to_the_default_target(
    service: ScheduleService, executions: InMemoryExecutions
) -> None:
    # When no target is named
    service.create(request(NOW + timedelta(hours=1)), idempotency_key=None)

    # Then the default target's function is in the input
    assert json.loads(executions.started_inputs[0])["target"]["functionArn"] == PROCESSOR_ARN


def test_an_unknown_target_is_rejected_naming_the_field(
    service: ScheduleService, executions: InMemoryExecutions
) -> None:
    # When the target is not in the registry / Then 400 on "target", nothing started
    with pytest.raises(InvalidScheduleRequest) as rejected:
        service.create(request(NOW + timedelta(hours=1), target="nope"), idempotency_key=None)
    assert (rejected.value.code, rejected.value.field) == (ErrorCode.UNKNOWN_TARGET, "target")
    assert executions.started_inputs == []


def test_the_execution_input_limit_is_exact(service: ScheduleService, executions: InMemoryExecutions) -> None:
    # Given the input size of a request whose payload holds an empty string (UTF-8 bytes)
    trigger_at = NOW + timedelta(hours=1)
    service.create(request(trigger_at, {"text": ""}), idempotency_key="probe")
    overhead = len(executions.started_inputs[0].encode("utf-8"))

    # When the payload brings the input to exactly the limit, and one byte over (é is two bytes)
    room = MAX_EXECUTION_INPUT_BYTES - overhead
    at_limit = request(trigger_at, {"text": "é" * (room // 2) + "x" * (room % 2)})
    over_limit = request(trigger_at, {"text": "é" * (room // 2) + "x" * (room % 2 + 1)})
    service.create(at_limit, idempotency_key="fits")
    with pytest.raises(RequestTooLarge):
        service.create(over_limit, idempotency_key="too-big")

    # Then the first fits exactly and the second starts nothing
    assert len(executions.started_inputs[-1].encode("utf-8")) == MAX_EXECUTION_INPUT_BYTES
    assert len(executions.started_inputs) == 2


# Idempotency-Key.


def test_without_a_key_every_call_creates_a_schedule(
    service: ScheduleService, executions: InMemoryExecutions
) -> None:
    # When the same body is sent twice without a key
    first = service.create(request(NOW + timedelta(hours=1)), idempotency_key=None)
    second = service.create(request(NOW + timedelta(hours=1)), idempotency_key=None)

    # Then there are two schedules
    assert first.accepted.schedule_id != second.accepted.schedule_id
    assert len(executions.started_inputs) == 2


def test_the_same_key_and_body_return_the_same_schedule_and_start_nothing(
    service: ScheduleService, executions: InMemoryExecutions
) -> None:
    # Given a schedule created with a key
    first = service.create(request("2030-01-01T14:00:00+01:00"), idempotency_key="order-42")

    # When the same request is sent again, even spelled with another offset
    again = service.create(request("2030-01-01T13:00:00Z"), idempotency_key="order-42")

    # Then the answer is the same schedule, marked as a replay, and only one execution exists
    assert first.accepted.schedule_id == schedule_id_for_key("order-42")
    assert again.accepted == first.accepted
    assert (first.replayed, again.replayed) == (False, True)
    assert len(executions.started_inputs) == 1


def test_naming_the_default_target_is_the_same_request_as_omitting_it(service: ScheduleService) -> None:
    # Given a schedule created without a target
    first = service.create(request(NOW + timedelta(hours=1)), idempotency_key="k")

    # When it is replayed naming the default target explicitly / Then it is the same request
    again = service.create(request(NOW + timedelta(hours=1), target="example-processor"), idempotency_key="k")
    assert again.replayed and again.accepted.schedule_id == first.accepted.schedule_id


@pytest.mark.parametrize(
    "changed",
    [
        {"payload": {"n": 2}},
        {"triggerAt": (NOW + timedelta(hours=1, seconds=1)).isoformat()},
        {"target": "reports"},
    ],
    ids=["payload", "triggerAt", "target"],
)
def test_the_same_key_with_another_body_is_a_conflict(
    service: ScheduleService, executions: InMemoryExecutions, changed: dict[str, Any]
) -> None:
    # Given a schedule created with a key
    original = {"triggerAt": (NOW + timedelta(hours=1)).isoformat(), "payload": {"n": 1}}
    service.create(CreateScheduleRequest.model_validate(original), idempotency_key="k")

    # When the key is reused with a different body / Then 409 and nothing new is started
    with pytest.raises(IdempotencyKeyReused):
        service.create(CreateScheduleRequest.model_validate({**original, **changed}), idempotency_key="k")
    assert len(executions.started_inputs) == 1


def test_a_replay_after_the_schedule_ran_answers_with_it_although_its_time_has_passed(
    service: ScheduleService, executions: InMemoryExecutions, clock: ManualClock
) -> None:
    # Given a keyed schedule that has run and succeeded, and a clock well past its trigger time
    first = service.create(request(NOW + timedelta(minutes=5)), idempotency_key="k")
    executions.enter_processing(first.accepted.schedule_id)
    clock.advance(timedelta(days=3))
    executions.finish(first.accepted.schedule_id, "SUCCEEDED", output={"ok": True})

    # When the original request is sent again (its triggerAt is now days in the past)
    again = service.create(request(NOW + timedelta(minutes=5)), idempotency_key="k")

    # Then the answer is that schedule with its current status, and nothing is started
    assert again.replayed
    assert again.accepted.schedule_id == first.accepted.schedule_id
    assert again.accepted.status is ScheduleStatus.SUCCEEDED
    assert len(executions.started_inputs) == 1


def test_losing_a_start_race_to_the_same_request_answers_with_the_winner(
    service: ScheduleService, executions: InMemoryExecutions
) -> None:
    # Given a concurrent request with the same key and body that starts first
    winner = service.create(request(NOW + timedelta(hours=1)), idempotency_key="probe")
    executions.executions.clear()
    executions.lose_next_start_race_to = executions.started_inputs[0].replace(
        schedule_id_for_key("probe"), schedule_id_for_key("k")
    )

    # When this request's StartExecution finds the name taken
    outcome = service.create(request(NOW + timedelta(hours=1)), idempotency_key="k")

    # Then it answers with the winner's schedule instead of failing
    assert outcome.replayed
    assert outcome.accepted.schedule_id == schedule_id_for_key("k")
    assert winner.accepted.trigger_at == outcome.accepted.trigger_at


def test_a_taken_random_name_is_not_mistaken_for_a_replay(
    service: ScheduleService, executions: InMemoryExecutions
) -> None:
    # Given StartExecution reports a clash on a random name (it never should)
    executions.lose_next_start_race_to = "{}"
    with pytest.raises(ExecutionNameTaken):
        # When a request without key is created / Then the clash surfaces as an error
        service.create(request(NOW + timedelta(hours=1)), idempotency_key=None)


# Reading and cancelling.


@pytest.mark.parametrize("schedule_id", ["nope", "../x", "idem-" + "g" * 64, ""])
def test_malformed_ids_are_not_found_without_asking_step_functions(
    service: ScheduleService, executions: InMemoryExecutions, schedule_id: str
) -> None:
    # When GET or DELETE names an id of the wrong shape / Then 404, and Step Functions is not called
    with pytest.raises(ScheduleNotFound):
        service.get(schedule_id)
    with pytest.raises(ScheduleNotFound):
        service.cancel(schedule_id)
    assert executions.calls == []


def test_unknown_ids_of_the_right_shape_are_not_found(service: ScheduleService) -> None:
    # When the id is well formed but no execution has it / Then 404
    with pytest.raises(ScheduleNotFound):
        service.get(schedule_id_for_key("never used"))
    with pytest.raises(ScheduleNotFound):
        service.cancel(schedule_id_for_key("never used"))


def test_a_waiting_schedule_is_cancelled(
    service: ScheduleService, executions: InMemoryExecutions, clock: ManualClock
) -> None:
    # Given a schedule that waits
    schedule_id = service.create(request(NOW + timedelta(hours=1)), idempotency_key=None).accepted.schedule_id
    clock.advance(timedelta(minutes=1))

    # When it is cancelled
    cancelled = service.cancel(schedule_id)

    # Then the execution is stopped with the ScheduleCancelled error and reads CANCELLED
    assert executions.stops == [(schedule_id, "ScheduleCancelled", "cancelled through the Schedule API")]
    assert cancelled.status is ScheduleStatus.CANCELLED
    assert cancelled.finished_at == NOW + timedelta(minutes=1)
    assert service.get(schedule_id).status is ScheduleStatus.CANCELLED


@pytest.mark.parametrize(
    ("progress", "reason"),
    [
        ("processing", "processing has begun"),
        ("SUCCEEDED", "already SUCCEEDED"),
        ("FAILED", "already FAILED"),
        ("ABORTED", "already CANCELLED"),
    ],
)
def test_a_schedule_past_its_wait_cannot_be_cancelled(
    service: ScheduleService, executions: InMemoryExecutions, progress: str, reason: str
) -> None:
    # Given a schedule that is being processed or has finished
    schedule_id = service.create(request(NOW + timedelta(hours=1)), idempotency_key=None).accepted.schedule_id
    executions.enter_processing(schedule_id)
    if progress != "processing":
        executions.finish(schedule_id, progress)  # type: ignore[arg-type]

    # When it is cancelled / Then 409 with the reason, and nothing is stopped
    with pytest.raises(ScheduleNotCancellable, match=reason):
        service.cancel(schedule_id)
    assert executions.stops == []


def test_a_schedule_waiting_again_after_a_reschedule_reads_scheduled_and_can_be_cancelled(
    service: ScheduleService, executions: InMemoryExecutions, clock: ManualClock
) -> None:
    # Given a schedule whose first attempt failed and which waits for its rescheduled attempt
    schedule_id = service.create(request(NOW + timedelta(hours=1)), idempotency_key=None).accepted.schedule_id
    clock.advance(timedelta(hours=1))
    executions.enter_processing(schedule_id)
    executions.wait_again(schedule_id, NOW + timedelta(hours=1, minutes=5))
    assert service.get(schedule_id).status is ScheduleStatus.SCHEDULED

    # When it is cancelled
    cancelled = service.cancel(schedule_id)

    # Then what GET said holds: it is cancelled while it waits, and the execution is stopped
    assert cancelled.status is ScheduleStatus.CANCELLED
    assert [name for name, _, _ in executions.stops] == [schedule_id]


def test_a_cancel_that_loses_the_race_with_processing_says_so(
    service: ScheduleService, executions: InMemoryExecutions
) -> None:
    # Given a waiting schedule whose wait ends between the cancel's check and its StopExecution
    schedule_id = service.create(request(NOW + timedelta(hours=1)), idempotency_key=None).accepted.schedule_id
    executions.processing_begins_before_stop.add(schedule_id)

    # When it is cancelled / Then the answer is 409 saying processing began, not a CANCELLED that hides it
    with pytest.raises(ScheduleNotCancellable, match="processing began before the cancel took effect"):
        service.cancel(schedule_id)
    assert [name for name, _, _ in executions.stops] == [schedule_id]


def test_an_execution_not_started_as_a_schedule_is_not_found(
    service: ScheduleService, executions: InMemoryExecutions
) -> None:
    # Given an execution of the state machine started outside the API, with input {}
    name = "0f8fad5b-d9cb-469f-a165-70867728950e"
    executions.add(name, "{}")

    # When it is read or cancelled / Then 404, and it is not stopped
    with pytest.raises(ScheduleNotFound):
        service.get(name)
    with pytest.raises(ScheduleNotFound):
        service.cancel(name)
    assert executions.stops == []


def test_a_failed_schedule_answers_a_safe_cause_and_logs_the_full_one(
    executions: InMemoryExecutions, clock: ManualClock
) -> None:
    # Given a service that reports failure details to a log, and a schedule that failed with a stack trace
    logged: list[tuple[str, str | None, str | None]] = []
    settings = FrontDoorSettings.model_validate(
        {"STATE_MACHINE_ARN": STATE_MACHINE_ARN, "TARGET_FUNCTIONS": json.dumps({"example-processor": "x"})}
    )
    service = ScheduleService(
        settings,
        executions,
        clock,
        failure_log=lambda snapshot: logged.append((snapshot.name, snapshot.error, snapshot.cause)),
    )
    schedule_id = service.create(request(NOW + timedelta(hours=1)), idempotency_key=None).accepted.schedule_id
    lambda_error = {
        "errorMessage": "simulated permanent failure on attempt 4",
        "errorType": "PermanentProcessingError",
        "stackTrace": ['  File "/var/task/processor/logic.py", line 33, in process_request\n'] * 20,
    }
    cause = f"PermanentProcessingError on attempt 4: {json.dumps(lambda_error)}"
    executions.finish(schedule_id, "FAILED", error="ScheduledRequestFailed", cause=cause)

    # When it is read
    view = service.get(schedule_id)

    # Then the answer has the error and a short cause without the stack trace; the log has everything
    assert view.error == "ScheduledRequestFailed"
    assert view.cause == "PermanentProcessingError on attempt 4: simulated permanent failure on attempt 4"
    assert logged == [(schedule_id, "ScheduledRequestFailed", cause)]


def test_get_reports_status_and_times(
    service: ScheduleService, executions: InMemoryExecutions, clock: ManualClock
) -> None:
    # Given a schedule that was processed successfully an hour later
    schedule_id = service.create(
        request(NOW + timedelta(hours=1), target="reports"), idempotency_key="k"
    ).accepted.schedule_id
    assert service.get(schedule_id).status is ScheduleStatus.SCHEDULED
    clock.advance(timedelta(hours=1))
    executions.enter_processing(schedule_id)
    assert service.get(schedule_id).status is ScheduleStatus.PROCESSING
    executions.finish(schedule_id, "SUCCEEDED", output={"done": 1})

    # When it is read
    view = service.get(schedule_id)

    # Then it shows the outcome, the target and the times
    assert view.status is ScheduleStatus.SUCCEEDED
    assert view.result == {"done": 1}
    assert view.target == "reports"
    assert (view.created_at, view.finished_at) == (NOW, NOW + timedelta(hours=1))
    assert view.trigger_at == NOW + timedelta(hours=1)
