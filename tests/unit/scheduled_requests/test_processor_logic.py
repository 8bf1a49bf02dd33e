"""The example processor's business logic and its simulated failures."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from functions.scheduled_requests.processor.logic import PermanentProcessingError, process_request
from functions.scheduled_requests.workflow_contract import ProcessorEvent, TransientProcessingError

PROCESSED_AT = datetime(2030, 1, 1, 10, 0, 1, tzinfo=UTC)


def event(payload: dict[str, Any], attempt: int = 1) -> ProcessorEvent:
    return ProcessorEvent.model_validate(
        {"scheduleId": "s-1", "triggerAt": "2030-01-01T10:00:00Z", "payload": payload, "attempt": attempt}
    )


def test_a_request_is_processed_into_a_result() -> None:
    # When an ordinary request is processed
    result = process_request(event({"b": 1, "a": 2}, attempt=2), clock=lambda: PROCESSED_AT)

    # Then the result names the schedule, the attempt, the time and what it saw
    assert result.model_dump(mode="json") == {
        "scheduleId": "s-1",
        "attempt": 2,
        "processedAt": "2030-01-01T10:00:01Z",
        "payloadFields": ["a", "b"],
    }


@pytest.mark.parametrize(
    ("simulate", "error"), [("transient", TransientProcessingError), ("failure", PermanentProcessingError)]
)
def test_simulated_failures_raise_the_named_errors(simulate: str, error: type[Exception]) -> None:
    # When the payload asks for a failure / Then the matching error is raised
    with pytest.raises(error, match="attempt 1"):
        process_request(event({"simulate": simulate}))


def test_a_simulated_failure_can_stop_at_a_later_attempt() -> None:
    # Given a payload that fails transiently until attempt 3
    payload = {"simulate": "transient", "simulateUntilAttempt": 3}

    # Then attempts 1 and 2 fail, attempt 3 succeeds
    for attempt in (1, 2):
        with pytest.raises(TransientProcessingError):
            process_request(event(payload, attempt))
    assert process_request(event(payload, 3)).attempt == 3


@pytest.mark.parametrize(
    "payload", [{"simulate": "sometimes"}, {"simulate": "failure", "simulateUntilAttempt": 0}]
)
def test_an_invalid_directive_is_a_permanent_failure(payload: dict[str, Any]) -> None:
    # Given a directive the processor does not understand / Then it fails permanently, not silently
    with pytest.raises(PermanentProcessingError, match="directive"):
        process_request(event(payload))


def test_the_transient_error_class_name_is_the_one_the_state_machine_retries() -> None:
    # Lambda reports the exception class name as errorType; the ASL's Retry names it.
    assert TransientProcessingError.__name__ == "TransientProcessingError"
