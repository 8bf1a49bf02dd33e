"""The consent-deletion stack: tags, one workflow construct, outputs."""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Stack, Tags
from constructs import Construct

from catalog.consent_deletion import (
    ALERT_TOPIC,
    CUSTOMERS_TABLE,
    STREAM_FAILURE_QUEUE,
    UNDELIVERED_ALERT_QUEUE,
    VENDOR_API_KEY,
)
from workflows import names
from workflows.config import AppConfig
from workflows.consent_deletion.workflow import ConsentDeletionWorkflow


class ConsentDeletionStack(Stack):
    """Deploys the consent-deletion workflow; everything it holds is built by the workflow construct."""

    def __init__(self, scope: Construct, construct_id: str, *, config: AppConfig, **kwargs: Any) -> None:
        workflow_config = config.consent_deletion
        super().__init__(
            scope,
            construct_id,
            stack_name=workflow_config.stack_name,
            description="Consent deletion: deletes a customer's vendor data once consent is revoked.",
            termination_protection=workflow_config.production,
            **kwargs,
        )
        Tags.of(self).add(*names.TAG_PROJECT)
        self.workflow = ConsentDeletionWorkflow(
            self,
            names.CONSENT_DELETION_WORKFLOW,
            config=workflow_config,
            powertools_layer_version=config.powertools_layer_version,
            log_retention=names.LOG_RETENTION[config.log_retention_days],
        )
        self._outputs()

    def _outputs(self) -> None:
        core = self.workflow.core
        bindings = core.bindings
        CfnOutput(self, "CustomersTableName", value=bindings.tables[CUSTOMERS_TABLE].table_name)
        CfnOutput(self, "StateMachineArn", value=core.state_machine.state_machine.state_machine_arn)
        CfnOutput(self, "AlertTopicArn", value=bindings.topics[ALERT_TOPIC].topic_arn)
        CfnOutput(self, "OperationsTopicArn", value=self.workflow.operations_topic.topic_arn)
        CfnOutput(self, "VendorApiKeySecretArn", value=bindings.secrets[VENDOR_API_KEY].secret_arn)
        CfnOutput(self, "StreamFailureQueueUrl", value=bindings.queues[STREAM_FAILURE_QUEUE].queue_url)
        CfnOutput(self, "UndeliveredAlertQueueUrl", value=bindings.queues[UNDELIVERED_ALERT_QUEUE].queue_url)
        CfnOutput(self, "LedgerEndpoint", value=self.workflow.ledger.instance.db_instance_endpoint_address)
        CfnOutput(self, "LedgerMasterSecretArn", value=self.workflow.ledger.master_secret.secret_arn)
        CfnOutput(self, "OperatorPolicyArn", value=core.operator_policy.policy.managed_policy_arn)
        CfnOutput(self, "DashboardName", value=core.dashboard.dashboard.dashboard_name)
