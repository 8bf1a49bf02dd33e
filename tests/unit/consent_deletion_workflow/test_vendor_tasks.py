"""Vendor tasks: the request outcome, the normalised check status, and which vendor errors leave the task."""

from __future__ import annotations

import json
from typing import Any

import pytest

from functions.consent_deletion.third_party import (
    DeletionOutcome,
    DeletionRequested,
    OperationStatus,
    ThirdPartyContractError,
    ThirdPartyError,
    ThirdPartyRejected,
    ThirdPartyUnavailable,
)
from functions.consent_deletion.vendor_tasks import handler as vendor_handler
from functions.consent_deletion.vendor_tasks.errors import InvalidVendorTaskInput
from functions.consent_deletion.vendor_tasks.logic import check_deletion_status, request_deletion
from functions.consent_deletion.vendor_tasks.models import (
    CheckDeletionStatusTask,
    CheckStatus,
    RequestDeletionTask,
)
from tests.unit.consent_deletion_workflow.fakes import FakeDeletionApi, LambdaContextStub, accepted

REQUEST = RequestDeletionTask(execution_name="exec-1", customer_id="customer-7")
CHECK = CheckDeletionStatusTask(execution_name="exec-1", operation_id="op-1")


def operation(status: str, **extra: Any) -> OperationStatus:
    # As parsed from the vendor's JSON (the model is strict about Python values).
    return OperationStatus.model_validate_json(json.dumps({"operationId": "op-1", "status": status, **extra}))


def test_an_accepted_request_returns_the_operation_to_check() -> None:
    # Given a vendor that accepts the deletion
    api = FakeDeletionApi(deletion_answers=[accepted("customer-7", "op-1")])

    # When the deletion is requested
    result = request_deletion(REQUEST, api)

    # Then the operation id comes back for the check loop
    assert (result.outcome, result.operation_id) == (DeletionOutcome.ACCEPTED, "op-1")
    assert api.calls == [("request_deletion", "customer-7")]


def test_the_request_carries_the_execution_name_as_its_idempotency_key() -> None:
    # Given a vendor that times out once, then accepts
    api = FakeDeletionApi(
        deletion_answers=[ThirdPartyUnavailable("timed out"), accepted("customer-7", "op-1")]
    )

    # When the task runs and is retried
    with pytest.raises(ThirdPartyUnavailable):
        request_deletion(REQUEST, api)
    request_deletion(REQUEST, api)

    # Then both requests named the execution, so the vendor can answer the retry with the first operation
    assert api.idempotency_keys == ["exec-1", "exec-1"]


@pytest.mark.parametrize(("retry_after", "expected_seconds"), [(600, 600), (0.2, 1), (0, 0)])
def test_a_request_answered_with_retry_after_is_unavailable_with_that_wait(
    retry_after: float, expected_seconds: int
) -> None:
    # Given a vendor that throttles the request and names when to come back
    error = ThirdPartyUnavailable("429", status_code=429, retry_after=retry_after)

    # When the deletion is requested
    result = request_deletion(REQUEST, FakeDeletionApi(deletion_answers=[error]))

    # Then the task answers UNAVAILABLE with the wait (whole seconds, rounded up) for the state machine
    assert result.model_dump(mode="json") == {
        "outcome": "UNAVAILABLE",
        "operationId": None,
        "retryAfterSeconds": expected_seconds,
        "detail": "429",
    }


def test_an_unknown_customer_means_nothing_to_delete() -> None:
    # Given a vendor that does not know the customer
    api = FakeDeletionApi(
        deletion_answers=[
            DeletionRequested(customer_id="customer-7", outcome=DeletionOutcome.NOTHING_TO_DELETE)
        ]
    )

    # When the deletion is requested, Then there is no operation to check
    result = request_deletion(REQUEST, api)
    assert (result.outcome, result.operation_id) == (DeletionOutcome.NOTHING_TO_DELETE, None)


