"""Everything a catalog entry declares, built in dependency order and wired with least-privilege grants."""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

import catalog.model as catalog
from workflows.config import TargetConfig
from workflows.shared.bindings import Bindings
from workflows.shared.encryption import build_workflow_key
from workflows.shared.functions import CatalogFunction, powertools_layer
from workflows.shared.nag import acknowledge
from workflows.shared.owned_resources import build_queue, build_table, build_topic
from workflows.shared.permissions import grant
from workflows.shared.state_machine import CatalogStateMachine

DEFAULT_LOG_LEVEL = "INFO"


class CatalogWorkflow(Construct):
    """Key, queues, topics, tables, functions and the state machine of one catalog entry.

    Functions that need the state machine (its ARN in their environment, or control of its
    executions) are built after it; all others before, so the machine can reference them.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        spec: catalog.StateMachine,
        tunables: Mapping[str, int | str],
        targets: Mapping[str, TargetConfig],
        default_target: str | None,
        include_execution_data: bool,
        powertools_layer_version: int,
        log_retention: logs.RetentionDays,
    ) -> None:
        super().__init__(scope, construct_id)
        self.spec = spec
        self._log_retention = log_retention
        self.key = build_workflow_key(self, "Key", workflow=spec.name)
        self.bindings = Bindings(scope=self, key=self.key, tunables=tunables, default_target=default_target)
        self._layer = powertools_layer(self, "PowertoolsLayer", version=powertools_layer_version)
        self.functions: dict[str, CatalogFunction] = {}

        self._build_owned_resources()
        self._build_functions(after_state_machine=False)
        self._bind_targets(targets)
        self.state_machine = self._build_state_machine(include_execution_data)
        self._build_functions(after_state_machine=True)

    def _build_owned_resources(self) -> None:
        for queue_spec in self.spec.queues:
            queue = build_queue(self, queue_spec, self.key)
            self.bindings.queues[queue_spec.logical_id] = queue
            if queue_spec.dead_letter:
                acknowledge(
                    queue,
                    "AwsSolutions-SQS3",
                    "This queue is itself the workflow's dead-letter queue: the state machine sends "
                    "requests that failed every attempt here for people to inspect; nothing consumes it.",
                )
        for topic_spec in self.spec.topics:
            self.bindings.topics[topic_spec.logical_id] = build_topic(self, topic_spec, self.key)
        for table_spec in self.spec.tables:
            self.bindings.tables[table_spec.logical_id] = build_table(self, table_spec)

    def _build_functions(self, *, after_state_machine: bool) -> None:
        for spec in self.spec.functions:
            if _needs_state_machine(spec) != after_state_machine:
                continue
            environment = {name: self.bindings.resolve(value) for name, value in spec.environment.items()}
            built = CatalogFunction(
                self,
                spec.logical_id,
                spec=spec,
                environment=environment,
                layer=self._layer,
                log_level=environment.get("LOG_LEVEL", DEFAULT_LOG_LEVEL),
                log_retention=self._log_retention,
            )
            self.functions[spec.logical_id] = built
            self.bindings.functions[spec.logical_id] = built.function
            for permission in spec.permissions:
                grant(permission, built.function, owner=built, bindings=self.bindings)

    def _bind_targets(self, targets: Mapping[str, TargetConfig]) -> None:
        for name, target in targets.items():
            if target.bundled_function is not None:
                function = self.bindings.functions[target.bundled_function]
            else:
                assert target.function_arn is not None, "TargetConfig validates that one source is set"
                # The grant lands in the state machine's role policy, which suffices within the account;
                # a function in another account must also allow that role in its own resource policy.
                function = lambda_.Function.from_function_attributes(
                    self, f"Target-{name}", function_arn=target.function_arn, skip_permissions=True
                )
            self.bindings.targets[name] = function

    def _build_state_machine(self, include_execution_data: bool) -> CatalogStateMachine:
        machine = CatalogStateMachine(
            self,
            self.spec.name,
            spec=self.spec,
            substitutions=self.spec.substitution_values(self.bindings.resolve),
            include_execution_data=include_execution_data,
            log_retention=self._log_retention,
        )
        self.bindings.state_machine = machine
        for permission in self.spec.permissions:
            grant(permission, machine.state_machine, owner=machine, bindings=self.bindings)
        return machine


def _needs_state_machine(spec: catalog.Function) -> bool:
    return any(isinstance(value, catalog.StateMachineArn) for value in spec.environment.values()) or any(
        isinstance(permission, catalog.ControlExecutions) for permission in spec.permissions
    )
