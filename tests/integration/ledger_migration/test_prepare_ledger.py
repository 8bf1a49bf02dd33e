"""The deploy-time preparation of the ledger on real PostgreSQL: schema, IAM login user, least privilege.

RDS defines the `rds_iam` role; here the test creates a stand-in for it. Each test works in a schema and
with an application user of its own, so tests run in parallel.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, event, make_url, text
from sqlalchemy.exc import DBAPIError

from functions.consent_deletion.ledger import engine_for_url, head_revision
from functions.consent_deletion.ledger.schema import metadata
from functions.consent_deletion.ledger_migration.logic import (
    APPLICATION_PRIVILEGES,
    RDS_IAM_ROLE,
    InvalidRoleName,
    prepare_ledger,
)

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def admin() -> Iterator[Engine]:
    """The master user's engine on TEST_POSTGRES_URL (a skip, or a failure under CI, when unreachable)."""
    engine = engine_for_url(make_url(os.environ.get("TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)))
    try:
        with engine.begin() as connection:
            # Stands in for the role RDS defines; concurrent workers may race to create it.
            connection.execute(
                text(
                    f"DO $$ BEGIN CREATE ROLE {RDS_IAM_ROLE}; "
                    "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
                )
            )
    except (DBAPIError, OSError) as error:
        engine.dispose()
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is unreachable and CI is set: {error}")
        pytest.skip(f"PostgreSQL is unreachable: {error}")
    yield engine
    engine.dispose()


@pytest.fixture
def schema_engine(admin: Engine) -> Iterator[Engine]:
    """The master user's engine with a private, empty schema first on its search path."""
    schema = f"ledger_prepare_{uuid.uuid4().hex[:12]}"
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = engine_for_url(admin.url)

    @event.listens_for(engine, "do_connect")
    def _use_schema(_dialect: Any, _record: Any, _cargs: Any, cparams: dict[str, Any]) -> None:
        cparams["startup_params"] = {"search_path": schema}

    yield engine
    engine.dispose()
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture
def application_user(admin: Engine) -> Iterator[str]:
    user = f"ledger_app_{uuid.uuid4().hex[:12]}"
    yield user
    with admin.begin() as connection:
        if connection.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :user"), {"user": user}):
            connection.execute(text(f'DROP OWNED BY "{user}"'))
            connection.execute(text(f'DROP ROLE "{user}"'))


def _has(engine: Engine, user: str, table: str, privilege: str) -> bool:
    with engine.connect() as connection:
        return bool(
            connection.scalar(
                text("SELECT has_table_privilege(:user, current_schema() || '.' || :table, :privilege)"),
                {"user": user, "table": table, "privilege": privilege},
            )
        )


def test_every_ledger_table_has_its_application_privileges_declared() -> None:
    # Given the ledger's tables / Then each one says what the application user may do with it
    assert set(APPLICATION_PRIVILEGES) == set(metadata.tables)


def test_a_fresh_database_gets_the_schema_and_an_iam_login_user(
    schema_engine: Engine, application_user: str
) -> None:
    # Given an empty schema and no application user / When the ledger is prepared
    report = prepare_ledger(schema_engine, application_user)

    # Then the schema is at head and the user logs in through IAM only (member of rds_iam, no password)
    assert report.revision == head_revision()
    assert report.user_created is True
    with schema_engine.connect() as connection:
        role = connection.execute(
            text("SELECT rolcanlogin, rolpassword IS NULL FROM pg_authid WHERE rolname = :user"),
            {"user": application_user},
        ).one()
        member = connection.scalar(
            text("SELECT pg_has_role(:user, :iam, 'MEMBER')"), {"user": application_user, "iam": RDS_IAM_ROLE}
        )
    assert tuple(role) == (True, True)
    assert member is True


def test_the_user_may_read_and_write_rows_but_never_change_the_audit_trail(
    schema_engine: Engine, application_user: str
) -> None:
    # Given a prepared ledger
    prepare_ledger(schema_engine, application_user)

    # Then the deletion tables accept every row operation and the audit table only reads and inserts
    for table in ("pending_deletion", "completed_deletion", "deletion_failure"):
        for privilege in ("SELECT", "INSERT", "UPDATE", "DELETE"):
            assert _has(schema_engine, application_user, table, privilege), (table, privilege)
    assert _has(schema_engine, application_user, "deletion_event", "INSERT")
    assert not _has(schema_engine, application_user, "deletion_event", "UPDATE")
    assert not _has(schema_engine, application_user, "deletion_event", "DELETE")
    assert not _has(schema_engine, application_user, "alembic_version", "UPDATE")


def test_preparing_again_changes_nothing_and_succeeds(schema_engine: Engine, application_user: str) -> None:
    # Given a prepared ledger / When the next deployment prepares it again
    first = prepare_ledger(schema_engine, application_user)
    second = prepare_ledger(schema_engine, application_user)

    # Then the second run finds the user in place and the schema at the same revision
    assert second.user_created is False
    assert second.revision == first.revision == head_revision()


def test_a_user_name_that_is_not_a_plain_identifier_is_refused(schema_engine: Engine) -> None:
    # Given a name that would need quoting (or smuggle SQL) / When / Then nothing runs
    with pytest.raises(InvalidRoleName):
        prepare_ledger(schema_engine, 'app"; DROP TABLE pending_deletion; --')
