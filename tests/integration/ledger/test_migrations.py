"""The ledger's Alembic migrations, run through the programmatic API on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, insert, inspect, select, text
from sqlalchemy.exc import DBAPIError

from functions.consent_deletion.ledger import (
    DeletionState,
    FailureKind,
    RevocationReason,
    SqlDeletionLedger,
    current_revision,
    downgrade,
    head_revision,
    upgrade,
)
from functions.consent_deletion.ledger.migrate import MIGRATIONS_DIRECTORY
from functions.consent_deletion.ledger.schema import (
    completed_deletion,
    deletion_failure,
    metadata,
    pending_deletion,
)
from tests.integration.ledger.helpers import T0, LedgerDatabase, request_deletion

LEDGER_TABLES = {"pending_deletion", "completed_deletion", "deletion_failure", "deletion_event"}
DELETION_TABLES = ("pending_deletion", "completed_deletion", "deletion_failure")
CREATE_LEDGER = "0001_create_ledger_tables"
RECORD_REVOCATION_CAUSE = "0002_record_revocation_cause"
INTERNAL_ERROR_KIND = "0003_internal_error_kind"
WIDEN_ID_COLUMNS = "0004_widen_id_columns"
REVOCATION_CAUSE_COLUMNS = {"revocation_reason", "source_event_id"}
# alembic_version.version_num is VARCHAR(32): a longer revision id cannot be stored on PostgreSQL.
MAX_REVISION_ID_LENGTH = 32
# pg8000 reports check violations as ProgrammingError, sqlite3 as IntegrityError; both name the constraint.
CHECK_VIOLATION = "(?i)check constraint"


def _tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def _indexed_columns(engine: Engine, table: str) -> set[tuple[str, ...]]:
    return {tuple(index["column_names"]) for index in inspect(engine).get_indexes(table)}  # type: ignore[arg-type]


def test_upgrade_to_head_creates_the_ledger(ledger_database: LedgerDatabase) -> None:
    # Given an empty database
    engine = ledger_database.new_engine()
    assert current_revision(engine) is None

    # When it is migrated to head
    upgrade(engine)

    # Then every ledger table exists, with the lookups the workflow and the reconciler use indexed
    assert _tables(engine) >= LEDGER_TABLES
    assert current_revision(engine) == head_revision()
    for table in ("pending_deletion", "completed_deletion", "deletion_failure", "deletion_event"):
        assert ("customer_id",) in _indexed_columns(engine, table)
    assert ("requested_at",) in _indexed_columns(engine, "pending_deletion")


def test_downgrade_to_base_and_upgrade_again(ledger_database: LedgerDatabase) -> None:
    # Given a database at head
    engine = ledger_database.new_engine()
    upgrade(engine)

    # When it is migrated all the way down
    downgrade(engine, "base")

    # Then no ledger table is left and the database reports no revision
    assert _tables(engine) & LEDGER_TABLES == set()
    assert current_revision(engine) is None

    # When it is migrated up again
    upgrade(engine, "head")

    # Then the ledger is back and works
    assert _tables(engine) >= LEDGER_TABLES
    record = request_deletion(SqlDeletionLedger(engine), "exec-1", "customer-1", T0)
    assert record.customer_id == "customer-1"


def test_upgrade_at_head_changes_nothing(ledger_database: LedgerDatabase) -> None:
    # Given a migrated ledger holding a deletion (deploys and local starts migrate every time)
    engine = ledger_database.new_engine()
    upgrade(engine)
    ledger = SqlDeletionLedger(engine)
    request_deletion(ledger, "exec-1", "customer-1", T0)

    # When it is migrated to head again
    upgrade(engine)

    # Then the data is untouched
    found = ledger.find("exec-1")
    assert found is not None
    assert found.customer_id == "customer-1"
    assert current_revision(engine) == head_revision()


def test_migrations_build_exactly_the_tables_schema_py_describes(engine: Engine) -> None:
    # Given a database migrated to head (the `engine` fixture)
    # When Alembic compares it with the metadata in schema.py
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)

    # Then there is nothing a new migration would have to change
    assert differences == []


def test_audit_events_cannot_be_changed_or_deleted(engine: Engine) -> None:
    # Given an audit event
    request_deletion(SqlDeletionLedger(engine), "exec-1", "customer-1", T0)

    # When someone updates or deletes it directly, Then the database refuses
    for statement in ("UPDATE deletion_event SET customer_id = 'someone-else'", "DELETE FROM deletion_event"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
            connection.execute(text(statement))

    # And the event is still there, unchanged
    [event] = SqlDeletionLedger(engine).events("exec-1")
    assert event.customer_id == "customer-1"


def test_upgrade_accepts_a_url_and_opens_its_own_engine(tmp_path: Path) -> None:
    # Given a SQLite URL with no database file behind it yet
    url = f"sqlite:///{tmp_path / 'from-url.sqlite3'}"

    # When it is migrated by URL
    upgrade(url)

    # Then the file holds the ledger at head
    assert current_revision(url) == head_revision()
    downgrade(url)
    assert current_revision(url) is None


def _columns(engine: Engine, table: str) -> set[str]:
    return {column["name"] for column in inspect(engine).get_columns(table)}


def _failure_row(engine: Engine, execution_name: str) -> tuple[str, str]:
    with engine.connect() as connection:
        row = connection.execute(
            select(deletion_failure.c.failure_kind, deletion_failure.c.failure_reason).where(
                deletion_failure.c.execution_name == execution_name
            )
        ).one()
    return row.failure_kind, row.failure_reason


def test_every_revision_id_fits_the_alembic_version_table() -> None:
    # Given every migration shipped with the code
    revisions = list(ScriptDirectory(str(MIGRATIONS_DIRECTORY)).walk_revisions())

    # Then each id can be stored as the database's current revision, and they form one line of history
    assert {revision.revision for revision in revisions} >= {
        CREATE_LEDGER,
        RECORD_REVOCATION_CAUSE,
        INTERNAL_ERROR_KIND,
    }
    assert all(len(revision.revision) <= MAX_REVISION_ID_LENGTH for revision in revisions)
    assert [revision.revision for revision in revisions if revision.down_revision is None] == [CREATE_LEDGER]


def test_deletions_recorded_before_0002_migrate_and_still_finish(ledger_database: LedgerDatabase) -> None:
    # Given a ledger at 0001 holding a pending, a completed and a failed deletion
    engine = ledger_database.new_engine()
    upgrade(engine, CREATE_LEDGER)
    progress = {"customer_id": "customer-1", "requested_at": T0, "check_count": 0}
    with engine.begin() as connection:
        connection.execute(insert(pending_deletion).values(execution_name="old-pending", **progress))
        connection.execute(
            insert(completed_deletion).values(execution_name="old-completed", completed_at=T0, **progress)
        )
        connection.execute(
            insert(deletion_failure).values(
                execution_name="old-failed",
                failure_kind="REJECTED",
                failure_reason="400",
                failed_at=T0,
                **progress,
            )
        )

    # When it is migrated to head
    upgrade(engine)

    # Then every table has the new columns, and the old deletions are there without a known cause
    for table in DELETION_TABLES:
        assert _columns(engine, table) >= REVOCATION_CAUSE_COLUMNS
    ledger = SqlDeletionLedger(engine)
    old = ledger.find_by_customer("customer-1")
    assert {record.execution_name for record in old} == {"old-pending", "old-completed", "old-failed"}
    assert all(record.revocation_reason is None and record.source_event_id is None for record in old)
    # And the pending one can still be finished, carrying its unknown cause along
    finished = ledger.record_completed("old-pending", T0 + timedelta(minutes=1), recorded_at=T0)
    assert (finished.state, finished.revocation_reason) == (DeletionState.COMPLETED, None)


def test_0002_down_and_up_keeps_the_deletions(ledger_database: LedgerDatabase) -> None:
    # Given a ledger at head with a deletion whose cause is known
    engine = ledger_database.new_engine()
    upgrade(engine)
    request_deletion(SqlDeletionLedger(engine), "exec-1", "customer-1", T0, RevocationReason.CUSTOMER_DELETED)

    # When it is migrated down to 0001
    downgrade(engine, CREATE_LEDGER)

    # Then the cause columns are gone from every table but the deletion is still there
    assert current_revision(engine) == CREATE_LEDGER
    for table in DELETION_TABLES:
        assert _columns(engine, table) & REVOCATION_CAUSE_COLUMNS == set()
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT customer_id FROM pending_deletion")) == "customer-1"

    # When it is migrated up again
    upgrade(engine)

    # Then the deletion is back at head with its cause unknown, and new deletions record theirs
    ledger = SqlDeletionLedger(engine)
    record = ledger.find("exec-1")
    assert record is not None and (record.customer_id, record.revocation_reason) == ("customer-1", None)
    fresh = request_deletion(ledger, "exec-2", "customer-2", T0, RevocationReason.CONSENT_REVOKED)
    assert (fresh.revocation_reason, fresh.source_event_id) == (
        RevocationReason.CONSENT_REVOKED,
        "stream-event-of-exec-2",
    )


def test_0003_down_keeps_internal_errors_as_failed_with_their_kind_in_the_reason(
    ledger_database: LedgerDatabase,
) -> None:
    # Given a ledger at head with an internal error and a vendor failure recorded
    engine = ledger_database.new_engine()
    upgrade(engine)
    ledger = SqlDeletionLedger(engine)
    for name, kind in (("internal", FailureKind.INTERNAL_ERROR), ("vendor", FailureKind.FAILED)):
        request_deletion(ledger, name, f"customer-{name}", T0)
        ledger.record_failed(name, kind, "it broke", T0, recorded_at=T0)

    # When it is migrated down to 0002
    downgrade(engine, RECORD_REVOCATION_CAUSE)

    # Then the internal error is stored as FAILED as before 0003, its kind kept in the reason
    assert current_revision(engine) == RECORD_REVOCATION_CAUSE
    assert _failure_row(engine, "internal") == ("FAILED", "INTERNAL_ERROR: it broke")
    assert _failure_row(engine, "vendor") == ("FAILED", "it broke")
    # And the database at 0002 refuses INTERNAL_ERROR again
    with pytest.raises(DBAPIError, match=CHECK_VIOLATION), engine.begin() as connection:
        connection.execute(
            deletion_failure.update()
            .where(deletion_failure.c.execution_name == "vendor")
            .values(failure_kind="INTERNAL_ERROR")
        )

    # When it is migrated up again, Then INTERNAL_ERROR can be recorded
    upgrade(engine)
    request_deletion(ledger, "later", "customer-later", T0)
    later = ledger.record_failed("later", FailureKind.INTERNAL_ERROR, "bug", T0, recorded_at=T0)
    assert later.failure_kind is FailureKind.INTERNAL_ERROR


@pytest.mark.parametrize(
    ("table", "column"),
    [
        *[pytest.param(table, "revocation_reason", id=f"{table}-reason") for table in DELETION_TABLES],
        pytest.param("deletion_failure", "failure_kind", id="deletion_failure-kind"),
    ],
)
def test_the_database_refuses_values_the_ledger_does_not_know(
    engine: Engine, table: str, column: str
) -> None:
    # Given a row of the table with a known value
    row = {
        "execution_name": "exec-1",
        "customer_id": "customer-1",
        "requested_at": T0,
        "check_count": 0,
        "revocation_reason": "CONSENT_REVOKED",
        "completed_at": T0,
        "failure_kind": "FAILED",
        "failure_reason": "r",
        "failed_at": T0,
    }
    target = metadata.tables[table]
    known = {name: value for name, value in row.items() if name in target.c}

    # When the column is given a value the ledger does not know, Then the database refuses the row
    with pytest.raises(DBAPIError, match=CHECK_VIOLATION), engine.begin() as connection:
        connection.execute(insert(target).values({**known, column: "SOMETHING_ELSE"}))
    # And it accepts the row with the known value
    with engine.begin() as connection:
        connection.execute(insert(target).values(known))


def test_0004_keeps_the_deletions_and_the_append_only_audit_and_takes_the_longest_customer_ids(
    ledger_database: LedgerDatabase,
) -> None:
    # Given a ledger at 0003 with a deletion under way
    engine = ledger_database.new_engine()
    upgrade(engine, INTERNAL_ERROR_KIND)
    ledger = SqlDeletionLedger(engine)
    request_deletion(ledger, "before", "customer-before", T0)
    ledger.record_operation("before", "op-1", recorded_at=T0)

    # When it is migrated to 0004
    upgrade(engine, WIDEN_ID_COLUMNS)

    # Then the deletion and its audit events are kept, and the audit trail still refuses changes
    assert current_revision(engine) == WIDEN_ID_COLUMNS
    record = ledger.find("before")
    assert record is not None and (record.customer_id, record.operation_id) == ("customer-before", "op-1")
    assert len(ledger.events("before")) == 2
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
        connection.execute(text("DELETE FROM deletion_event"))
    # And a customer id as long as a DynamoDB key can be is recorded whole
    longest = "c" * 2048
    assert request_deletion(ledger, "after", longest, T0).customer_id == longest
