"""What the ledger hands back: the state of one deletion and its audit events."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict

from functions.consent_deletion.revocation import RevocationReason


class DeletionState(StrEnum):
    """Which ledger table holds a deletion."""

    PENDING = "PENDING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"


class FailureKind(StrEnum):
    """Why a deletion ended without the vendor confirming it."""

    FAILED = "FAILED"  # the vendor reported the operation as FAILED
    TIMED_OUT = "TIMED_OUT"  # still not complete when the deadline passed
    REJECTED = "REJECTED"  # the vendor refused the request (a 4xx other than 404/429)
    CONTRACT_ERROR = "CONTRACT_ERROR"  # the vendor answered in a shape we do not understand
    UNAVAILABLE = "UNAVAILABLE"  # the vendor stayed unreachable after every retry
    # One of our own steps failed (a ledger write, a task's bug or configuration): not the vendor's doing.
    INTERNAL_ERROR = "INTERNAL_ERROR"


class EventType(StrEnum):
    """The kinds of audit event, one for each ledger task."""

    DELETION_REQUESTED = "DELETION_REQUESTED"
    OPERATION_RECORDED = "OPERATION_RECORDED"
    STATUS_CHECKED = "STATUS_CHECKED"
    DELETION_COMPLETED = "DELETION_COMPLETED"
    DELETION_FAILED = "DELETION_FAILED"


class DeletionRecord(BaseModel):
    """One deletion as the ledger knows it, whichever table it sits in."""

    model_config = ConfigDict(frozen=True)

    execution_name: str
    customer_id: str
    state: DeletionState
    requested_at: AwareDatetime
    # None only for deletions recorded before the ledger kept the revocation's cause.
    revocation_reason: RevocationReason | None = None
    source_event_id: str | None = None
    operation_id: str | None = None
    last_status: str | None = None
    check_count: int = 0
    last_checked_at: AwareDatetime | None = None
    completed_at: AwareDatetime | None = None
    note: str | None = None
    failure_kind: FailureKind | None = None
    failure_reason: str | None = None
    failed_at: AwareDatetime | None = None


class DeletionEvent(BaseModel):
    """One row of the append-only audit trail."""

    model_config = ConfigDict(frozen=True)

    execution_name: str
    customer_id: str
    event_type: EventType
    event_key: str
    detail: dict[str, Any]
    occurred_at: AwareDatetime
    recorded_at: AwareDatetime
