"""Everything a catalog entry declares, built in dependency order and wired with least-privilege grants."""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs
from constructs import Construct

import catalog.model as catalog
from workflows.config import TargetConfig
from workflows.shared.alarms import WorkflowAlarms
from workflows.shared.bindings import Bindings
from workflows.shared.dashboard import WorkflowDashboard
from workflows.shared.database_access import DatabaseAccess
from workflows.shared.encryption import build_workflow_key
from workflows.shared.functions import CatalogFunction, FunctionNetwork, powertools_layer
from workflows.shared.invocations import connect_stream_source, schedule, subscribe
from workflows.shared.nag import acknowledge
from workflows.shared.operator_policy import OperatorPolicy, Replay
from workflows.shared.owned_resources import build_queue, build_secret, build_table, build_topic
from workflows.shared.permissions import grant
from workflows.shared.state_machine import CatalogStateMachine

DEFAULT_LOG_LEVEL = "INFO"


class CatalogWorkflow(Construct):
    """Key, queues, topics, tables, secrets, functions and the state machine of one catalog entry,
    then what invokes the functions (streams, subscriptions, schedules), the alarms, a dashboard and the
    operators' managed policy.

    Functions that need the state machine (its ARN in their environment, or control of its
    executions) are built after it; all others before, so the machine can reference them.
    Databases are built by the caller (they need a network) and passed in as ``databases``.
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
        key: kms.IKey | None = None,
        retain_data: bool = False,
        databases: Mapping[str, DatabaseAccess] | None = None,
        settings: Mapping[str, str] | None = None,
        dependencies_layer: lambda_.ILayerVersion | None = None,
        email_identity_arn: str | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.spec = spec
        self._log_retention = log_retention
        self._retain_data = retain_data
        self.key = key if key is not None else build_workflow_key(self, "Key", workflow=spec.name)
        self.bindings = Bindings(
            scope=self,
            key=self.key,
            tunables=tunables,
            default_target=default_target,
            databases=databases or {},
            settings=settings or {},
            email_identity_arn=email_identity_arn,
        )
        self._layer = powertools_layer(self, "PowertoolsLayer", version=powertools_layer_version)
        self._extra_layers = [dependencies_layer] if dependencies_layer is not None else []
        self.functions: dict[str, CatalogFunction] = {}
        self.invocations: list[Construct] = []
        """What starts the functions besides the state machine (stream mappings, subscriptions, schedules)."""

        self._build_owned_resources()
        self._build_functions(after_state_machine=False)
        self._bind_targets(targets)
        self.state_machine = self._build_state_machine(include_execution_data)
        self._build_functions(after_state_machine=True)
        self._build_invocations()
        self.alarms = self._build_alarms()
        self.dashboard = self._build_dashboard()
        self.operator_policy = self._build_operator_policy()

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
            self.bindings.tables[table_spec.logical_id] = build_table(
                self, table_spec, self.key, retain=self._retain_data
            )
        for secret_spec in self.spec.secrets:
            self.bindings.secrets[secret_spec.logical_id] = build_secret(self, secret_spec, self.key)

    def _build_functions(self, *, after_state_machine: bool) -> None:
        for spec in self.spec.functions:
            if _needs_state_machine(spec) != after_state_machine:
                continue
            environment = {name: self.bindings.resolve(value) for name, value in spec.environment.items()}
            database = self._database_of(spec)
            built = CatalogFunction(
                self,
                spec.logical_id,
                spec=spec,
                environment={**environment, **(database.environment() if database is not None else {})},
                layer=self._layer,
                log_level=environment.get("LOG_LEVEL", DEFAULT_LOG_LEVEL),
                log_retention=self._log_retention,
                extra_layers=self._extra_layers,
                network=self._network_for(spec, database) if database is not None else None,
                reserved_concurrency=(
                    int(self.bindings.resolve(spec.reserved_concurrency))
                    if spec.reserved_concurrency is not None
                    else None
                ),
            )
            self.functions[spec.logical_id] = built
            self.bindings.functions[spec.logical_id] = built.function
            for permission in spec.permissions:
                grant(permission, built.function, owner=built, bindings=self.bindings)

    def _database_of(self, spec: catalog.Function) -> DatabaseAccess | None:
        if not spec.databases:
            return None
        if len(spec.databases) > 1:
            raise catalog.CatalogError(f"{spec.logical_id}: a function connects to one database at most")
        return self.bindings.databases[spec.databases[0]]

    def _network_for(self, spec: catalog.Function, database: DatabaseAccess) -> FunctionNetwork:
        security_group = ec2.SecurityGroup(
            self,
            f"{spec.logical_id}SecurityGroup",
            vpc=database.vpc,
            description=f"{spec.logical_id}: to the {database.spec.logical_id} database and AWS endpoints",
            allow_all_outbound=False,
        )
        database.admit(security_group)
        return FunctionNetwork(vpc=database.vpc, subnets=database.subnets, security_group=security_group)

    def _build_invocations(self) -> None:
        for source in self.spec.stream_sources:
            self.invocations.append(
                connect_stream_source(self, source, functions=self.functions, bindings=self.bindings)
            )
        for subscription in self.spec.subscriptions:
            self.invocations.append(
                subscribe(self, subscription, functions=self.functions, bindings=self.bindings)
            )
        for declared in self.spec.schedules:
            every_minutes = int(self.bindings.resolve(declared.every_minutes))
            self.invocations.append(
                schedule(self, declared, functions=self.functions, every_minutes=every_minutes)
            )

    def _build_alarms(self) -> WorkflowAlarms | None:
        if self.spec.alarm_topic is None:
            return None
        return WorkflowAlarms(
            self,
            "Alarms",
            machine=self.state_machine,
            dead_letter_queues=self._dead_letter_queues(),
            scheduled_functions={
                declared.function: self.bindings.functions[declared.function]
                for declared in self.spec.schedules
            },
            topic=self.bindings.topics[self.spec.alarm_topic],
            key=self.key,
            stream_consumers=self._stream_consumers(),
            reserved_concurrency_functions={
                spec.logical_id: self.bindings.functions[spec.logical_id]
                for spec in self.spec.functions
                if spec.reserved_concurrency is not None
            },
        )

    def _build_dashboard(self) -> WorkflowDashboard:
        return WorkflowDashboard(
            self,
            "Dashboard",
            machine=self.state_machine,
            functions={name: built.function for name, built in self.functions.items()},
            dead_letter_queues=self._dead_letter_queues(),
            stream_consumers=self._stream_consumers(),
            alarms=list(self.alarms.alarms.values()) if self.alarms is not None else [],
        )

    def _build_operator_policy(self) -> OperatorPolicy:
        replayed_functions = [
            *(source.function for source in self.spec.stream_sources),
            *(subscription.function for subscription in self.spec.subscriptions),
        ]
        return OperatorPolicy(
            self,
            "Operators",
            machine=self.state_machine,
            dead_letter_queues=self._dead_letter_queues(),
            key=self.key,
            replay=Replay(
                functions=[self.bindings.functions[name] for name in dict.fromkeys(replayed_functions)],
                streams=[
                    f"{self.bindings.tables[source.table].table_arn}/stream/*"
                    for source in self.spec.stream_sources
                ],
                topics=[self.bindings.topics[subscription.topic] for subscription in self.spec.subscriptions],
            ),
        )

    def _dead_letter_queues(self) -> dict[str, sqs.IQueue]:
        return {
            queue.logical_id: self.bindings.queues[queue.logical_id]
            for queue in self.spec.queues
            if queue.dead_letter
        }

    def _stream_consumers(self) -> dict[str, lambda_.IFunction]:
        return {
            source.function: self.bindings.functions[source.function] for source in self.spec.stream_sources
        }

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
