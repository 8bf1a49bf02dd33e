"""Create the deletion ledger: pending, completed and failed deletions and the audit trail.

Revision ID: 0001_create_ledger_tables
Revises:
Create Date: 2025-01-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001_create_ledger_tables"
down_revision = None
branch_labels = None
depends_on = None

# Frozen copies of the values at this revision; later revisions change them with their own migration.
FAILURE_KINDS = ("FAILED", "TIMED_OUT", "REJECTED", "CONTRACT_ERROR", "UNAVAILABLE")
EVENT_TYPES = (
    "DELETION_REQUESTED",
    "OPERATION_RECORDED",
    "STATUS_CHECKED",
    "DELETION_COMPLETED",
    "DELETION_FAILED",
)
DELETION_TABLES = ("pending_deletion", "completed_deletion", "deletion_failure")


def _timestamp() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _progress_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("execution_name", sa.String(80), nullable=False),
        sa.Column("customer_id", sa.String(256), nullable=False),
        sa.Column("requested_at", _timestamp(), nullable=False),
        sa.Column("operation_id", sa.String(256), nullable=True),
        sa.Column("last_status", sa.String(32), nullable=True),
        sa.Column("check_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_checked_at", _timestamp(), nullable=True),
    ]


def _in_list(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


def upgrade() -> None:
    op.create_table(
        "pending_deletion",
        *_progress_columns(),
        sa.PrimaryKeyConstraint("execution_name", name=op.f("pk_pending_deletion")),
    )
    op.create_index("ix_pending_deletion_requested_at", "pending_deletion", ["requested_at"])

    op.create_table(
        "completed_deletion",
        *_progress_columns(),
        sa.Column("completed_at", _timestamp(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("execution_name", name=op.f("pk_completed_deletion")),
    )

    op.create_table(
        "deletion_failure",
        *_progress_columns(),
        sa.Column("failure_kind", sa.String(32), nullable=False),
        sa.Column("failure_reason", sa.Text(), nullable=False),
        sa.Column("failed_at", _timestamp(), nullable=False),
        sa.PrimaryKeyConstraint("execution_name", name=op.f("pk_deletion_failure")),
        sa.CheckConstraint(
            _in_list("failure_kind", FAILURE_KINDS), name=op.f("ck_deletion_failure_known_failure_kind")
        ),
    )

    for table in DELETION_TABLES:
        op.create_index(op.f(f"ix_{table}_customer_id"), table, ["customer_id"])

    op.create_table(
        "deletion_event",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True),
        sa.Column("execution_name", sa.String(80), nullable=False),
        sa.Column("customer_id", sa.String(256), nullable=False),
        sa.Column("event_type", sa.String(32), nullable=False),
        sa.Column("event_key", sa.String(256), nullable=False),
        sa.Column("detail", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("occurred_at", _timestamp(), nullable=False),
        sa.Column("recorded_at", _timestamp(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deletion_event")),
        sa.UniqueConstraint(
            "execution_name",
            "event_type",
            "event_key",
            name=op.f("uq_deletion_event_execution_name_event_type_event_key"),
        ),
        sa.CheckConstraint(
            _in_list("event_type", EVENT_TYPES), name=op.f("ck_deletion_event_known_event_type")
        ),
    )
    op.create_index(op.f("ix_deletion_event_customer_id"), "deletion_event", ["customer_id"])
    _forbid_audit_changes()


def downgrade() -> None:
    _allow_audit_changes()
    op.drop_index(op.f("ix_deletion_event_customer_id"), table_name="deletion_event")
    op.drop_table("deletion_event")
    for table in reversed(DELETION_TABLES):
        op.drop_index(op.f(f"ix_{table}_customer_id"), table_name=table)
    op.drop_table("deletion_failure")
    op.drop_table("completed_deletion")
    op.drop_index("ix_pending_deletion_requested_at", table_name="pending_deletion")
    op.drop_table("pending_deletion")


def _forbid_audit_changes() -> None:
    """The audit trail is append-only: the database refuses UPDATE and DELETE on it."""
    if op.get_context().dialect.name == "postgresql":
        op.execute(
            """
            CREATE FUNCTION deletion_event_is_append_only() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'deletion_event is append-only';
            END;
            $$
            """
        )
        op.execute(
            """
            CREATE TRIGGER deletion_event_append_only
            BEFORE UPDATE OR DELETE ON deletion_event
            FOR EACH ROW EXECUTE FUNCTION deletion_event_is_append_only()
            """
        )
    else:
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"""
                CREATE TRIGGER deletion_event_no_{action.lower()}
                BEFORE {action} ON deletion_event
                BEGIN
                    SELECT RAISE(ABORT, 'deletion_event is append-only');
                END
                """
            )


def _allow_audit_changes() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP TRIGGER deletion_event_append_only ON deletion_event")
        op.execute("DROP FUNCTION deletion_event_is_append_only()")
    else:
        for action in ("update", "delete"):
            op.execute(f"DROP TRIGGER deletion_event_no_{action}")
