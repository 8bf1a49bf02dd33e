"""The ScheduledRequest definition's JSONata, evaluated with jsonata-python (the local engine's evaluator)."""

from __future__ import annotations

import json
import math
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalog import SCHEDULED_REQUEST
from functions.scheduled_requests.workflow_contract import PROCESS_STATE, WAIT_STATE, ProcessorEvent
from tests.unit.asl.jsonata_states import context, evaluate

BASE_DELAY_SECONDS = 300
MAX_RESCHEDULES = 3
WHOLE_SECOND_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
START = datetime(2030, 1, 1, tzinfo=UTC)


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _definition(
    max_reschedules: int = MAX_RESCHEDULES, base_delay: int = BASE_DELAY_SECONDS
) -> dict[str, Any]:
    return SCHEDULED_REQUEST.render_definition(
        {
            "DeadLetterQueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/dlq",
            "FailureTopicArn": "arn:aws:sns:us-east-1:123456789012:failures",
            "MaxReschedules": max_reschedules,
            "RescheduleBaseDelaySeconds": base_delay,
        }
    )


DEFINITION = _definition()
STATES = DEFINITION["States"]


def _request(**extra: Any) -> dict[str, Any]:
    return {
        "scheduleId": "0b6c5a8e-52a5-4c57-9a39-1f1a4c36a0a4",
        "triggerAt": "2030-01-02T03:04:05Z",
        "payload": {"order": 42},
        "target": {
            "name": "example-processor",
            "functionArn": "arn:aws:lambda:us-east-1:123456789012:function:p",
        },
        "requestFingerprint": "f" * 64,
        **extra,
    }


def _states(state_input: Any, *, entered: datetime = START, **extra: Any) -> dict[str, Any]:
    return {
        "input": state_input,
        "context": context(entered_time=_iso(entered), start_time=_iso(START)),
        **extra,
    }


def test_the_contract_state_names_are_the_wait_and_the_lambda_task() -> None:
    # Given the definition / Then the names the front door reads back have the expected types
    assert DEFINITION["StartAt"] == WAIT_STATE
    assert STATES[WAIT_STATE]["Type"] == "Wait"
    assert STATES[PROCESS_STATE]["Resource"] == "arn:aws:states:::lambda:invoke"
    assert STATES["ScheduledRequestFailed"] == {
        **STATES["ScheduledRequestFailed"],
        "Error": "ScheduledRequestFailed",
    }


def test_process_request_retries_service_errors_and_the_named_transient_error() -> None:
    # Given the task's retriers
    retried = {error for retrier in STATES[PROCESS_STATE]["Retry"] for error in retrier["ErrorEquals"]}

    # Then Lambda service errors, throttling and TransientProcessingError are retried, nothing broader
    assert retried == {
        "Lambda.ServiceException",
        "Lambda.AWSLambdaException",
        "Lambda.SdkClientException",
        "Lambda.TooManyRequestsException",
        "TransientProcessingError",
    }


def test_the_first_wait_uses_trigger_at_and_numbers_the_attempt_one() -> None:
    # Given the execution input as the front door writes it
    state_input = _request()

    # When the Wait state's fields are evaluated
    timestamp = evaluate(STATES[WAIT_STATE]["Timestamp"], _states(state_input))
    output = evaluate(STATES[WAIT_STATE]["Output"], _states(state_input))

    # Then it waits for triggerAt and passes the request on as attempt 1
    assert timestamp == state_input["triggerAt"]
    assert output == {**state_input, "attempt": 1}


def test_a_rescheduled_wait_uses_next_attempt_at_and_keeps_the_attempt() -> None:
    # Given the state after a reschedule
    state_input = _request(attempt=3, nextAttemptAt="2030-01-02T04:00:00Z")

    # When the Wait state's fields are evaluated
    timestamp = evaluate(STATES[WAIT_STATE]["Timestamp"], _states(state_input))
    output = evaluate(STATES[WAIT_STATE]["Output"], _states(state_input))

    # Then it waits for the rescheduled time and keeps the attempt number
    assert timestamp == "2030-01-02T04:00:00Z"
    assert output["attempt"] == 3


