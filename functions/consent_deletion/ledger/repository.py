"""The operations the ConsentDeletion ledger tasks perform, each safe to run any number of times.

Idempotency: every call appends one audit event whose key is (execution_name, event_type, event_key),
inserted with ON CONFLICT DO NOTHING. The event and the state change it describes commit together, so an
event that already exists means its change was already made, and a retried task changes nothing.

    event type            event_key                          so a retry is recognised because...
    DELETION_REQUESTED    "once"                             an execution is requested once
    OPERATION_RECORDED    the vendor's operation id          the same operation is the same event
    STATUS_CHECKED        checked_at                         the task passes the time the check was made
    DELETION_COMPLETED    "once"                             completion is final
    DELETION_FAILED       failed_at                          a redriven execution may fail again later

Every time the ledger stores comes from the caller: when a step happened (the revocation, the check's own
time, the time a failure was detected) and when the workflow recorded it (`recorded_at`, the Record*
state's `$states.context.State.EnteredTime`). The ledger never reads a clock, so a retried task writes
the same values, and the local runtime's virtual clock gives a trail consistent with its executions.

Transitions only move forward: pending -> completed | failed, failed -> completed (a redriven execution
that finally succeeds). A completed deletion never changes again; a late operation, check or failure
still leaves its audit event, marked "ignored".
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Connection, Engine, Insert, RowMapping, Table, select, update
from sqlalchemy.dialects import postgresql, sqlite

from .column_types import as_utc
from .errors import DeletionNotFound, ExecutionNameConflict, UnsupportedDatabase
from .models import DeletionEvent, DeletionRecord, DeletionState, EventType, FailureKind, RevocationReason
from .schema import completed_deletion, deletion_event, deletion_failure, pending_deletion

ONCE = "once"
PROGRESS_COLUMNS = (
    "execution_name",
    "customer_id",
    "requested_at",
    "operation_id",
    "last_status",
    "check_count",
    "last_checked_at",
    "revocation_reason",
    "source_event_id",
)
TABLE_BY_STATE: Mapping[DeletionState, Table] = {
    DeletionState.PENDING: pending_deletion,
    DeletionState.FAILED: deletion_failure,
    DeletionState.COMPLETED: completed_deletion,
}


class DeletionLedger(Protocol):
    """What the ledger tasks and the reconciler need from the ledger."""

    def record_deletion_requested(
        self,
        execution_name: str,
        customer_id: str,
        requested_at: datetime,
        *,
        reason: RevocationReason,
        source_event_id: str,
        recorded_at: datetime,
    ) -> DeletionRecord: ...

    def record_operation(
        self, execution_name: str, operation_id: str, *, recorded_at: datetime
    ) -> DeletionRecord: ...

    def record_check(
        self, execution_name: str, status: str, checked_at: datetime, *, recorded_at: datetime
    ) -> DeletionRecord: ...

    def record_completed(
        self, execution_name: str, completed_at: datetime, note: str | None = None, *, recorded_at: datetime
    ) -> DeletionRecord: ...

    def record_failed(
        self,
        execution_name: str,
        kind: FailureKind,
        reason: str,
        failed_at: datetime,
        *,
        recorded_at: datetime,
    ) -> DeletionRecord: ...

    def find(self, execution_name: str) -> DeletionRecord | None: ...

    def find_by_customer(self, customer_id: str) -> list[DeletionRecord]: ...

    def stale_pending(self, older_than: datetime, limit: int = 100) -> list[DeletionRecord]: ...

    def events(self, execution_name: str) -> list[DeletionEvent]: ...


class SqlDeletionLedger:
    """The ledger on PostgreSQL or SQLite through SQLAlchemy Core."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def record_deletion_requested(
        self,
        execution_name: str,
        customer_id: str,
        requested_at: datetime,
        *,
        reason: RevocationReason,
        source_event_id: str,
        recorded_at: datetime,
    ) -> DeletionRecord:
        """Open a pending deletion for a revocation; a repeat for the same execution changes nothing.

        `requested_at` is the revocation time, `reason` and `source_event_id` what the execution input says
        caused it, `recorded_at` when the workflow recorded it.
        """
        requested_at, reason = as_utc(requested_at), RevocationReason(reason)
        with self._engine.begin() as connection:
            current = self._locate(connection, execution_name)
            if current is None and not _insert_unless_present(
                connection,
                pending_deletion,
                {
                    "execution_name": execution_name,
                    "customer_id": customer_id,
                    "requested_at": requested_at,
                    "revocation_reason": reason.value,
                    "source_event_id": source_event_id,
                },
                key=("execution_name",),
            ):
                # A concurrent writer inserted it between our look and our insert.
                current = self._locate(connection, execution_name)
            if current is not None and current.customer_id != customer_id:
                raise ExecutionNameConflict(execution_name, current.customer_id, customer_id)
            self._append_event(
                connection,
                execution_name,
                customer_id,
                EventType.DELETION_REQUESTED,
                event_key=ONCE,
                occurred_at=requested_at,
                recorded_at=recorded_at,
                detail={
                    "requested_at": requested_at.isoformat(),
                    "reason": reason.value,
                    "source_event_id": source_event_id,
                },
            )
            return self._require(connection, execution_name, lock=False)

    def record_operation(
        self, execution_name: str, operation_id: str, *, recorded_at: datetime
    ) -> DeletionRecord:
        """Remember the vendor's operation id for a pending deletion.

        The operation counts as having happened at `recorded_at`: the workflow records it as soon as the
        vendor has answered.
        """
        recorded_at = as_utc(recorded_at)
        with self._engine.begin() as connection:
            current = self._require(connection, execution_name)
            applies = current.state is DeletionState.PENDING
            if (
                self._append_event(
                    connection,
                    execution_name,
                    current.customer_id,
                    EventType.OPERATION_RECORDED,
                    event_key=operation_id,
                    occurred_at=recorded_at,
                    recorded_at=recorded_at,
                    detail=_unless_applies({"operation_id": operation_id}, current, applies),
                )
                and applies
            ):
                connection.execute(
                    update(pending_deletion)
                    .where(pending_deletion.c.execution_name == execution_name)
                    .values(operation_id=operation_id)
                )
            return self._require(connection, execution_name, lock=False)

    def record_check(
        self, execution_name: str, status: str, checked_at: datetime, *, recorded_at: datetime
    ) -> DeletionRecord:
        """Count one status check; the latest check's status wins even if checks arrive out of order."""
        checked_at = as_utc(checked_at)
        with self._engine.begin() as connection:
            current = self._require(connection, execution_name)
            applies = current.state is DeletionState.PENDING
            if (
                self._append_event(
                    connection,
                    execution_name,
                    current.customer_id,
                    EventType.STATUS_CHECKED,
                    event_key=checked_at.isoformat(),
                    occurred_at=checked_at,
                    recorded_at=recorded_at,
                    detail=_unless_applies({"status": status}, current, applies),
                )
                and applies
            ):
                changes: dict[str, Any] = {"check_count": pending_deletion.c.check_count + 1}
                if current.last_checked_at is None or checked_at >= current.last_checked_at:
                    changes |= {"last_status": status, "last_checked_at": checked_at}
                connection.execute(
                    update(pending_deletion)
                    .where(pending_deletion.c.execution_name == execution_name)
                    .values(changes)
                )
            return self._require(connection, execution_name, lock=False)

    def record_completed(
        self, execution_name: str, completed_at: datetime, note: str | None = None, *, recorded_at: datetime
    ) -> DeletionRecord:
        """Move the deletion to `completed_deletion` in one transaction; `note` says why, if unusual."""
        completed_at = as_utc(completed_at)
        with self._engine.begin() as connection:
            current = self._require(connection, execution_name)
            applies = current.state is not DeletionState.COMPLETED
            if (
                self._append_event(
                    connection,
                    execution_name,
                    current.customer_id,
                    EventType.DELETION_COMPLETED,
                    event_key=ONCE,
                    occurred_at=completed_at,
                    recorded_at=recorded_at,
                    detail=_unless_applies({"note": note}, current, applies),
                )
                and applies
            ):
                _move(connection, current, completed_deletion, {"completed_at": completed_at, "note": note})
            return self._require(connection, execution_name, lock=False)

    def record_failed(
        self,
        execution_name: str,
        kind: FailureKind,
        reason: str,
        failed_at: datetime,
        *,
        recorded_at: datetime,
    ) -> DeletionRecord:
        """Move the deletion to `deletion_failure` in one transaction; a newer failure replaces it."""
        failed_at = as_utc(failed_at)
        kind = FailureKind(kind)
        with self._engine.begin() as connection:
            current = self._require(connection, execution_name)
            applies = current.state is DeletionState.PENDING or (
                current.state is DeletionState.FAILED
                and current.failed_at is not None
                and failed_at > current.failed_at
            )
            failure = {"failure_kind": kind.value, "failure_reason": reason, "failed_at": failed_at}
            if (
                self._append_event(
                    connection,
                    execution_name,
                    current.customer_id,
                    EventType.DELETION_FAILED,
                    event_key=failed_at.isoformat(),
                    occurred_at=failed_at,
                    recorded_at=recorded_at,
                    detail=_unless_applies({"kind": kind.value, "reason": reason}, current, applies),
                )
                and applies
            ):
                if current.state is DeletionState.PENDING:
                    _move(connection, current, deletion_failure, failure)
                else:
                    connection.execute(
                        update(deletion_failure)
                        .where(deletion_failure.c.execution_name == execution_name)
                        .values(failure)
                    )
            return self._require(connection, execution_name, lock=False)

    def find(self, execution_name: str) -> DeletionRecord | None:
        """The deletion recorded for an execution, if any."""
        with self._engine.connect() as connection:
            return self._locate(connection, execution_name, lock=False)

    def find_by_customer(self, customer_id: str) -> list[DeletionRecord]:
        """Every deletion recorded for a customer, newest request first."""
        with self._engine.connect() as connection:
            records = [
                _record(state, row)
                for state, table in TABLE_BY_STATE.items()
                for row in connection.execute(
                    select(table).where(table.c.customer_id == customer_id)
                ).mappings()
            ]
        return sorted(records, key=lambda record: record.requested_at, reverse=True)

    def stale_pending(self, older_than: datetime, limit: int = 100) -> list[DeletionRecord]:
        """Pending deletions requested before `older_than`, oldest first: the reconciler's candidates."""
        query = (
            select(pending_deletion)
            .where(pending_deletion.c.requested_at < as_utc(older_than))
            .order_by(pending_deletion.c.requested_at, pending_deletion.c.execution_name)
            .limit(limit)
        )
        with self._engine.connect() as connection:
            return [_record(DeletionState.PENDING, row) for row in connection.execute(query).mappings()]

    def events(self, execution_name: str) -> list[DeletionEvent]:
        """The audit trail of one execution, in the order it was written."""
        query = (
            select(deletion_event)
            .where(deletion_event.c.execution_name == execution_name)
            .order_by(deletion_event.c.id)
        )
        with self._engine.connect() as connection:
            return [DeletionEvent.model_validate(dict(row)) for row in connection.execute(query).mappings()]

    def _require(self, connection: Connection, execution_name: str, *, lock: bool = True) -> DeletionRecord:
        record = self._locate(connection, execution_name, lock=lock)
        if record is None:
            raise DeletionNotFound(execution_name)
        return record

    def _locate(
        self, connection: Connection, execution_name: str, *, lock: bool = True
    ) -> DeletionRecord | None:
        # Look in the order rows move (pending, failed, completed) so that a row moved by a concurrent
        # transaction while we wait for its lock is found in the next table, never missed.
        for state, table in TABLE_BY_STATE.items():
            query = select(table).where(table.c.execution_name == execution_name)
            row = connection.execute(query.with_for_update() if lock else query).mappings().first()
            if row is not None:
                return _record(state, row)
        return None

    def _append_event(
        self,
        connection: Connection,
        execution_name: str,
        customer_id: str,
        event_type: EventType,
        *,
        event_key: str,
        occurred_at: datetime,
        recorded_at: datetime,
        detail: dict[str, Any],
    ) -> bool:
        """Insert the audit event unless it exists; True when this call inserted it."""
        return _insert_unless_present(
            connection,
            deletion_event,
            {
                "execution_name": execution_name,
                "customer_id": customer_id,
                "event_type": event_type.value,
                "event_key": event_key,
                "detail": detail,
                "occurred_at": occurred_at,
                "recorded_at": as_utc(recorded_at),
            },
            key=("execution_name", "event_type", "event_key"),
        )


