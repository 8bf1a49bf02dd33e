"""Lambda entry point: the Customers table's stream → one ConsentDeletion execution per revocation.

Each record is handled on its own; a record that fails (unparseable, a name conflict, Step
Functions unavailable) is reported in ``batchItemFailures`` so Lambda retries from it while
the others count as done. Retried records are harmless: execution names are deterministic.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.parser.models import DynamoDBStreamRecordModel

from functions.common.observability import TRACED_AWS_CALLS, service_logger, service_tracer
from functions.consent_deletion.stream_trigger.adapters import (
    StepFunctionsExecutionStarter,
    stepfunctions_client,
)
from functions.consent_deletion.stream_trigger.logic import ExecutionStarter, start_deletion
from functions.consent_deletion.stream_trigger.models import (
    CustomerChange,
    StartOutcome,
    StreamTriggerSettings,
)

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
    from aws_lambda_powertools.utilities.typing import LambdaContext

SERVICE_NAME = "consent-deletion-stream-trigger"
logger = service_logger(SERVICE_NAME)
tracer = service_tracer(SERVICE_NAME, traced=TRACED_AWS_CALLS)
# The processor logs each failed record with its traceback; it takes a standard library logger,
# and this one is the logger Powertools formats as JSON for SERVICE_NAME.
processor = BatchProcessor(
    event_type=EventType.DynamoDBStreams,
    model=DynamoDBStreamRecordModel,
    logger=logging.getLogger(SERVICE_NAME),
)


def handle_record(record: DynamoDBStreamRecordModel, starter: ExecutionStarter) -> StartOutcome:
    """Start the deletion a single stream record asks for, if any."""
    outcome = start_deletion(CustomerChange.from_stream_record(record), starter)
    logger.info(
        "Stream record handled",
        extra={"event_id": record.eventID, "event_name": record.eventName, "outcome": outcome.value},
    )
    return outcome


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    settings = StreamTriggerSettings.from_environ()
    starter = StepFunctionsExecutionStarter(settings.state_machine_arn, stepfunctions_client())
    return process_partial_response(
        event=event,
        record_handler=partial(handle_record, starter=starter),
        processor=processor,
        context=context,
    )