@pytest.mark.parametrize(
    "error",
    [
        ThirdPartyUnavailable("503", status_code=503),
        ThirdPartyRejected("400", status_code=400),
        ThirdPartyContractError("renamed field"),
    ],
    ids=lambda error: type(error).__name__,
)
def test_request_errors_leave_the_task_under_their_own_names(error: ThirdPartyError) -> None:
    # Given a vendor that fails the request, When it is requested, Then the named error reaches Step Functions
    with pytest.raises(type(error)):
        request_deletion(REQUEST, FakeDeletionApi(deletion_answers=[error]))


@pytest.mark.parametrize(
    ("vendor_status", "expected"),
    [
        ("PENDING", CheckStatus.IN_PROGRESS),
        ("RUNNING", CheckStatus.IN_PROGRESS),
        ("COMPLETED", CheckStatus.COMPLETED),
        ("FAILED", CheckStatus.FAILED),
    ],
)
def test_the_vendor_status_is_normalised_for_the_choice(vendor_status: str, expected: CheckStatus) -> None:
    # Given the vendor reports a status
    api = FakeDeletionApi(operation_answers=[operation(vendor_status)])

    # When the status is checked
    result = check_deletion_status(CHECK, api)

    # Then the Choice gets the normalised status and the ledger the vendor's own
    assert (result.status, result.vendor_status, result.retry_after_seconds) == (expected, vendor_status, 0)


def test_a_failed_operation_carries_the_vendors_reason() -> None:
    # Given a vendor that explains its failure in an extra field
    api = FakeDeletionApi(operation_answers=[operation("FAILED", reason="customer under legal hold")])

    # When the status is checked, Then the reason is passed on for the alert
    assert check_deletion_status(CHECK, api).detail == "customer under legal hold"


def test_an_unavailable_vendor_naming_a_time_counts_as_unavailable_with_that_time() -> None:
    # Given a vendor answering 429 with Retry-After 90.2 s
    api = FakeDeletionApi(operation_answers=[ThirdPartyUnavailable("429", status_code=429, retry_after=90.2)])

    # When the status is checked
    result = check_deletion_status(CHECK, api)

    # Then the loop is told not to come back within the (rounded up) Retry-After
    assert (result.status, result.vendor_status, result.retry_after_seconds) == (
        CheckStatus.UNAVAILABLE,
        None,
        91,
    )


def test_an_unavailable_vendor_naming_no_time_is_left_to_the_tasks_retry() -> None:
    # Given a vendor whose connection fails (no Retry-After)
    api = FakeDeletionApi(operation_answers=[ThirdPartyUnavailable("connection refused")])

    # When the status is checked, Then the named error is raised for the Task's Retry
    with pytest.raises(ThirdPartyUnavailable):
        check_deletion_status(CHECK, api)


def test_the_check_handler_returns_the_camel_case_contract(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given the handler on a vendor reporting RUNNING
    api = FakeDeletionApi(operation_answers=[operation("RUNNING")])
    monkeypatch.setattr(vendor_handler, "deletion_api", lambda: api)

    # When CheckDeletionStatus invokes it
    output = vendor_handler.check_deletion_status_handler(
        {"executionName": "exec-1", "operationId": "op-1"}, LambdaContextStub()
    )

    # Then the output has exactly the fields the state machine reads
    assert output == {
        "status": "IN_PROGRESS",
        "vendorStatus": "RUNNING",
        "retryAfterSeconds": 0,
        "detail": None,
    }


def test_the_request_handler_refuses_an_input_without_a_customer(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given the handler on a vendor that must not be called
    api = FakeDeletionApi()
    monkeypatch.setattr(vendor_handler, "deletion_api", lambda: api)

    # When RequestDeletion sends no customer id, Then a named input error is raised and the vendor not called
    with pytest.raises(InvalidVendorTaskInput):
        vendor_handler.request_deletion_handler({"executionName": "exec-1"}, LambdaContextStub())
    assert api.calls == []
