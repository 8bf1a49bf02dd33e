"""Apply one ledger command to the deletion ledger. Plain Python over the `DeletionLedger` interface.

Every command is idempotent because the ledger is (see `ledger/repository.py`): every time in a command
comes from the state machine (the revocation, the check's own time, the Record* state's entered time),
never from this function's clock, so a retried or redriven task writes nothing twice.
"""

from __future__ import annotations

from functions.consent_deletion.ledger import DeletionLedger, DeletionRecord
from functions.consent_deletion.ledger_tasks.models import (
    LedgerCommand,
    LedgerTaskResult,
    RecordCheck,
    RecordCompleted,
    RecordFailed,
    RecordOperation,
    RecordRequested,
)


def apply_ledger_command(command: LedgerCommand, ledger: DeletionLedger) -> LedgerTaskResult:
    """Record what `command` says in `ledger` and describe the deletion afterwards."""
    return LedgerTaskResult.of(_apply(command, ledger))


def _apply(command: LedgerCommand, ledger: DeletionLedger) -> DeletionRecord:
    match command:
        case RecordRequested():
            return ledger.record_deletion_requested(
                command.execution_name,
                command.customer_id,
                command.requested_at,
                reason=command.reason,
                source_event_id=command.source_event_id,
                recorded_at=command.recorded_at,
            )
        case RecordOperation():
            return ledger.record_operation(
                command.execution_name, command.operation_id, recorded_at=command.recorded_at
            )
        case RecordCheck():
            return ledger.record_check(
                command.execution_name, command.status, command.checked_at, recorded_at=command.recorded_at
            )
        case RecordCompleted():
            return ledger.record_completed(
                command.execution_name, command.completed_at, command.note, recorded_at=command.recorded_at
            )
        case RecordFailed():
            return ledger.record_failed(
                command.execution_name,
                command.kind,
                command.reason,
                command.failed_at,
                recorded_at=command.recorded_at,
            )
