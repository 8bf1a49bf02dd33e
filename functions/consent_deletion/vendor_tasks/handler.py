"""Lambda entry points of the vendor tasks: `request_deletion_handler` (RequestDeletion) and
`check_deletion_status_handler` (CheckDeletionStatus). Two functions, one package.

Vendor errors leave the handler under the client's class names (ThirdPartyUnavailable, ThirdPartyRejected,
ThirdPartyContractError), which the state machine's Retry and Catch name.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.metrics import MetricUnit

from functions.common.observability import (
    TRACED_AWS_CALLS,
    lambda_entry_point,
    service_logger_and_tracer,
    service_metrics,
)
from functions.common.parsing import parse_event
from functions.consent_deletion.third_party import ThirdPartyError
from functions.consent_deletion.vendor_tasks.adapters import deletion_api
from functions.consent_deletion.vendor_tasks.errors import InvalidVendorTaskInput
from functions.consent_deletion.vendor_tasks.logic import check_deletion_status, request_deletion
from functions.consent_deletion.vendor_tasks.models import (
    CheckDeletionStatusTask,
    CheckStatus,
    RequestDeletionTask,
    RequestOutcome,
)

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

SERVICE_NAME = "consent-deletion-vendor-tasks"
logger, tracer = service_logger_and_tracer(SERVICE_NAME, traced=TRACED_AWS_CALLS)
metrics = service_metrics(SERVICE_NAME, default_namespace="ConsentDeletion")

_REQUEST_METRICS = {
    RequestOutcome.ACCEPTED: "DeletionsRequested",
    RequestOutcome.NOTHING_TO_DELETE: "NothingToDelete",
    RequestOutcome.UNAVAILABLE: "VendorUnavailable",
}


@contextmanager
def _counting_vendor_errors() -> Iterator[None]:
    """Count each vendor error by its name (the error itself goes on to Step Functions unchanged)."""
    try:
        yield
    except ThirdPartyError as error:
        metrics.add_dimension(name="ErrorType", value=type(error).__name__)
        metrics.add_metric(name="VendorErrors", unit=MetricUnit.Count, value=1)
        raise


@lambda_entry_point(logger, tracer)
@metrics.log_metrics
def request_deletion_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Ask the vendor to delete the customer's data; returns the outcome and the operation id."""
    task = parse_event(RequestDeletionTask, event, invalid=InvalidVendorTaskInput)
    logger.set_correlation_id(task.execution_name)
    with _counting_vendor_errors():
        result = request_deletion(task, deletion_api())
    metrics.add_metric(name=_REQUEST_METRICS[result.outcome], unit=MetricUnit.Count, value=1)
    logger.info(
        "Deletion requested",
        extra={
            "outcome": result.outcome,
            "operation_id": result.operation_id,
            "retry_after_seconds": result.retry_after_seconds,
        },
    )
    return result.model_dump(mode="json")


@lambda_entry_point(logger, tracer)
@metrics.log_metrics
def check_deletion_status_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Ask the vendor how the deletion operation is going; returns the normalised status."""
    task = parse_event(CheckDeletionStatusTask, event, invalid=InvalidVendorTaskInput)
    logger.set_correlation_id(task.execution_name)
    with _counting_vendor_errors():
        result = check_deletion_status(task, deletion_api())
    metrics.add_metric(name="StatusChecks", unit=MetricUnit.Count, value=1)
    if result.status is CheckStatus.UNAVAILABLE:
        metrics.add_metric(name="VendorUnavailable", unit=MetricUnit.Count, value=1)
    logger.info(
        "Deletion status checked", extra={"status": result.status, "vendor_status": result.vendor_status}
    )
    return result.model_dump(mode="json")
