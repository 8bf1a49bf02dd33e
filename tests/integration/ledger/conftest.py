"""Ledger fixtures: every test runs once on SQLite and once on PostgreSQL, each in a database of its own.

PostgreSQL comes from TEST_POSTGRES_URL. When it cannot be reached the PostgreSQL half is skipped, or
fails when CI is set, so a CI run can never pass without having exercised PostgreSQL.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, make_url, text
from sqlalchemy.exc import DBAPIError

from functions.consent_deletion.ledger import SqlDeletionLedger, engine_for_url, upgrade
from tests.integration.ledger.helpers import LedgerDatabase

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
POSTGRES_CONNECT_TIMEOUT_SECONDS = 10


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[Engine]:
    """An engine on TEST_POSTGRES_URL, or a skip (a failure under CI) when PostgreSQL is unreachable."""
    url = make_url(os.environ.get("TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL))
    engine = engine_for_url(url)

    @event.listens_for(engine, "do_connect")
    def _bounded_connect(_dialect: Any, _record: Any, _cargs: Any, cparams: dict[str, Any]) -> None:
        cparams["timeout"] = POSTGRES_CONNECT_TIMEOUT_SECONDS

    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except (DBAPIError, OSError) as error:
        engine.dispose()
        message = (
            f"PostgreSQL is unreachable at {url.render_as_string(hide_password=True)} "
            f"({getattr(error, 'orig', error)}); start it or set TEST_POSTGRES_URL"
        )
        if os.environ.get("CI"):
            pytest.fail(f"{message}. CI is set, so the PostgreSQL ledger tests fail instead of skipping.")
        pytest.skip(message)
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def ledger_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LedgerDatabase]:
    """An empty, unmigrated ledger database private to this test."""
    if request.param == "sqlite":
        database = LedgerDatabase("sqlite", make_url(f"sqlite:///{tmp_path / 'ledger.sqlite3'}"))
        yield database
        database.dispose()
        return

    admin: Engine = request.getfixturevalue("postgres_admin")
    schema = f"ledger_test_{uuid.uuid4().hex[:16]}"
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    database = LedgerDatabase("postgresql", admin.url, postgres_schema=schema)
    try:
        yield database
    finally:
        database.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture
def engine(ledger_database: LedgerDatabase) -> Engine:
    """An engine on the private database, migrated to head."""
    engine = ledger_database.new_engine()
    upgrade(engine)
    return engine


@pytest.fixture
def ledger(engine: Engine) -> SqlDeletionLedger:
    return SqlDeletionLedger(engine)
