"""Lambda entry point of the reconciler, invoked on a schedule (the event's content is not used)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.metrics import MetricUnit

from functions.common.clock import utc_now
from functions.common.observability import (
    TRACED_AWS_CALLS,
    TRACED_DATABASE_CALLS,
    lambda_entry_point,
    service_logger_and_tracer,
    service_metrics,
)
from functions.consent_deletion.reconciler.adapters import (
    SnsAlertPublisher,
    StepFunctionsExecutionStatusReader,
    deletion_ledger,
    sns_client,
    step_functions_client,
)
from functions.consent_deletion.reconciler.logic import reconcile
from functions.consent_deletion.reconciler.models import ReconcilerSettings

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

SERVICE_NAME = "consent-deletion-reconciler"
logger, tracer = service_logger_and_tracer(SERVICE_NAME, traced=TRACED_AWS_CALLS + TRACED_DATABASE_CALLS)
metrics = service_metrics(SERVICE_NAME, default_namespace="ConsentDeletion")


@lambda_entry_point(logger, tracer)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Alert on every stale pending deletion; returns what was examined and alerted."""
    settings = ReconcilerSettings.from_environ()
    report = reconcile(
        deletion_ledger(),
        StepFunctionsExecutionStatusReader(step_functions_client()),
        SnsAlertPublisher(sns_client(), settings.alert_topic_arn),
        state_machine_arn=settings.state_machine_arn,
        now=utc_now(),
        stale_after=timedelta(seconds=settings.stale_after_seconds),
        max_rows=settings.max_rows_per_run,
    )
    metrics.add_metric(name="StalePendingDeletions", unit=MetricUnit.Count, value=len(report.alerted))
    if report.row_limit_reached:
        logger.warning(
            "More stale pending rows may exist than one run examines",
            extra={"limit": settings.max_rows_per_run},
        )
    logger.info("Reconciled pending deletions", extra=report.model_dump())
    return report.model_dump(mode="json")
