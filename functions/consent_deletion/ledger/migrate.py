"""Run the ledger's Alembic migrations from code, with no alembic.ini.

The deploy-time trigger and the local stack call `upgrade`; people use `python -m
functions.consent_deletion.ledger` (see `__main__.py`). The script location is resolved from this file,
so the migrations ship with the Lambda code.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import URL, Connection, Engine

from .engine import engine_for_url
from .schema import metadata

MIGRATIONS_DIRECTORY = Path(__file__).resolve().parent / "migrations"


def upgrade(url_or_engine: str | URL | Engine, revision: str = "head") -> None:
    """Migrate the ledger database forward to `revision` (by default the newest)."""
    with _connected(url_or_engine) as connection:
        command.upgrade(_alembic_config(connection), revision)


def downgrade(url_or_engine: str | URL | Engine, revision: str = "base") -> None:
    """Migrate the ledger database back to `revision` (by default: no ledger tables at all)."""
    with _connected(url_or_engine) as connection:
        command.downgrade(_alembic_config(connection), revision)


def current_revision(url_or_engine: str | URL | Engine) -> str | None:
    """The revision the database is at, or None when it has never been migrated."""
    with _connected(url_or_engine) as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    """The newest revision shipped with this code."""
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError(f"no migrations found in {MIGRATIONS_DIRECTORY}")
    return head


def write_revision(connection: Connection, message: str) -> None:
    """Write a new migration file holding what the database lacks compared with schema.py."""
    command.revision(_alembic_config(connection), message=message, autogenerate=True)


def _alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIRECTORY))
    config.attributes["connection"] = connection
    config.attributes["target_metadata"] = metadata
    return config


@contextmanager
def _connected(url_or_engine: str | URL | Engine) -> Iterator[Connection]:
    owns_engine = not isinstance(url_or_engine, Engine)
    engine = url_or_engine if isinstance(url_or_engine, Engine) else engine_for_url(url_or_engine)
    try:
        # One transaction for the whole run: a failed migration leaves nothing behind (DDL is transactional
        # on PostgreSQL and SQLite alike).
        with engine.begin() as connection:
            yield connection
    finally:
        if owns_engine:
            engine.dispose()
