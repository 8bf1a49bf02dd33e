"""Build the SQLAlchemy engine for the ledger: SQLite locally, RDS PostgreSQL with IAM auth in AWS."""

from __future__ import annotations

import ssl
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Engine, create_engine, event, make_url
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.pool import ConnectionPoolEntry

from .errors import UnsupportedDatabase
from .rds_auth import AuthTokenProvider, RdsIamAuthTokenProvider
from .settings import LedgerSettings

PG8000_DRIVER = "postgresql+pg8000"
# How long a SQLite writer waits for another writer's transaction before giving up.
SQLITE_BUSY_TIMEOUT_SECONDS = 30.0


@cache
def get_ledger_engine() -> Engine:
    """The process-wide ledger engine, built from the environment on first use (so imports stay cheap)."""
    return create_ledger_engine(LedgerSettings.from_environ())


def create_ledger_engine(
    settings: LedgerSettings, *, token_provider: AuthTokenProvider | None = None
) -> Engine:
    """An engine for the database `settings` names; RDS connections authenticate with IAM tokens."""
    if settings.database_url is not None:
        return engine_for_url(settings.database_url)
    return _rds_iam_engine(settings, token_provider or RdsIamAuthTokenProvider())


def engine_for_url(url: str | URL) -> Engine:
    """An engine for a SQLite or PostgreSQL URL; `postgresql://` URLs use the pg8000 driver."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(parsed)
    if backend == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername=PG8000_DRIVER)
        return create_engine(parsed, pool_pre_ping=True)
    raise UnsupportedDatabase(f"the ledger runs on PostgreSQL or SQLite, not {backend!r}")


def _sqlite_engine(url: URL) -> Engine:
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS})

    @event.listens_for(engine, "connect")
    def _take_over_transactions(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        # Python's sqlite3 would start transactions lazily and only for DML; SQLAlchemy emits BEGIN below.
        dbapi_connection.isolation_level = None
        # Readers (the console, the CLI) do not block the writer.
        dbapi_connection.execute("PRAGMA journal_mode=WAL")

    @event.listens_for(engine, "begin")
    def _begin_immediate(connection: Connection) -> None:
        # Take the write lock up front: two writers queue on the busy timeout instead of one of them
        # failing with "database is locked" when it upgrades a read lock.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _rds_iam_engine(settings: LedgerSettings, token_provider: AuthTokenProvider) -> Engine:
    host, name, user = _required(settings.db_host), _required(settings.db_name), _required(settings.db_user)
    port = settings.db_port
    engine = create_engine(
        URL.create(PG8000_DRIVER, username=user, host=host, port=port, database=name),
        # A Lambda environment serves one invocation at a time; reserved concurrency bounds the total.
        pool_size=1,
        max_overflow=0,
        # A frozen and thawed environment may hold a connection the server has since closed.
        pool_pre_ping=True,
        connect_args={
            "ssl_context": _verifying_ssl_context(settings.db_ca_bundle),
            "timeout": settings.connect_timeout_seconds,
        },
    )

    @event.listens_for(engine, "do_connect")
    def _fresh_iam_token(
        _dialect: Dialect, _record: ConnectionPoolEntry, _cargs: Any, cparams: dict[str, Any]
    ) -> None:
        # Tokens expire after 15 minutes but only authenticate the connect, so each new connection signs one.
        cparams["password"] = token_provider.auth_token(host=host, port=port, user=user)

    return engine


def _verifying_ssl_context(ca_bundle: Path | None) -> ssl.SSLContext:
    # IAM authentication requires SSL; verify the server against the RDS bundle so the token cannot leak.
    return ssl.create_default_context(cafile=str(ca_bundle) if ca_bundle is not None else None)


def _required(value: str | None) -> str:
    if value is None:  # LedgerSettings already refuses this; the check narrows the type.
        raise ValueError("incomplete RDS endpoint settings")
    return value
