"""AWS behind the reconciler's interfaces: DescribeExecution, SNS Publish, and the ledger database."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

import boto3

from functions.consent_deletion.ledger import DeletionLedger, SqlDeletionLedger, get_ledger_engine
from functions.consent_deletion.reconciler.models import ExecutionStatus, StalePendingAlert

if TYPE_CHECKING:
    from botocore.client import BaseClient

ALERT_SUBJECT = "Consent deletion alert: STALE_PENDING"


@cache
def step_functions_client() -> BaseClient:
    """The Step Functions client of this execution environment, built at first use."""
    return boto3.client("stepfunctions")


@cache
def sns_client() -> BaseClient:
    """The SNS client of this execution environment, built at first use."""
    return boto3.client("sns")


@cache
def deletion_ledger() -> DeletionLedger:
    """The ledger, on the engine built from LEDGER_* settings at first use."""
    return SqlDeletionLedger(get_ledger_engine())


class StepFunctionsExecutionStatusReader:
    """Execution status through DescribeExecution."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def status(self, execution_arn: str) -> ExecutionStatus:
        """The execution's status; NOT_FOUND when Step Functions does not know it (or no longer keeps it)."""
        try:
            response = self._client.describe_execution(executionArn=execution_arn)
        except self._client.exceptions.ExecutionDoesNotExist:
            return ExecutionStatus.NOT_FOUND
        return ExecutionStatus(response["status"])


class SnsAlertPublisher:
    """Publishes alerts to the alert topic, with the alert kind as a message attribute for filtering."""

    def __init__(self, client: Any, topic_arn: str) -> None:
        self._client = client
        self._topic_arn = topic_arn

    def publish(self, alert: StalePendingAlert) -> None:
        """Publish one alert as the JSON message the alert mailer reads."""
        self._client.publish(
            TopicArn=self._topic_arn,
            Subject=ALERT_SUBJECT,
            Message=alert.model_dump_json(exclude_none=True),
            MessageAttributes={"kind": {"DataType": "String", "StringValue": alert.kind}},
        )
