"""Lambda entry point of the example processor: the target the state machine invokes at triggerAt."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.common.observability import (
    TRACED_AWS_CALLS,
    lambda_entry_point,
    service_logger_and_tracer,
    service_metrics,
)
from functions.scheduled_requests.processor.adapters import IdempotentProcessor
from functions.scheduled_requests.processor.logic import process_request
from functions.scheduled_requests.processor.settings import ProcessorSettings
from functions.scheduled_requests.workflow_contract import ProcessorEvent, TransientProcessingError

SERVICE_NAME = "example-processor"
# The idempotency records live in DynamoDB.
logger, tracer = service_logger_and_tracer(SERVICE_NAME, traced=TRACED_AWS_CALLS)
metrics = service_metrics(SERVICE_NAME, default_namespace="ScheduledRequests")


@lru_cache(maxsize=1)
def idempotent_processor() -> IdempotentProcessor:
    """The processor for this execution environment, built on first use from the environment."""
    return IdempotentProcessor(ProcessorSettings.from_environ(), process=process_request)


@lambda_entry_point(logger, tracer)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Process one scheduled request; the returned object is the execution's result.

    A malformed event or any error but TransientProcessingError fails the attempt for good.
    """
    try:
        request = ProcessorEvent.model_validate(event)
        logger.set_correlation_id(request.schedule_id)
        logger.append_keys(attempt=request.attempt)
        tracer.put_annotation("scheduleId", request.schedule_id)
        result = idempotent_processor().run(request, context)
    except TransientProcessingError:
        metrics.add_metric(name="TransientFailures", unit=MetricUnit.Count, value=1)
        raise
    except Exception:
        metrics.add_metric(name="PermanentFailures", unit=MetricUnit.Count, value=1)
        raise
    metrics.add_metric(name="RequestsProcessed", unit=MetricUnit.Count, value=1)
    return result.model_dump(mode="json")
