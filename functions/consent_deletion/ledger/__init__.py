"""The deletion ledger: where every ConsentDeletion execution records what it did.

RDS PostgreSQL in AWS, SQLite locally; SQLAlchemy Core tables (`schema`), Alembic migrations that ship
with the code (`migrate`), and idempotent operations behind a small interface (`repository`).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .engine import create_ledger_engine, engine_for_url, get_ledger_engine
from .errors import (
    DeletionNotFound,
    ExecutionNameConflict,
    LedgerError,
    NaiveDatetimeError,
    UnsupportedDatabase,
)
from .models import DeletionEvent, DeletionRecord, DeletionState, EventType, FailureKind, RevocationReason
from .repository import DeletionLedger, SqlDeletionLedger
from .settings import LedgerSettings

if TYPE_CHECKING:
    from .migrate import current_revision, downgrade, head_revision, upgrade

# The migrations need Alembic (and Mako), which only the deploy-time migration, the local stack and people
# at a terminal use; the functions that read and write the ledger import this package without them.
_MIGRATION_FUNCTIONS = frozenset({"current_revision", "downgrade", "head_revision", "upgrade"})

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


def __getattr__(name: str) -> Any:
    if name in _MIGRATION_FUNCTIONS:
        return getattr(importlib.import_module(f"{__name__}.migrate"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
