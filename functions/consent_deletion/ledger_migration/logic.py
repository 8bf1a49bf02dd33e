"""Prepare the ledger database: schema at head, an IAM-authenticated application user with least privilege.

Runs as the master user on every deployment and is idempotent. The application user logs in only with
IAM tokens (membership of RDS's `rds_iam` role) and may only read and write rows: the audit table
accepts inserts but never updates or deletes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final

from sqlalchemy import Connection, Engine, text

from functions.consent_deletion.ledger import current_revision, upgrade
from functions.consent_deletion.ledger.schema import (
    completed_deletion,
    deletion_event,
    deletion_failure,
    pending_deletion,
)
from functions.consent_deletion.ledger_migration.models import PreparationReport

# The role RDS defines for users who authenticate with IAM database authentication tokens.
RDS_IAM_ROLE: Final = "rds_iam"
_ROW_PRIVILEGES: Final = ("SELECT", "INSERT", "UPDATE", "DELETE")
APPLICATION_PRIVILEGES: Final[Mapping[str, tuple[str, ...]]] = {
    pending_deletion.name: _ROW_PRIVILEGES,
    completed_deletion.name: _ROW_PRIVILEGES,
    deletion_failure.name: _ROW_PRIVILEGES,
    # Append-only: the audit trail is never changed once written.
    deletion_event.name: ("SELECT", "INSERT"),
}
_ROLE_NAME: Final = re.compile(r"[a-z_][a-z0-9_]{0,62}")


class InvalidRoleName(ValueError):
    """A database user name that is not a plain lower-case PostgreSQL identifier."""


def prepare_ledger(engine: Engine, application_user: str) -> PreparationReport:
    """Migrate the ledger to head and give ``application_user`` IAM login and its row privileges."""
    if not _ROLE_NAME.fullmatch(application_user):
        raise InvalidRoleName(f"{application_user!r} is not a plain lower-case PostgreSQL identifier")
    with engine.begin() as connection:
        created = _ensure_iam_login_role(connection, application_user)
    upgrade(engine)
    with engine.begin() as connection:
        _grant_application_privileges(connection, application_user)
    return PreparationReport(
        revision=current_revision(engine), application_user=application_user, user_created=created
    )


def _ensure_iam_login_role(connection: Connection, user: str) -> bool:
    exists = connection.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :user"), {"user": user})
    if not exists:
        connection.execute(text(f'CREATE ROLE "{user}" LOGIN'))
    connection.execute(text(f'GRANT "{RDS_IAM_ROLE}" TO "{user}"'))
    return not exists


def _grant_application_privileges(connection: Connection, user: str) -> None:
    schema = connection.scalar(text("SELECT current_schema()"))
    connection.execute(text(f'GRANT USAGE ON SCHEMA "{schema}" TO "{user}"'))
    for table, privileges in APPLICATION_PRIVILEGES.items():
        connection.execute(text(f'GRANT {", ".join(privileges)} ON "{schema}"."{table}" TO "{user}"'))
    # Inserting an audit event draws its id from the table's sequence.
    connection.execute(text(f'GRANT USAGE ON ALL SEQUENCES IN SCHEMA "{schema}" TO "{user}"'))
