"""Lambda entry point run by the deployment (a CDK Trigger): prepare the ledger database, or fail the deploy.

The event carries nothing this function uses. Any error propagates, so CloudFormation rolls back a
deployment whose functions would meet an unprepared database.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from functions.common.observability import (
    TRACED_AWS_CALLS,
    TRACED_DATABASE_CALLS,
    lambda_entry_point,
    service_logger_and_tracer,
)
from functions.consent_deletion.ledger import LedgerSettings
from functions.consent_deletion.ledger_migration.adapters import master_credentials, master_engine
from functions.consent_deletion.ledger_migration.logic import prepare_ledger
from functions.consent_deletion.ledger_migration.models import MigrationSettings

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

SERVICE_NAME = "consent-deletion-ledger-migration"
logger, tracer = service_logger_and_tracer(SERVICE_NAME, traced=TRACED_AWS_CALLS + TRACED_DATABASE_CALLS)


@lambda_entry_point(logger, tracer)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Migrate the ledger to head and set up the application user; returns what is now in place."""
    settings = MigrationSettings.from_environ()
    endpoint = LedgerSettings.from_environ()
    if endpoint.db_user is None:
        raise ValueError("the migration needs LEDGER_DB_USER, the application user to prepare")
    engine = master_engine(endpoint, master_credentials(settings.master_secret_arn))
    try:
        report = prepare_ledger(engine, endpoint.db_user)
    finally:
        engine.dispose()
    logger.info("Ledger prepared", extra=report.model_dump())
    return report.model_dump(mode="json")
