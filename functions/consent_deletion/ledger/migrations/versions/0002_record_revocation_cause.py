"""Record what asked for each deletion: the revocation reason and the stream record's event id.

Both columns are nullable: deletions recorded before this revision do not know them. They are added to
every deletion table because a row carries them when it moves from pending to completed or failed.

Revision ID: 0002_record_revocation_cause
Revises: 0001_create_ledger_tables
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_record_revocation_cause"
down_revision = "0001_create_ledger_tables"
branch_labels = None
depends_on = None

# Frozen copies of the values at this revision; later revisions change them with their own migration.
REVOCATION_REASONS = ("CONSENT_REVOKED", "CUSTOMER_DELETED")
DELETION_TABLES = ("pending_deletion", "completed_deletion", "deletion_failure")


def upgrade() -> None:
    reasons = ", ".join(repr(reason) for reason in REVOCATION_REASONS)
    for table in DELETION_TABLES:
        # Batch: SQLite cannot add a CHECK constraint in place, so it copies the table; elsewhere ALTERs.
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("revocation_reason", sa.String(32), nullable=True))
            batch.add_column(sa.Column("source_event_id", sa.String(256), nullable=True))
            batch.create_check_constraint(
                op.f(f"ck_{table}_known_revocation_reason"), f"revocation_reason IN ({reasons})"
            )


def downgrade() -> None:
    for table in reversed(DELETION_TABLES):
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(op.f(f"ck_{table}_known_revocation_reason"), type_="check")
            batch.drop_column("source_event_id")
            batch.drop_column("revocation_reason")
