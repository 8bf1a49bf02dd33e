"""The master credential from Secrets Manager, and an engine that logs in with it over verified TLS."""

from __future__ import annotations

import ssl

from aws_lambda_powertools.utilities import parameters
from sqlalchemy import URL, Engine, create_engine

from functions.consent_deletion.ledger import LedgerSettings
from functions.consent_deletion.ledger.engine import PG8000_DRIVER
from functions.consent_deletion.ledger_migration.models import MasterCredentials


def master_credentials(secret_arn: str) -> MasterCredentials:
    """The current master user name and password (read fresh: the secret may have been rotated)."""
    return MasterCredentials.model_validate(
        parameters.get_secret(secret_arn, transform="json", force_fetch=True)
    )


def master_engine(endpoint: LedgerSettings, credentials: MasterCredentials) -> Engine:
    """An engine on the ledger database as the master user, verifying the server against the RDS CA bundle."""
    if endpoint.db_host is None or endpoint.db_name is None:
        raise ValueError("the migration needs LEDGER_DB_HOST and LEDGER_DB_NAME")
    ca_bundle = str(endpoint.db_ca_bundle) if endpoint.db_ca_bundle is not None else None
    return create_engine(
        URL.create(
            PG8000_DRIVER,
            username=credentials.username,
            password=credentials.password.get_secret_value(),
            host=endpoint.db_host,
            port=endpoint.db_port,
            database=endpoint.db_name,
        ),
        pool_size=1,
        max_overflow=0,
        connect_args={
            "ssl_context": ssl.create_default_context(cafile=ca_bundle),
            "timeout": endpoint.connect_timeout_seconds,
        },
    )