def test_the_target_receives_the_processor_event_of_the_contract() -> None:
    # Given the request at attempt 2
    state_input = _request(attempt=2)

    # When the task's arguments are evaluated
    arguments = evaluate(STATES[PROCESS_STATE]["Arguments"], _states(state_input))

    # Then the named function gets exactly the processor event
    assert arguments["FunctionName"] == state_input["target"]["functionArn"]
    assert set(arguments["Payload"]) == {"scheduleId", "triggerAt", "payload", "attempt"}
    event = ProcessorEvent.model_validate(arguments["Payload"])
    assert (event.schedule_id, event.trigger_at, event.payload, event.attempt) == (
        state_input["scheduleId"],
        state_input["triggerAt"],
        state_input["payload"],
        2,
    )


def test_a_successful_attempt_outputs_what_the_target_returned() -> None:
    # Given the Lambda integration's result / When the task output is evaluated / Then it is the payload
    result = {"Payload": {"processed": True}, "StatusCode": 200}
    assert evaluate(STATES[PROCESS_STATE]["Output"], _states(_request(attempt=1), result=result)) == {
        "processed": True
    }


def test_a_caught_error_keeps_the_request_and_records_the_error() -> None:
    # Given a failed attempt
    error = {"Error": "PermanentProcessingError", "Cause": '{"errorMessage": "no"}'}
    state_input = _request(attempt=1)

    # When the catcher's output is evaluated
    catcher = STATES[PROCESS_STATE]["Catch"][0]
    output = evaluate(catcher["Output"], _states(state_input, errorOutput=error))

    # Then the budget check sees the request, its attempt and the error
    assert catcher["Next"] == "CheckRescheduleBudget"
    assert output == {**state_input, "lastError": error}


@settings(max_examples=40, deadline=None)
@given(max_reschedules=st.integers(min_value=0, max_value=50), attempt=st.integers(min_value=1, max_value=60))
def test_the_budget_allows_exactly_max_reschedules(max_reschedules: int, attempt: int) -> None:
    # Given a definition with MaxReschedules = n and a failed attempt
    rule = _definition(max_reschedules=max_reschedules)["States"]["CheckRescheduleBudget"]["Choices"][0]

    # When the condition is evaluated
    reschedules = evaluate(rule["Condition"], _states(_request(attempt=attempt)))

    # Then attempts 1..n are rescheduled and attempt n+1 goes to the dead-letter path
    assert reschedules is (attempt <= max_reschedules)
    assert rule["Next"] == "RescheduleWithBackoff"


@settings(max_examples=40, deadline=None)
@given(
    attempt=st.integers(min_value=1, max_value=8),
    base_delay=st.integers(min_value=1, max_value=3_600),
    entered_offset_ms=st.integers(min_value=0, max_value=30 * 24 * 3600 * 1000),
)
def test_a_reschedule_backs_off_exponentially_to_a_whole_second(
    attempt: int, base_delay: int, entered_offset_ms: int
) -> None:
    # Given attempt n failed at some moment after the execution started
    entered = START + timedelta(milliseconds=entered_offset_ms)
    state = _definition(base_delay=base_delay)["States"]["RescheduleWithBackoff"]
    state_input = _request(attempt=attempt, lastError={"Error": "E", "Cause": "c"})

    # When the reschedule is computed
    output = evaluate(state["Output"], _states(state_input, entered=entered))

    # Then the next attempt is base * 2^(n-1) seconds later, rounded up to a whole second, in UTC
    due = entered + timedelta(seconds=base_delay * 2 ** (attempt - 1))
    expected = datetime.fromtimestamp(math.ceil(due.timestamp()), tz=UTC)
    assert WHOLE_SECOND_UTC.match(output["nextAttemptAt"])
    assert _parse(output["nextAttemptAt"]) == expected
    assert output["attempt"] == attempt + 1
    assert {key: output[key] for key in state_input if key != "attempt"} == {
        key: value for key, value in state_input.items() if key != "attempt"
    }
    assert state["Next"] == WAIT_STATE


def test_a_reschedule_never_lands_after_the_last_hour_of_the_execution() -> None:
    # Given a failure late in a long execution, with a backoff reaching past the execution timeout
    timeout = timedelta(seconds=DEFINITION["TimeoutSeconds"])
    entered = START + timeout - timedelta(hours=2)
    state = _definition(base_delay=86_400)["States"]["RescheduleWithBackoff"]

    # When the reschedule is computed
    output = evaluate(state["Output"], _states(_request(attempt=1), entered=entered))

    # Then the attempt is due one hour before the timeout, leaving room for retries and the failure path
    assert _parse(output["nextAttemptAt"]) == START + timeout - timedelta(hours=1)


