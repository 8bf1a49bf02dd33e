"""Values and small helpers shared by the ledger tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import URL, Engine, event, func, select

from functions.consent_deletion.ledger import (
    DeletionRecord,
    RevocationReason,
    SqlDeletionLedger,
    engine_for_url,
)
from functions.consent_deletion.ledger.schema import (
    completed_deletion,
    deletion_event,
    deletion_failure,
    pending_deletion,
)

# A fixed instant keeps every timestamp in the tests explicit.
T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def request_deletion(
    ledger: SqlDeletionLedger,
    execution_name: str = "exec-1",
    customer_id: str = "customer-1",
    at: datetime = T0,
    reason: RevocationReason = RevocationReason.CONSENT_REVOKED,
) -> DeletionRecord:
    """Open a pending deletion as RecordDeletionRequested does, for a revocation at `at` recorded at once."""
    return ledger.record_deletion_requested(
        execution_name,
        customer_id,
        at,
        reason=reason,
        source_event_id=f"stream-event-of-{execution_name}",
        recorded_at=at,
    )


def row_counts(engine: Engine, execution_name: str) -> dict[str, int]:
    """How many rows each ledger table holds for one execution."""
    with engine.connect() as connection:
        return {
            table.name: connection.scalar(
                select(func.count()).select_from(table).where(table.c.execution_name == execution_name)
            )
            or 0
            for table in (pending_deletion, completed_deletion, deletion_failure, deletion_event)
        }


@dataclass
class LedgerDatabase:
    """One empty database (a SQLite file, or a PostgreSQL schema) that tests may open many engines to."""

    backend: str
    url: URL
    postgres_schema: str | None = None
    _engines: list[Engine] = field(default_factory=list)

    def new_engine(self) -> Engine:
        """A separate engine (its own connection pool) on this database, built like the ledger builds one."""
        engine = engine_for_url(self.url)
        if self.postgres_schema is not None:
            event.listen(engine, "do_connect", _use_schema(self.postgres_schema))
        self._engines.append(engine)
        return engine

    def dispose(self) -> None:
        for engine in self._engines:
            engine.dispose()


def _use_schema(schema: str) -> Callable[..., None]:
    def set_search_path(_dialect: Any, _record: Any, _cargs: Any, cparams: dict[str, Any]) -> None:
        cparams["startup_params"] = {"search_path": schema}

    return set_search_path
