"""The ledger's tables, as SQLAlchemy Core metadata.

Every deletion is keyed by its Step Functions execution name, which is deterministic per revocation, so a
retried task finds the row it wrote before. A deletion lives in exactly one of `pending_deletion`,
`completed_deletion` and `deletion_failure`; `deletion_event` is the append-only audit trail, made
idempotent by its unique (execution_name, event_type, event_key).

The migrations under `migrations/versions/` create these tables; a test compares the two.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Column,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.schema import SchemaItem

from .column_types import UtcDateTime
from .models import EventType, FailureKind, RevocationReason

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Step Functions limits execution names to 80 characters.
EXECUTION_NAME_LENGTH = 80
# The consent table's partition key: DynamoDB allows 2,048 bytes, and VARCHAR counts characters.
CUSTOMER_ID_LENGTH = 2048
# What the vendor client accepts as an operation id.
OPERATION_ID_LENGTH = 512
STATUS_LENGTH = 32
# Holds an operation id (see repository.py).
EVENT_KEY_LENGTH = OPERATION_ID_LENGTH
SOURCE_EVENT_ID_LENGTH = 256

metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _in_list(column: str, values: type[StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(value.value) for value in values)})"


def _progress_columns() -> list[SchemaItem]:
    """Columns every deletion carries, so moving a row between tables is a plain copy."""
    return [
        Column("execution_name", String(EXECUTION_NAME_LENGTH), primary_key=True),
        Column("customer_id", String(CUSTOMER_ID_LENGTH), nullable=False, index=True),
        Column("requested_at", UtcDateTime(), nullable=False),
        Column("operation_id", String(OPERATION_ID_LENGTH)),
        Column("last_status", String(STATUS_LENGTH)),
        Column("check_count", Integer, nullable=False, default=0, server_default="0"),
        Column("last_checked_at", UtcDateTime()),
        # What asked for the deletion: the execution input's reason and the stream record it came from.
        # Nullable because deletions recorded before revision 0002 do not know them.
        Column("revocation_reason", String(STATUS_LENGTH)),
        Column("source_event_id", String(SOURCE_EVENT_ID_LENGTH)),
        CheckConstraint(_in_list("revocation_reason", RevocationReason), name="known_revocation_reason"),
    ]


pending_deletion = Table(
    "pending_deletion",
    metadata,
    *_progress_columns(),
    # The reconciler scans for the oldest pending rows.
    Index("ix_pending_deletion_requested_at", "requested_at"),
)

completed_deletion = Table(
    "completed_deletion",
    metadata,
    *_progress_columns(),
    Column("completed_at", UtcDateTime(), nullable=False),
    Column("note", Text),
)

deletion_failure = Table(
    "deletion_failure",
    metadata,
    *_progress_columns(),
    Column("failure_kind", String(STATUS_LENGTH), nullable=False),
    Column("failure_reason", Text, nullable=False),
    Column("failed_at", UtcDateTime(), nullable=False),
    CheckConstraint(_in_list("failure_kind", FailureKind), name="known_failure_kind"),
)

deletion_event = Table(
    "deletion_event",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("execution_name", String(EXECUTION_NAME_LENGTH), nullable=False),
    Column("customer_id", String(CUSTOMER_ID_LENGTH), nullable=False, index=True),
    Column("event_type", String(STATUS_LENGTH), nullable=False),
    # What makes a retried task's event the same event: see repository.py.
    Column("event_key", String(EVENT_KEY_LENGTH), nullable=False),
    Column("detail", JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
    Column("occurred_at", UtcDateTime(), nullable=False),
    Column("recorded_at", UtcDateTime(), nullable=False),
    UniqueConstraint("execution_name", "event_type", "event_key"),
    CheckConstraint(_in_list("event_type", EventType), name="known_event_type"),
)

DELETION_TABLES = (pending_deletion, completed_deletion, deletion_failure)
