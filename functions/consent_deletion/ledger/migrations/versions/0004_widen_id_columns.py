"""Widen customer ids to DynamoDB's key limit and operation ids to what the vendor client accepts.

A customer id is the consent table's partition key, which DynamoDB allows up to 2,048 bytes; VARCHAR
counts characters, so 2,048 characters hold every such id. Operation ids are the vendor's, which the
client accepts up to 512 characters; an audit event's key may hold one. Narrower columns made those
deletions fail as LedgerWriteFailed.

On PostgreSQL widening a VARCHAR changes only the catalogue. SQLite cannot alter a column, so batch mode
copies each table; the copy loses deletion_event's append-only triggers, which are created again.
Downgrading fails while a longer id is stored, rather than cutting it.

Revision ID: 0004_widen_id_columns
Revises: 0003_internal_error_kind
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from alembic.operations import BatchOperations

revision = "0004_widen_id_columns"
down_revision = "0003_internal_error_kind"
branch_labels = None
depends_on = None

# Frozen copies of the values at this revision and the one before it.
CUSTOMER_ID_LENGTH_BEFORE, CUSTOMER_ID_LENGTH = 256, 2048
OPERATION_ID_LENGTH_BEFORE, OPERATION_ID_LENGTH = 256, 512
DELETION_TABLES = ("pending_deletion", "completed_deletion", "deletion_failure")
AUDIT_TABLE = "deletion_event"


def upgrade() -> None:
    _resize(
        customer_id=(CUSTOMER_ID_LENGTH_BEFORE, CUSTOMER_ID_LENGTH),
        operation_id=(OPERATION_ID_LENGTH_BEFORE, OPERATION_ID_LENGTH),
    )


def downgrade() -> None:
    _resize(
        customer_id=(CUSTOMER_ID_LENGTH, CUSTOMER_ID_LENGTH_BEFORE),
        operation_id=(OPERATION_ID_LENGTH, OPERATION_ID_LENGTH_BEFORE),
    )


def _resize(*, customer_id: tuple[int, int], operation_id: tuple[int, int]) -> None:
    for table in DELETION_TABLES:
        with op.batch_alter_table(table) as batch:
            _alter_length(batch, "customer_id", *customer_id, nullable=False)
            _alter_length(batch, "operation_id", *operation_id, nullable=True)
    with op.batch_alter_table(AUDIT_TABLE) as batch:
        _alter_length(batch, "customer_id", *customer_id, nullable=False)
        _alter_length(batch, "event_key", *operation_id, nullable=False)
    if op.get_context().dialect.name == "sqlite":
        _forbid_audit_changes_on_sqlite()


def _alter_length(batch: BatchOperations, column: str, before: int, after: int, *, nullable: bool) -> None:
    batch.alter_column(
        column, existing_type=sa.String(before), type_=sa.String(after), existing_nullable=nullable
    )


def _forbid_audit_changes_on_sqlite() -> None:
    """The triggers of revision 0001, which the table copy dropped (PostgreSQL keeps them)."""
    for action in ("UPDATE", "DELETE"):
        op.execute(
            f"""
            CREATE TRIGGER IF NOT EXISTS deletion_event_no_{action.lower()}
            BEFORE {action} ON deletion_event
            BEGIN
                SELECT RAISE(ABORT, 'deletion_event is append-only');
            END
            """
        )