def _insert_unless_present(
    connection: Connection, table: Table, values: dict[str, Any], *, key: tuple[str, ...]
) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING; a concurrent writer of the same key waits, then inserts nothing."""
    dialect = connection.dialect.name
    statement: Insert
    if dialect == "postgresql":
        statement = postgresql.insert(table).values(values).on_conflict_do_nothing(index_elements=key)
    elif dialect == "sqlite":
        statement = sqlite.insert(table).values(values).on_conflict_do_nothing(index_elements=key)
    else:
        raise UnsupportedDatabase(f"the ledger runs on PostgreSQL or SQLite, not {dialect!r}")
    return connection.execute(statement).rowcount == 1


def _move(connection: Connection, current: DeletionRecord, target: Table, outcome: dict[str, Any]) -> None:
    progress = current.model_dump(include=set(PROGRESS_COLUMNS))
    connection.execute(target.insert().values({**progress, **outcome}))
    source = TABLE_BY_STATE[current.state]
    connection.execute(source.delete().where(source.c.execution_name == current.execution_name))


def _unless_applies(detail: dict[str, Any], current: DeletionRecord, applies: bool) -> dict[str, Any]:
    return detail if applies else {**detail, "ignored": f"deletion already {current.state.value}"}


def _record(state: DeletionState, row: RowMapping) -> DeletionRecord:
    return DeletionRecord.model_validate({"state": state, **row})
