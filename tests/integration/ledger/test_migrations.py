"""The ledger's Alembic migrations, run through the programmatic API on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import DBAPIError

from functions.consent_deletion.ledger import (
    SqlDeletionLedger,
    current_revision,
    downgrade,
    head_revision,
    upgrade,
)
from functions.consent_deletion.ledger.schema import metadata
from tests.integration.ledger.helpers import T0, LedgerDatabase

LEDGER_TABLES = {"pending_deletion", "completed_deletion", "deletion_failure", "deletion_event"}


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
    record = SqlDeletionLedger(engine).record_deletion_requested("exec-1", "customer-1", T0)
    assert record.customer_id == "customer-1"


def test_upgrade_at_head_changes_nothing(ledger_database: LedgerDatabase) -> None:
    # Given a migrated ledger holding a deletion (deploys and local starts migrate every time)
    engine = ledger_database.new_engine()
    upgrade(engine)
    ledger = SqlDeletionLedger(engine)
    ledger.record_deletion_requested("exec-1", "customer-1", T0)

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
    SqlDeletionLedger(engine).record_deletion_requested("exec-1", "customer-1", T0)

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
