"""Deploys one catalog entry locally: its resources, its functions in the engine, its state machine, and
the triggers (streams, subscriptions, schedules) that invoke its functions.

Everything comes from the declaration, so a new catalog entry needs no code here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from catalog.model import CatalogError, Function, StateMachine
from local.engine import ApiError, Engine
from local.lambda_service.registry import FunctionRegistry
from local.stack import naming
from local.stack.aws_services import EmbeddedAwsServices
from local.stack.deployment_values import LocalDeployment
from local.stack.functions import CatalogFunction, LocalEndpoints, runtime_variables
from local.stack.provisioning import ProvisionedResources, provision
from local.stack.triggers import PollingLoop, RateSchedule, build_triggers
from local.stack.values import LocalValues


@dataclass(frozen=True)
class DeployedWorkflow:
    """A state machine as the local stack runs it."""

    machine: StateMachine
    state_machine_arn: str
    resources: ProvisionedResources
    functions: Mapping[str, CatalogFunction]
    """By logical id."""
    triggers: tuple[PollingLoop, ...]
    """Stream sources, subscriptions and schedules; started once the stack runs."""
    schedules: tuple[RateSchedule, ...]
    """The rate schedules among the triggers."""

    def function(self, logical_id: str) -> CatalogFunction:
        """The function declared with `logical_id`."""
        return self.functions[logical_id]


def deploy_workflow(
    machine: StateMachine,
    *,
    engine: Engine,
    lambda_service: FunctionRegistry,
    follows_clock: bool,
    services: EmbeddedAwsServices,
    endpoints: LocalEndpoints,
    deployment: LocalDeployment,
    data_dir: Path,
    tunable_overrides: Mapping[str, object] | None = None,
    function_metrics: bool = True,
) -> DeployedWorkflow:
    """Provision, register and create (or update) `machine` in the local engine.

    Its functions run in `lambda_service`; with `follows_clock`, each invocation on the engine's clock.
    """
    problems = machine.reference_problems()
    if problems:
        raise CatalogError(f"{machine.name}: {'; '.join(problems)}")
    resources = provision(machine, services, deployment, data_dir)
    tunables = machine.tunable_values(tunable_overrides)
    values = LocalValues(machine, resources, tunables, deployment)
    functions = {
        function.logical_id: _catalog_function(
            machine, function, values, endpoints=endpoints, tunables=tunables, metrics=function_metrics
        )
        for function in machine.functions
    }
    for function in functions.values():
        function.register(lambda_service, engine.clock.now if follows_clock else None)
    definition = machine.render(values.substitutions())
    arn = _create_or_update(engine, machine, definition)
    triggers = build_triggers(
        machine,
        resources=resources,
        functions=functions,
        tunables=tunables,
        services=services,
        clock=engine.clock,
        data_dir=data_dir,
    )
    return DeployedWorkflow(
        machine=machine,
        state_machine_arn=arn,
        resources=resources,
        functions=functions,
        triggers=triggers.loops,
        schedules=triggers.schedules,
    )


def _catalog_function(
    machine: StateMachine,
    function: Function,
    values: LocalValues,
    *,
    tunables: Mapping[str, int | str],
    endpoints: LocalEndpoints,
    metrics: bool,
) -> CatalogFunction:
    reserved = function.reserved_concurrency
    return CatalogFunction(
        function=function,
        name=naming.resource_name(machine, function.logical_id),
        arn=naming.function_arn(machine, function.logical_id),
        declared=values.function_environment(function),
        runtime=runtime_variables(endpoints, metrics=metrics),
        reserved_concurrency=int(tunables[reserved.tunable]) if reserved is not None else None,
    )


def _create_or_update(engine: Engine, machine: StateMachine, definition: str) -> str:
    """Create the state machine; after a restart, update it if its rendered definition changed.

    Running executions keep the definition they started with, as in AWS.
    """
    role_arn = naming.execution_role_arn(machine)
    try:
        created = engine.create_state_machine(name=machine.name, definition=definition, role_arn=role_arn)
        return str(created["stateMachineArn"])
    except ApiError as error:
        if error.code != "StateMachineAlreadyExists":
            raise
    arn = naming.state_machine_arn(machine)
    engine.update_state_machine(arn, definition=definition, role_arn=role_arn)
    return arn
