"""Allow the INTERNAL_ERROR failure kind: one of our own steps failed, not the vendor.

Downgrading stores those failures as FAILED again, as they were before this revision, and keeps the
kind at the front of the reason so the distinction is not lost.

Revision ID: 0003_internal_error_kind
Revises: 0002_record_revocation_cause
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_internal_error_kind"
down_revision = "0002_record_revocation_cause"
branch_labels = None
depends_on = None

# Frozen copies of the values at this revision and the one before it.
FAILURE_KINDS_BEFORE = ("FAILED", "TIMED_OUT", "REJECTED", "CONTRACT_ERROR", "UNAVAILABLE")
INTERNAL_ERROR = "INTERNAL_ERROR"
CONSTRAINT = "ck_deletion_failure_known_failure_kind"


def upgrade() -> None:
    _allow_failure_kinds((*FAILURE_KINDS_BEFORE, INTERNAL_ERROR))


def downgrade() -> None:
    failure = sa.table(
        "deletion_failure", sa.column("failure_kind", sa.String), sa.column("failure_reason", sa.Text)
    )
    op.execute(
        failure.update()
        .where(failure.c.failure_kind == INTERNAL_ERROR)
        .values(failure_kind="FAILED", failure_reason=f"{INTERNAL_ERROR}: " + failure.c.failure_reason)
    )
    _allow_failure_kinds(FAILURE_KINDS_BEFORE)


def _allow_failure_kinds(kinds: tuple[str, ...]) -> None:
    # Batch: SQLite cannot change a CHECK constraint in place, so it copies the table; elsewhere ALTERs.
    with op.batch_alter_table("deletion_failure") as batch:
        batch.drop_constraint(op.f(CONSTRAINT), type_="check")
        batch.create_check_constraint(
            op.f(CONSTRAINT), f"failure_kind IN ({', '.join(repr(kind) for kind in kinds)})"
        )
