"""The ledger on its database, and the one place where database errors get their workflow names."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from functions.consent_deletion.ledger import DeletionLedger, SqlDeletionLedger, get_ledger_engine
from functions.consent_deletion.ledger_tasks.errors import LedgerUnavailable


@cache
def deletion_ledger() -> DeletionLedger:
    """The ledger of this execution environment, on the engine built from LEDGER_* settings at first use."""
    return SqlDeletionLedger(get_ledger_engine())


@contextmanager
def database_errors_as_ledger_unavailable() -> Iterator[None]:
    """Turn failures to reach or use the database into `LedgerUnavailable`, which the state machine retries.

    Only connection-level trouble is transient: lost or refused connections, timeouts, a locked SQLite
    file. Integrity or programming errors propagate under their own names and are not retried.
    """
    try:
        yield
    except (OperationalError, InterfaceError, PoolTimeoutError) as error:
        cause = getattr(error, "orig", None) or error
        raise LedgerUnavailable(f"the ledger database is unavailable: {type(cause).__name__}") from error
    except DBAPIError as error:
        if error.connection_invalidated:
            raise LedgerUnavailable("the ledger database connection was lost") from error
        raise