def test_the_dead_letter_message_carries_the_request_and_its_error() -> None:
    # Given a request that failed its last attempt
    error = {"Error": "PermanentProcessingError", "Cause": "bad payload"}
    state_input = _request(attempt=4, lastError=error)

    # When the message is evaluated
    arguments = evaluate(STATES["SendToDeadLetterQueue"]["Arguments"], _states(state_input))
    message = json.loads(arguments["MessageBody"])

    # Then it holds everything needed to inspect or replay the request
    assert arguments["QueueUrl"] == "https://sqs.us-east-1.amazonaws.com/123456789012/dlq"
    assert message["scheduleId"] == state_input["scheduleId"]
    assert message["attempts"] == 4
    assert message["error"] == error
    assert message["request"] == {
        key: state_input[key] for key in ("triggerAt", "target", "payload", "requestFingerprint")
    }


@pytest.mark.parametrize(
    ("dead_letter", "expected_key"),
    [
        ({"deadLetterMessageId": "m-1"}, "deadLetterMessageId"),
        ({"deadLetterError": {"Error": "x"}}, "deadLetterError"),
    ],
)
def test_the_notification_says_where_the_request_went(dead_letter: dict[str, Any], expected_key: str) -> None:
    # Given the state after the dead-letter step (sent, or failed to send)
    state_input = _request(attempt=4, lastError={"Error": "E", "Cause": "c"}, **dead_letter)

    # When the notification is evaluated
    arguments = evaluate(STATES["NotifyFailure"]["Arguments"], _states(state_input))
    message = json.loads(arguments["Message"])

    # Then it names the schedule, the error and the dead-letter outcome
    assert arguments["TopicArn"] == "arn:aws:sns:us-east-1:123456789012:failures"
    assert message["scheduleId"] == state_input["scheduleId"]
    assert message["error"] == {"Error": "E", "Cause": "c"}
    assert message[expected_key] == dead_letter[expected_key]


LAMBDA_ERROR_DOCUMENT = {
    "errorMessage": 'bad "payload" [1]',
    "errorType": "PermanentProcessingError",
    "requestId": "0f5b0d3e-7c1a-4b8e-9a51-2d6b9e0c4f11",
    "stackTrace": [
        '  File "/var/task/processor/handler.py", line 40, in handler\n    raise PermanentProcessingError\n'
    ],
}


@pytest.mark.parametrize(
    "cause",
    [
        json.dumps(LAMBDA_ERROR_DOCUMENT),
        json.dumps(LAMBDA_ERROR_DOCUMENT, separators=(",", ":")),
        # Step Functions cuts a cause at 32,768 characters: the stack trace may be cut in the middle
        json.dumps(LAMBDA_ERROR_DOCUMENT)[:-40],
    ],
)
def test_the_notification_gives_a_lambda_errors_type_and_message_but_never_its_stack_trace(
    cause: str,
) -> None:
    # Given a request whose processor raised, its cause being the Lambda runtime's error document
    state_input = _request(attempt=4, lastError={"Error": "PermanentProcessingError", "Cause": cause})

    # When the notification (e-mailed to the failure topic's subscribers) is evaluated
    message_text = evaluate(STATES["NotifyFailure"]["Arguments"], _states(state_input))["Message"]

    # Then it says what failed, in the function's words, and quotes no file, line or stack trace
    assert json.loads(message_text)["error"] == {
        "Error": "PermanentProcessingError",
        "Cause": 'PermanentProcessingError: bad \\"payload\\" [1]',
    }
    for leaked in ("stackTrace", "handler.py", "line 40", "requestId"):
        assert leaked not in message_text


def test_the_failure_cause_names_the_last_error_and_attempt() -> None:
    # Given the state reaching the Fail state
    state_input = _request(attempt=4, lastError={"Error": "PermanentProcessingError", "Cause": "bad payload"})

    # When the cause is evaluated / Then it says what failed, when
    cause = evaluate(STATES["ScheduledRequestFailed"]["Cause"], _states(state_input))
    assert cause == "PermanentProcessingError on attempt 4: bad payload"
