"""The vendor response models enforce what the workflow relies on and tolerate what it does not."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from functions.consent_deletion.third_party import DeletionOutcome, DeletionRequested, OperationStatus


@pytest.mark.parametrize(
    "body",
    [
        b'{"operationId": "op-1", "status": "CANCELLED"}',
        b'{"operationId": "op-1", "status": "completed"}',
        b'{"operationId": 1, "status": "RUNNING"}',
        b'{"operationId": "", "status": "RUNNING"}',
        b'{"operationId": "op-1"}',
        b'["op-1", "RUNNING"]',
        b"",
    ],
)
def test_status_bodies_that_break_the_contract_are_refused(body: bytes) -> None:
    # When a status body that breaks the contract is parsed
    # Then it is refused
    with pytest.raises(ValidationError):
        OperationStatus.model_validate_json(body)


def test_additional_vendor_fields_are_kept() -> None:
    # When a status body carries fields the contract does not name
    status = OperationStatus.model_validate_json(b'{"operationId": "op-1", "status": "RUNNING", "eta": 30}')

    # Then they are kept alongside the contract's fields
    assert status.model_extra == {"eta": 30}
    assert status.model_dump(mode="json")["operationId"] == "op-1"


@pytest.mark.parametrize(
    ("outcome", "operation_id"),
    [(DeletionOutcome.ACCEPTED, None), (DeletionOutcome.NOTHING_TO_DELETE, "op-1")],
)
def test_deletion_result_ties_the_operation_id_to_the_outcome(
    outcome: DeletionOutcome, operation_id: str | None
) -> None:
    # When a result pairs an outcome with the wrong presence of an operation id
    # Then it cannot be built
    with pytest.raises(ValidationError):
        DeletionRequested(customer_id="c1", outcome=outcome, operation_id=operation_id)


def test_deletion_result_round_trips_through_state_json() -> None:
    # Given an accepted deletion as the workflow would pass it between states
    requested = DeletionRequested(customer_id="c1", outcome=DeletionOutcome.ACCEPTED, operation_id="op-1")
    state = requested.model_dump(mode="json")

    # When it is read back
    # Then it is the same result, in camelCase on the wire
    assert state == {"customerId": "c1", "outcome": "ACCEPTED", "operationId": "op-1"}
    assert DeletionRequested.model_validate(state) == requested
