"""The deletion ledger: where every ConsentDeletion execution records what it did.

RDS PostgreSQL in AWS, SQLite locally; SQLAlchemy Core tables (`schema`), Alembic migrations that ship
with the code (`migrate`), and idempotent operations behind a small interface (`repository`).
"""

from __future__ import annotations

from .engine import create_ledger_engine, engine_for_url, get_ledger_engine
from .errors import (
    DeletionNotFound,
    ExecutionNameConflict,
    LedgerError,
    NaiveDatetimeError,
    UnsupportedDatabase,
)
from .migrate import current_revision, downgrade, head_revision, upgrade
from .models import DeletionEvent, DeletionRecord, DeletionState, EventType, FailureKind, RevocationReason
from .repository import DeletionLedger, SqlDeletionLedger
from .settings import LedgerSettings

__all__ = [
    "DeletionEvent",
    "DeletionLedger",
    "DeletionNotFound",
    "DeletionRecord",
    "DeletionState",
    "EventType",
    "ExecutionNameConflict",
    "FailureKind",
    "LedgerError",
    "LedgerSettings",
    "NaiveDatetimeError",
    "RevocationReason",
    "SqlDeletionLedger",
    "UnsupportedDatabase",
    "create_ledger_engine",
    "current_revision",
    "downgrade",
    "engine_for_url",
    "get_ledger_engine",
    "head_revision",
    "upgrade",
]
