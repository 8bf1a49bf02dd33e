"""The scheduled-requests stack: tags, one workflow construct, outputs."""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Stack, Tags
from constructs import Construct

from catalog.scheduled_request import DEAD_LETTER_QUEUE
from workflows import names
from workflows.config import AppConfig
from workflows.scheduled_requests.workflow import ScheduledRequestsWorkflow


class ScheduledRequestsStack(Stack):
    """Deploys the scheduled-requests workflow; everything it holds is built by the workflow construct."""

    def __init__(self, scope: Construct, construct_id: str, *, config: AppConfig, **kwargs: Any) -> None:
        workflow_config = config.scheduled_requests
        super().__init__(
            scope,
            construct_id,
            stack_name=workflow_config.stack_name,
            description="Scheduled requests: runs each API request once, at the time its client asks for.",
            **kwargs,
        )
        Tags.of(self).add(*names.TAG_PROJECT)
        self.workflow = ScheduledRequestsWorkflow(
            self,
            names.SCHEDULED_REQUESTS_WORKFLOW,
            config=workflow_config,
            powertools_layer_version=config.powertools_layer_version,
            log_retention=names.LOG_RETENTION[config.log_retention_days],
        )
        CfnOutput(self, "ScheduleApiUrl", value=self.workflow.api.rest_api.url)
        CfnOutput(
            self,
            "StateMachineArn",
            value=self.workflow.core.state_machine.state_machine.state_machine_arn,
        )
        CfnOutput(
            self,
            "DeadLetterQueueUrl",
            value=self.workflow.core.bindings.queues[DEAD_LETTER_QUEUE].queue_url,
        )
        CfnOutput(self, "FailureTopicArn", value=self.workflow.failure_topic.topic_arn)
        CfnOutput(
            self, "OperatorPolicyArn", value=self.workflow.core.operator_policy.policy.managed_policy_arn
        )
        CfnOutput(self, "DashboardName", value=self.workflow.core.dashboard.dashboard.dashboard_name)
