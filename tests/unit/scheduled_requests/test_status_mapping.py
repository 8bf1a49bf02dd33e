"""Status mapping from synthetic DescribeExecution results and execution histories."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from functions.scheduled_requests.front_door.executions import (
    ExecutionSnapshot,
    ExecutionStatus,
    HistoryEvent,
)
from functions.scheduled_requests.front_door.models import ScheduleStatus
from functions.scheduled_requests.front_door.status import read_progress, schedule_view
from functions.scheduled_requests.workflow_contract import ExecutionInput, TargetReference

T0 = datetime(2030, 1, 1, 9, 0, tzinfo=UTC)
TRIGGER_AT = T0 + timedelta(hours=1)
INPUT = ExecutionInput(
    schedule_id="idem-" + "a" * 64,
    trigger_at="2030-01-01T10:00:00Z",
    payload={"n": 1},
    target=TargetReference(name="example-processor", function_arn="arn:aws:lambda:us-east-1:1:function:p"),
    request_fingerprint="f" * 64,
)


def snapshot(status: ExecutionStatus, **fields: object) -> ExecutionSnapshot:
    return ExecutionSnapshot.model_validate(
        {
            "name": INPUT.schedule_id,
            "arn": "arn:aws:states:us-east-1:1:execution:m:" + INPUT.schedule_id,
            "status": status,
            "input": INPUT.model_dump_json(),
            "start_date": T0,
            **fields,
        }
    )


def event(kind: str, minutes: int, state: str | None = None, state_input: object = None) -> HistoryEvent:
    return HistoryEvent(
        type=kind,
        timestamp=T0 + timedelta(minutes=minutes),
        state_name=state,
        state_input=json.dumps(state_input) if state_input is not None else None,
    )


STARTED = [event("ExecutionStarted", 0), event("WaitStateEntered", 0, "WaitUntilTriggerAt", {"attempt": 1})]
FIRST_ATTEMPT = [
    event("WaitStateExited", 60),
    event("TaskStateEntered", 60, "ProcessRequest"),
    event("TaskScheduled", 60),
    event("TaskStarted", 60),
]
FIRST_ATTEMPT_FAILED_AND_RESCHEDULED = [
    *FIRST_ATTEMPT,
    event("TaskFailed", 61),
    event("TaskStateExited", 61),
    event("ChoiceStateEntered", 61, "CheckRescheduleBudget"),
    event("ChoiceStateExited", 61),
    event("PassStateEntered", 61, "RescheduleWithBackoff"),
    event("PassStateExited", 61),
    event(
        "WaitStateEntered",
        61,
        "WaitUntilTriggerAt",
        {"attempt": 2, "nextAttemptAt": "2030-01-01T10:06:00Z", "triggerAt": "2030-01-01T10:00:00Z"},
    ),
]


def test_waiting_for_the_first_attempt_is_scheduled() -> None:
    # Given a running execution that has only entered WaitUntilTriggerAt
    view = schedule_view(snapshot("RUNNING"), INPUT, STARTED)

    # Then it is SCHEDULED, with no attempt yet and the request's details
    assert view.status is ScheduleStatus.SCHEDULED
    assert (view.attempt, view.next_attempt_at, view.finished_at) == (None, None, None)
    assert (view.trigger_at, view.target, view.created_at, view.updated_at) == (
        TRIGGER_AT,
        "example-processor",
        T0,
        T0,
    )


def test_running_after_entering_process_request_is_processing() -> None:
    # Given ProcessRequest has been entered and the task runs
    view = schedule_view(snapshot("RUNNING"), INPUT, [*STARTED, *FIRST_ATTEMPT])

    # Then it is PROCESSING, attempt 1, updated when the task started
    assert (view.status, view.attempt) == (ScheduleStatus.PROCESSING, 1)
    assert view.updated_at == T0 + timedelta(minutes=60)


def test_waiting_again_after_a_reschedule_is_scheduled_with_the_next_attempt() -> None:
    # Given the first attempt failed and the execution waits in WaitUntilTriggerAt again
    view = schedule_view(snapshot("RUNNING"), INPUT, [*STARTED, *FIRST_ATTEMPT_FAILED_AND_RESCHEDULED])

    # Then it is SCHEDULED for attempt 2 at the rescheduled time
    assert (view.status, view.attempt) == (ScheduleStatus.SCHEDULED, 2)
    assert view.next_attempt_at == datetime(2030, 1, 1, 10, 6, tzinfo=UTC)


def test_between_attempts_outside_the_wait_is_processing() -> None:
    # Given the first attempt failed and the execution is deciding whether to reschedule
    history = [*STARTED, *FIRST_ATTEMPT_FAILED_AND_RESCHEDULED[:-1]]
    view = schedule_view(snapshot("RUNNING"), INPUT, history)

    # Then it is still PROCESSING (a cancel now would be refused)
    assert (view.status, view.attempt) == (ScheduleStatus.PROCESSING, 1)
    assert read_progress(history).processing_has_begun


def test_the_second_attempt_is_counted() -> None:
    # Given the rescheduled attempt has started
    history = [*STARTED, *FIRST_ATTEMPT_FAILED_AND_RESCHEDULED, *FIRST_ATTEMPT]

    # Then it is PROCESSING attempt 2
    view = schedule_view(snapshot("RUNNING"), INPUT, history)
    assert (view.status, view.attempt) == (ScheduleStatus.PROCESSING, 2)


def test_a_wait_state_of_another_name_is_not_mistaken_for_a_reschedule() -> None:
    # Given processing has begun and the execution sits in some other Wait state
    history = [*STARTED, *FIRST_ATTEMPT, event("WaitStateEntered", 61, "SomeOtherWait", {})]

    # Then it is PROCESSING, not SCHEDULED
    assert schedule_view(snapshot("RUNNING"), INPUT, history).status is ScheduleStatus.PROCESSING


def test_succeeded_carries_the_parsed_result() -> None:
    # Given a succeeded execution with a JSON output
    stopped = T0 + timedelta(hours=1, seconds=3)
    view = schedule_view(snapshot("SUCCEEDED", output='{"done": [1, 2]}', stop_date=stopped), INPUT, [])

    # Then the result is the parsed output and the finish time is the stop date
    assert view.status is ScheduleStatus.SUCCEEDED
    assert view.result == {"done": [1, 2]}
    assert view.finished_at == view.updated_at == stopped
    assert view.error is None


def test_failed_carries_error_and_cause() -> None:
    # Given a failed execution
    failed = snapshot("FAILED", error="ScheduledRequestFailed", cause="boom on attempt 3", stop_date=T0)

    # Then the view is FAILED with error and cause, and no result
    view = schedule_view(failed, INPUT, [])
    assert (view.status, view.error, view.cause, view.result) == (
        ScheduleStatus.FAILED,
        "ScheduledRequestFailed",
        "boom on attempt 3",
        None,
    )


def test_timed_out_is_failed_with_a_timeout_error() -> None:
    # Given an execution that hit its TimeoutSeconds (DescribeExecution gives no error name)
    view = schedule_view(snapshot("TIMED_OUT", stop_date=T0), INPUT, [])

    # Then it is FAILED with States.Timeout
    assert (view.status, view.error) == (ScheduleStatus.FAILED, "States.Timeout")


def test_aborted_is_cancelled() -> None:
    # Given a stopped execution / Then it is CANCELLED, finished when stopped
    view = schedule_view(snapshot("ABORTED", stop_date=T0 + timedelta(minutes=5)), INPUT, [])
    assert view.status is ScheduleStatus.CANCELLED
    assert view.finished_at == T0 + timedelta(minutes=5)


def test_pending_redrive_is_processing() -> None:
    # Given an execution being redriven / Then it is PROCESSING
    assert schedule_view(snapshot("PENDING_REDRIVE"), INPUT, STARTED).status is ScheduleStatus.PROCESSING


@pytest.mark.parametrize("output", ["not json", None])
def test_a_non_json_or_missing_output_is_reported_as_is(output: str | None) -> None:
    # Given a succeeded execution whose output is not JSON / Then the raw text is the result
    view = schedule_view(snapshot("SUCCEEDED", output=output, stop_date=T0), INPUT, [])
    assert view.result == output


def test_a_result_nested_too_deep_to_answer_as_json_is_answered_as_text() -> None:
    # Given a target that returned a result nested 300 levels deep (more than pydantic serialises)
    output = "[" * 300 + "]" * 300

    # When the schedule is read / Then the result is the output's text, not a failure to answer
    view = schedule_view(snapshot("SUCCEEDED", output=output, stop_date=T0), INPUT, [])
    assert view.result == output
    assert output in view.model_dump_json()
