"""Find pending deletions whose execution is no longer running, and alert on each. Plain Python, no AWS.

A ConsentDeletion execution always moves its ledger row out of `pending_deletion` before it ends, unless
the ledger could not be written, or the execution was stopped, timed out or failed outside its own error
handling. Those rows are what this finds; each run alerts on every one still found, until a person
resolves it (redrive or a new execution).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from functions.consent_deletion.ledger import DeletionLedger, DeletionRecord, DeletionState
from functions.consent_deletion.reconciler.models import (
    ExecutionStatus,
    ReconciliationReport,
    StalePendingAlert,
)

_STATE_MACHINE_SEGMENT = ":stateMachine:"
_EXECUTION_SEGMENT = ":execution:"


class ExecutionStatusReader(Protocol):
    """Reads an execution's status (DescribeExecution in AWS)."""

    def status(self, execution_arn: str) -> ExecutionStatus: ...


class AlertPublisher(Protocol):
    """Sends an alert to the technical contacts' topic."""

    def publish(self, alert: StalePendingAlert) -> None: ...


def execution_arn_for(state_machine_arn: str, execution_name: str) -> str:
    """The ARN of the execution called `execution_name` of the state machine `state_machine_arn`.

    Example:
        >>> execution_arn_for("arn:aws:states:eu-west-1:123456789012:stateMachine:ConsentDeletion", "x")
        'arn:aws:states:eu-west-1:123456789012:execution:ConsentDeletion:x'
    """
    if _STATE_MACHINE_SEGMENT not in state_machine_arn:
        raise ValueError(f"not a state machine ARN: {state_machine_arn!r}")
    return f"{state_machine_arn.replace(_STATE_MACHINE_SEGMENT, _EXECUTION_SEGMENT, 1)}:{execution_name}"


def reconcile(
    ledger: DeletionLedger,
    executions: ExecutionStatusReader,
    publisher: AlertPublisher,
    *,
    state_machine_arn: str,
    now: datetime,
    stale_after: timedelta,
    max_rows: int,
) -> ReconciliationReport:
    """Alert on every pending deletion older than `stale_after` whose execution is not running."""
    candidates = ledger.stale_pending(now - stale_after, limit=max_rows)
    alerted: list[str] = []
    for record in candidates:
        execution_arn = execution_arn_for(state_machine_arn, record.execution_name)
        status = executions.status(execution_arn)
        if status.is_active or not _still_pending(ledger, record):
            continue
        publisher.publish(_alert(record, execution_arn, status, now))
        alerted.append(record.execution_name)
    return ReconciliationReport(
        examined=len(candidates),
        still_running=len(candidates) - len(alerted),
        alerted=alerted,
        row_limit_reached=len(candidates) >= max_rows,
    )


def _still_pending(ledger: DeletionLedger, record: DeletionRecord) -> bool:
    """Whether the row is still pending now that the execution is known to have ended.

    The execution may have finished, and moved its row out of pending, between the ledger read and the
    status lookup: only a row still pending after its execution ended is one nothing will complete.
    """
    current = ledger.find(record.execution_name)
    return current is not None and current.state is DeletionState.PENDING


def _alert(
    record: DeletionRecord, execution_arn: str, status: ExecutionStatus, now: datetime
) -> StalePendingAlert:
    execution = (
        "no execution by that name exists"
        if status is ExecutionStatus.NOT_FOUND
        else f"its execution is {status}"
    )
    progress = f"{record.check_count} status checks" + (
        f", last status {record.last_status} at {record.last_checked_at.isoformat()}"
        if record.last_status is not None and record.last_checked_at is not None
        else ""
    )
    return StalePendingAlert(
        customer_id=record.customer_id,
        operation_id=record.operation_id,
        execution_arn=execution_arn,
        execution_name=record.execution_name,
        requested_at=record.requested_at,
        detected_at=now,
        cause=(
            f"The ledger still shows this deletion as pending ({progress}), but {execution}: "
            "nothing will complete it or alert about it."
        ),
    )
