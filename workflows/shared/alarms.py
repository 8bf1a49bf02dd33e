"""CloudWatch alarms of a catalog workflow, all notifying one topic: failed or timed-out executions,
messages waiting in a dead-letter queue, failed runs of a scheduled function."""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from workflows.shared.state_machine import CatalogStateMachine

PERIOD = Duration.minutes(5)


class WorkflowAlarms(Construct):
    """One alarm per condition an operator must act on; each notifies ``topic`` when it goes off."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        machine: CatalogStateMachine,
        dead_letter_queues: Mapping[str, sqs.IQueue],
        scheduled_functions: Mapping[str, lambda_.IFunction],
        topic: sns.ITopic,
        key: kms.IKey,
    ) -> None:
        super().__init__(scope, construct_id)
        self._action = cloudwatch_actions.SnsAction(topic)
        self.alarms: dict[str, cloudwatch.Alarm] = {}
        self._build_execution_alarms(machine)
        for name, queue in dead_letter_queues.items():
            self._alarm(
                f"{name}NotEmpty",
                queue.metric_approximate_number_of_messages_visible(period=PERIOD, statistic="Maximum"),
                f"{name} holds messages: work that failed every attempt is waiting for a person.",
            )
        for name, function in scheduled_functions.items():
            self._alarm(
                f"{name}Errors",
                function.metric_errors(period=PERIOD, statistic="Sum"),
                f"A scheduled run of {name} failed.",
            )
        # CloudWatch encrypts each notification with the topic's key.
        key.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["kms:GenerateDataKey", "kms:Decrypt"],
                resources=["*"],
            )
        )

    def _build_execution_alarms(self, machine: CatalogStateMachine) -> None:
        state_machine = machine.state_machine
        self._alarm(
            "ExecutionsFailed",
            state_machine.metric_failed(period=PERIOD, statistic="Sum"),
            f"An execution of {machine.name} failed.",
        )
        self._alarm(
            "ExecutionsTimedOut",
            state_machine.metric_timed_out(period=PERIOD, statistic="Sum"),
            f"An execution of {machine.name} ran into its TimeoutSeconds.",
        )

    def _alarm(self, name: str, metric: cloudwatch.IMetric, description: str) -> None:
        alarm = cloudwatch.Alarm(
            self,
            name,
            alarm_description=f"{description} See docs/runbook.md.",
            metric=metric,
            threshold=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            evaluation_periods=1,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        alarm.add_alarm_action(self._action)
        self.alarms[name] = alarm
