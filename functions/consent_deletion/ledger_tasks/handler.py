"""Lambda entry point of the ledger tasks: every Record* state of ConsentDeletion invokes this one function.

One function for all commands means one reserved concurrency bounds the database connections of the
whole workflow.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from functions.common.observability import (
    TRACED_DATABASE_CALLS,
    lambda_entry_point,
    service_logger_and_tracer,
)
from functions.common.parsing import parse_event
from functions.consent_deletion.ledger_tasks.adapters import (
    database_errors_as_ledger_unavailable,
    deletion_ledger,
)
from functions.consent_deletion.ledger_tasks.errors import InvalidLedgerCommand
from functions.consent_deletion.ledger_tasks.logic import apply_ledger_command
from functions.consent_deletion.ledger_tasks.models import LEDGER_COMMAND

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

SERVICE_NAME = "consent-deletion-ledger-tasks"
# Its only AWS use is signing RDS IAM tokens, which makes no API call.
logger, tracer = service_logger_and_tracer(SERVICE_NAME, traced=TRACED_DATABASE_CALLS)


@lambda_entry_point(logger, tracer)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Apply the ledger command in `event` and return the deletion as the ledger now holds it."""
    command = parse_event(LEDGER_COMMAND, event, invalid=InvalidLedgerCommand)
    logger.set_correlation_id(command.execution_name)
    logger.append_keys(command=command.command)
    with database_errors_as_ledger_unavailable():
        result = apply_ledger_command(command, deletion_ledger())
    logger.info("Ledger command applied", extra={"state": result.state, "check_count": result.check_count})
    return result.model_dump(mode="json")
