"""Powertools idempotency on DynamoDB around the processor's business logic.

The record key is the scheduleId, so a task retried by the state machine (for example after a lost
response) returns the stored result instead of processing again. A failed run stores nothing, so the
next attempt runs.
"""

from __future__ import annotations

from collections.abc import Callable

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyPersistenceLayerError,
)
from aws_lambda_powertools.utilities.idempotency.persistence.base import BasePersistenceLayer
from aws_lambda_powertools.utilities.idempotency.serialization.pydantic import PydanticSerializer
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.scheduled_requests.processor.models import ProcessingResult
from functions.scheduled_requests.processor.settings import ProcessorSettings
from functions.scheduled_requests.workflow_contract import ProcessorEvent, TransientProcessingError

ProcessFunction = Callable[[ProcessorEvent], ProcessingResult]


class IdempotentProcessor:
    """Runs a process function at most once to completion per scheduleId."""

    def __init__(
        self,
        settings: ProcessorSettings,
        process: ProcessFunction,
        persistence: BasePersistenceLayer | None = None,
    ) -> None:
        self._config = IdempotencyConfig(
            event_key_jmespath="scheduleId",
            raise_on_no_idempotency_key=True,
            expires_after_seconds=settings.idempotency_expires_after_seconds,
        )
        store = persistence or DynamoDBPersistenceLayer(table_name=settings.idempotency_table_name)

        @idempotent_function(
            data_keyword_argument="request",
            persistence_store=store,
            config=self._config,
            output_serializer=PydanticSerializer(model=ProcessingResult),
        )
        def process_once(*, request: ProcessorEvent) -> ProcessingResult:
            return process(request)

        self._process_once = process_once

    def run(self, request: ProcessorEvent, context: LambdaContext) -> ProcessingResult:
        """Process `request`, or return the stored result of an earlier completed run.

        A concurrent run for the same scheduleId, or an unavailable idempotency table, raises
        TransientProcessingError so that the state machine retries later.
        """
        # Lets Powertools expire an in-progress record when this invocation times out.
        self._config.register_lambda_context(context)
        try:
            return self._process_once(request=request)
        except IdempotencyAlreadyInProgressError as error:
            raise TransientProcessingError(
                f"schedule {request.schedule_id} is being processed already"
            ) from error
        except IdempotencyPersistenceLayerError as error:
            raise TransientProcessingError("the idempotency table is unavailable") from error
