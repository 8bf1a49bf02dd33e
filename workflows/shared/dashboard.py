"""A CloudWatch dashboard per workflow: executions, every function, dead-letter queues, stream lag and
the state of every alarm, on one page."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aws_cdk import Duration
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from workflows.shared.state_machine import CatalogStateMachine

PERIOD = Duration.minutes(5)
WIDTH = 24
HALF = 12
HEIGHT = 6


class WorkflowDashboard(Construct):
    """The dashboard named like the state machine (``<stack>-<entry name>``)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        machine: CatalogStateMachine,
        functions: Mapping[str, lambda_.IFunction],
        dead_letter_queues: Mapping[str, sqs.IQueue],
        stream_consumers: Mapping[str, lambda_.IFunction],
        alarms: Sequence[cloudwatch.IAlarm],
    ) -> None:
        super().__init__(scope, construct_id)
        self.dashboard = cloudwatch.Dashboard(
            self, "Dashboard", dashboard_name=machine.name, default_interval=Duration.hours(24)
        )
        if alarms:
            self.dashboard.add_widgets(
                cloudwatch.AlarmStatusWidget(title="Alarms", alarms=list(alarms), width=WIDTH, height=3)
            )
        self.dashboard.add_widgets(*self._execution_widgets(machine))
        self.dashboard.add_widgets(*self._function_widgets(functions))
        queue_and_stream = [*self._queue_widgets(dead_letter_queues), *self._stream_widgets(stream_consumers)]
        if queue_and_stream:
            self.dashboard.add_widgets(*queue_and_stream)

    def add_rest_api(self, api: apigateway.RestApi) -> None:
        """Requests, rejections and latency of the REST API in front of the workflow."""
        self.dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title=f"{api.rest_api_name} requests",
                left=[
                    api.metric_count(period=PERIOD, statistic="Sum", label="Requests"),
                    api.metric_client_error(period=PERIOD, statistic="Sum", label="4xx"),
                    api.metric_server_error(period=PERIOD, statistic="Sum", label="5xx"),
                ],
                width=HALF,
                height=HEIGHT,
            ),
            cloudwatch.GraphWidget(
                title=f"{api.rest_api_name} latency (p50, p99)",
                left=[
                    api.metric_latency(period=PERIOD, statistic="p50", label="p50"),
                    api.metric_latency(period=PERIOD, statistic="p99", label="p99"),
                ],
                width=HALF,
                height=HEIGHT,
            ),
        )

    @staticmethod
    def _execution_widgets(machine: CatalogStateMachine) -> list[cloudwatch.IWidget]:
        state_machine = machine.state_machine
        outcomes = [
            state_machine.metric_started(period=PERIOD, statistic="Sum", label="Started"),
            state_machine.metric_succeeded(period=PERIOD, statistic="Sum", label="Succeeded"),
            state_machine.metric_failed(period=PERIOD, statistic="Sum", label="Failed"),
            state_machine.metric_timed_out(period=PERIOD, statistic="Sum", label="Timed out"),
            state_machine.metric_aborted(period=PERIOD, statistic="Sum", label="Aborted"),
        ]
        return [
            cloudwatch.GraphWidget(
                title=f"{machine.spec.name} executions", left=outcomes, width=HALF, height=HEIGHT
            ),
            cloudwatch.GraphWidget(
                title=f"{machine.spec.name} execution time (p50, p99)",
                left=[
                    state_machine.metric_time(period=PERIOD, statistic="p50", label="p50"),
                    state_machine.metric_time(period=PERIOD, statistic="p99", label="p99"),
                ],
                width=HALF,
                height=HEIGHT,
            ),
        ]

    @staticmethod
    def _function_widgets(functions: Mapping[str, lambda_.IFunction]) -> list[cloudwatch.IWidget]:
        return [
            cloudwatch.GraphWidget(
                title="Function invocations",
                left=[
                    function.metric_invocations(period=PERIOD, label=name)
                    for name, function in functions.items()
                ],
                width=HALF,
                height=HEIGHT,
            ),
            cloudwatch.GraphWidget(
                title="Function errors and throttles",
                left=[
                    function.metric_errors(period=PERIOD, label=f"{name} errors")
                    for name, function in functions.items()
                ],
                right=[
                    function.metric_throttles(period=PERIOD, label=f"{name} throttles")
                    for name, function in functions.items()
                ],
                width=HALF,
                height=HEIGHT,
            ),
            cloudwatch.GraphWidget(
                title="Function duration (p99)",
                left=[
                    function.metric_duration(period=PERIOD, statistic="p99", label=name)
                    for name, function in functions.items()
                ],
                width=WIDTH,
                height=HEIGHT,
            ),
        ]

    @staticmethod
    def _queue_widgets(queues: Mapping[str, sqs.IQueue]) -> list[cloudwatch.IWidget]:
        if not queues:
            return []
        return [
            cloudwatch.GraphWidget(
                title="Dead-letter messages waiting",
                left=[
                    queue.metric_approximate_number_of_messages_visible(
                        period=PERIOD, statistic="Maximum", label=name
                    )
                    for name, queue in queues.items()
                ],
                width=HALF,
                height=HEIGHT,
            )
        ]

    @staticmethod
    def _stream_widgets(consumers: Mapping[str, lambda_.IFunction]) -> list[cloudwatch.IWidget]:
        if not consumers:
            return []
        return [
            cloudwatch.GraphWidget(
                title="Stream iterator age (ms, maximum)",
                left=[
                    function.metric("IteratorAge", period=PERIOD, statistic="Maximum", label=name)
                    for name, function in consumers.items()
                ],
                width=HALF,
                height=HEIGHT,
            )
        ]
