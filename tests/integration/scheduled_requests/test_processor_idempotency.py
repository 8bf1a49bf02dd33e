"""The example processor against moto DynamoDB: one scheduleId is processed at most once."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from functions.scheduled_requests.processor import handler as processor
from functions.scheduled_requests.processor.logic import PermanentProcessingError, process_request
from functions.scheduled_requests.processor.models import ProcessingResult
from functions.scheduled_requests.workflow_contract import ProcessorEvent, TransientProcessingError
from tests.integration.scheduled_requests.conftest import LambdaContextStub


def processor_event(
    schedule_id: str, payload: dict[str, Any] | None = None, attempt: int = 1
) -> dict[str, Any]:
    return {
        "scheduleId": schedule_id,
        "triggerAt": "2030-01-01T10:00:00Z",
        "payload": payload if payload is not None else {"order": 42},
        "attempt": attempt,
    }


@pytest.fixture
def business_logic_calls(monkeypatch: pytest.MonkeyPatch, idempotency_table: str) -> list[str]:
    """Counts runs of the real business logic, by scheduleId."""
    calls: list[str] = []

    def counting(request: ProcessorEvent) -> ProcessingResult:
        calls.append(request.schedule_id)
        return process_request(request)

    monkeypatch.setattr(processor, "process_request", counting)
    processor.idempotent_processor.cache_clear()
    return calls


def test_the_same_schedule_twice_runs_the_business_logic_once(
    business_logic_calls: list[str], idempotency_table: str
) -> None:
    # Given a schedule processed once
    first = processor.handler(processor_event("s-1"), LambdaContextStub())

    # When the state machine retries the task for the same scheduleId
    second = processor.handler(processor_event("s-1"), LambdaContextStub())

    # Then the business logic ran once, the retry got the stored result, and one record is COMPLETED
    assert business_logic_calls == ["s-1"]
    assert second == first
    assert first["scheduleId"] == "s-1"
    items = boto3.client("dynamodb").scan(TableName=idempotency_table)["Items"]
    assert [item["status"]["S"] for item in items] == ["COMPLETED"]
    assert "expiration" in items[0]


def test_different_schedules_are_each_processed(business_logic_calls: list[str]) -> None:
    # When two schedules are processed / Then the logic runs for each
    processor.handler(processor_event("s-1"), LambdaContextStub())
    processor.handler(processor_event("s-2"), LambdaContextStub())
    assert business_logic_calls == ["s-1", "s-2"]


@pytest.mark.parametrize(
    ("simulate", "error"), [("transient", TransientProcessingError), ("failure", PermanentProcessingError)]
)
def test_a_failed_run_stores_nothing_so_the_next_attempt_runs(
    business_logic_calls: list[str], idempotency_table: str, simulate: str, error: type[Exception]
) -> None:
    # Given an attempt that fails (transiently or for good) until attempt 2
    payload = {"simulate": simulate, "simulateUntilAttempt": 2}
    with pytest.raises(error):
        processor.handler(processor_event("s-1", payload, attempt=1), LambdaContextStub())

    # When the next attempt comes / Then the logic runs again and succeeds
    result = processor.handler(processor_event("s-1", payload, attempt=2), LambdaContextStub())
    assert business_logic_calls == ["s-1", "s-1"]
    assert result["attempt"] == 2


def test_a_concurrent_run_for_the_same_schedule_is_transient(
    monkeypatch: pytest.MonkeyPatch, idempotency_table: str
) -> None:
    # Given business logic that, while it runs, sees the same scheduleId arrive again
    inner_errors: list[Exception] = []

    def reentrant(request: ProcessorEvent) -> ProcessingResult:
        try:
            processor.handler(processor_event(request.schedule_id), LambdaContextStub())
        except Exception as error:
            inner_errors.append(error)
        return process_request(request)

    monkeypatch.setattr(processor, "process_request", reentrant)
    processor.idempotent_processor.cache_clear()

    # When the outer run completes
    outer = processor.handler(processor_event("s-1"), LambdaContextStub())

    # Then the overlapping run was refused as TransientProcessingError (the ASL retries it later)
    assert [type(error) for error in inner_errors] == [TransientProcessingError]
    assert outer["scheduleId"] == "s-1"


@pytest.mark.parametrize(
    "event",
    [
        {"triggerAt": "2030-01-01T10:00:00Z", "payload": {}, "attempt": 1},
        {"scheduleId": "s-1", "triggerAt": "2030-01-01T10:00:00Z", "payload": [], "attempt": 1},
        {"scheduleId": "s-1", "triggerAt": "2030-01-01T10:00:00Z", "payload": {}, "attempt": 0},
    ],
    ids=["no scheduleId", "payload not an object", "attempt 0"],
)
def test_a_malformed_event_is_refused_before_any_processing(
    business_logic_calls: list[str], idempotency_table: str, event: dict[str, Any]
) -> None:
    # When the event breaks the contract / Then it fails (a permanent error) and nothing is recorded
    with pytest.raises(ValueError):
        processor.handler(event, LambdaContextStub())
    assert business_logic_calls == []
    assert boto3.client("dynamodb").scan(TableName=idempotency_table)["Items"] == []
