"""Lambda entry point: the Customers table's stream → one ConsentDeletion execution per revocation.

Each record is handled on its own; a record that fails (unparseable, a name conflict, Step
Functions unavailable) is reported in ``batchItemFailures`` so Lambda retries from it while
the others count as done. Retried records are harmless: execution names are deterministic.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.parser.models import DynamoDBStreamRecordModel

from functions.common.observability import TRACED_AWS_CALLS, lambda_entry_point, service_logger_and_tracer
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
logger, tracer = service_logger_and_tracer(SERVICE_NAME, traced=TRACED_AWS_CALLS)
# The processor logs each failed record with its traceback; it takes a standard library logger,
# and this one is the logger Powertools formats as JSON for SERVICE_NAME.
processor = BatchProcessor(
    event_type=EventType.DynamoDBStreams,
    model=DynamoDBStreamRecordModel,
    # A batch whose records all failed is answered like any partial failure: Lambda retries it from its
    # first record either way, and the error raised instead would quote every record's traceback.
    raise_on_entire_batch_failure=False,
    logger=logging.getLogger(SERVICE_NAME),
)


class EarlierStartFailed(Exception):
    """A record not attempted because a start before it in the batch failed; it is retried with that one."""


class StartsInOrder:
    """Handles a batch's records in order, and attempts no start after one has failed.

    Lambda retries a stream batch from its first failed record, so the records after a failed start come
    back anyway; attempting them now would start a customer's later change before an earlier one, and a
    failure that lasts (Step Functions unreachable, the state machine gone) would cost a call and a
    traceback per record on every retry instead of one. A record that cannot be read is the record's own
    fault: it is reported, and the next ones are attempted.
    """

    def __init__(self, starter: ExecutionStarter) -> None:
        self._starter = starter
        self._failed_start: str | None = None

    def __call__(self, record: DynamoDBStreamRecordModel) -> StartOutcome:
        change = CustomerChange.from_stream_record(record)
        if self._failed_start is not None:
            raise EarlierStartFailed(f"not attempted: the start for record {self._failed_start} failed")
        try:
            outcome = start_deletion(change, self._starter)
        except Exception:
            self._failed_start = record.eventID
            raise
        logger.info(
            "Stream record handled",
            extra={"event_id": record.eventID, "event_name": record.eventName, "outcome": outcome.value},
        )
        return outcome


@lambda_entry_point(logger, tracer)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    settings = StreamTriggerSettings.from_environ()
    starter = StepFunctionsExecutionStarter(settings.state_machine_arn, stepfunctions_client())
    return process_partial_response(
        event=event,
        record_handler=StartsInOrder(starter),
        processor=processor,
        context=context,
    )
