"""The scheduled-requests workflow: the catalog entry's resources and state machine, plus the Schedule API."""

from __future__ import annotations

from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as sns_subscriptions
from constructs import Construct

from catalog import SCHEDULED_REQUEST
from catalog.scheduled_request import FAILURE_TOPIC
from workflows import names
from workflows.config import ScheduledRequestsConfig
from workflows.scheduled_requests.api import ScheduleApi
from workflows.shared.workflow import CatalogWorkflow


class ScheduledRequestsWorkflow(Construct):
    """Front door, example processor, idempotency table, ScheduledRequest state machine,
    dead-letter queue, failure topic (both KMS-encrypted, the topic mailed to ``failureEmail`` if set)
    and the REST API in front."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: ScheduledRequestsConfig,
        powertools_layer_version: int,
        log_retention: logs.RetentionDays,
    ) -> None:
        super().__init__(scope, construct_id)
        self.core = CatalogWorkflow(
            self,
            "Core",
            spec=SCHEDULED_REQUEST,
            tunables=config.tunable_values(),
            targets=config.targets,
            default_target=config.default_target,
            include_execution_data=config.log_execution_data,
            powertools_layer_version=powertools_layer_version,
            log_retention=log_retention,
        )
        self.api = self._build_api(config, log_retention)
        self.core.dashboard.add_rest_api(self.api.rest_api)
        if config.failure_email is not None:
            self.failure_topic.add_subscription(sns_subscriptions.EmailSubscription(config.failure_email))

    def _build_api(self, config: ScheduledRequestsConfig, log_retention: logs.RetentionDays) -> ScheduleApi:
        api_spec = SCHEDULED_REQUEST.api
        assert api_spec is not None, "the ScheduledRequest catalog entry declares its API"
        return ScheduleApi(
            self,
            names.SCHEDULE_API,
            spec=api_spec,
            handler=self.core.functions[api_spec.function].function,
            config=config,
            log_retention=log_retention,
        )

    @property
    def failure_topic(self) -> sns.ITopic:
        """Where requests that gave up and the workflow's alarms are published."""
        return self.core.bindings.topics[FAILURE_TOPIC]
