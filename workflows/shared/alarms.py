"""CloudWatch alarms of a catalog workflow, all notifying one topic: failed or timed-out executions,
messages waiting in a dead-letter queue, failed runs of a scheduled function, a stream consumer that
falls behind or fails, a function held back by its reserved concurrency."""

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
# A healthy stream consumer reads records within seconds of the change. Ten minutes behind means it is
# failing or stuck on a batch (Lambda retries a batch for up to its maximum record age, hours), and
# nothing else reports that until the records are dropped to the failure queue.
STREAM_ITERATOR_AGE_THRESHOLD = Duration.minutes(10)
# Throttles of a function with reserved concurrency are retried by its caller; a quarter of an hour of
# them means the reservation is too small for the load, not a burst.
THROTTLE_EVALUATION_PERIODS = 3


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
        stream_consumers: Mapping[str, lambda_.IFunction] | None = None,
        reserved_concurrency_functions: Mapping[str, lambda_.IFunction] | None = None,
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
        for name, function in (stream_consumers or {}).items():
            self._build_stream_alarms(name, function)
        for name, function in (reserved_concurrency_functions or {}).items():
            self._alarm(
                f"{name}Throttled",
                function.metric_throttles(period=PERIOD, statistic="Sum"),
                f"{name} was throttled in each of the last {THROTTLE_EVALUATION_PERIODS} five-minute "
                "periods: its reserved concurrency is too small for the load.",
                evaluation_periods=THROTTLE_EVALUATION_PERIODS,
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

    def _build_stream_alarms(self, name: str, function: lambda_.IFunction) -> None:
        self._alarm(
            f"{name}IteratorAge",
            function.metric("IteratorAge", period=PERIOD, statistic="Maximum"),
            f"{name} is more than {STREAM_ITERATOR_AGE_THRESHOLD.to_minutes()} minutes behind its stream: "
            "it keeps failing on a batch or cannot keep up.",
            threshold=STREAM_ITERATOR_AGE_THRESHOLD.to_milliseconds(),
        )
        # With partial batch responses a failed record is no function error; this catches crashes and
        # timeouts, the iterator age alarm catches records that keep failing.
        self._alarm(
            f"{name}Errors",
            function.metric_errors(period=PERIOD, statistic="Sum"),
            f"An invocation of {name} by its stream failed (crashed or timed out).",
        )

    def _alarm(
        self,
        name: str,
        metric: cloudwatch.IMetric,
        description: str,
        *,
        threshold: float = 1,
        evaluation_periods: int = 1,
    ) -> None:
        alarm = cloudwatch.Alarm(
            self,
            name,
            alarm_description=f"{description} See docs/runbook.md.",
            metric=metric,
            threshold=threshold,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            evaluation_periods=evaluation_periods,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        alarm.add_alarm_action(self._action)
        self.alarms[name] = alarm
