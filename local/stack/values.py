"""What each catalog value stands for locally: the text a substitution or an environment variable gets.

The local counterpart of the CDK bindings: the same declarations, resolved to moto resources and
local functions instead of CloudFormation tokens.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

import catalog.model as catalog
from local.stack import naming
from local.stack.deployment_values import LocalDeployment
from local.stack.provisioning import ProvisionedResources

# Value type -> (its field naming the declaration, the ProvisionedResources mapping holding its address).
_PROVISIONED: Mapping[type, tuple[str, str]] = {
    catalog.QueueUrl: ("queue", "queue_urls"),
    catalog.TopicArn: ("topic", "topic_arns"),
    catalog.TableName: ("table", "table_names"),
    catalog.SecretArn: ("secret", "secret_arns"),
}


class UnresolvableValue(LookupError):
    """A catalog value the local stack does not know how to resolve (yet), or names nothing declared."""


@dataclass(frozen=True)
class LocalValues:
    """Resolves the values of one state machine entry."""

    machine: catalog.StateMachine
    resources: ProvisionedResources
    tunables: Mapping[str, int | str]
    deployment: LocalDeployment

    def resolve(self, value: catalog.Value) -> str:
        """The local text for `value`; raises `UnresolvableValue` for anything it cannot map."""
        resolved = self._resource(value)
        if resolved is None:
            resolved = self._configuration(value)
        if resolved is None:
            raise UnresolvableValue(
                f"{self.machine.name}: no local value for {value!r}; add a case to LocalValues.resolve"
            )
        return resolved

    def _resource(self, value: catalog.Value) -> str | None:
        """Values that name something the stack created: functions, queues, topics, tables, secrets."""
        provisioned = _PROVISIONED.get(type(value))
        if provisioned is not None:
            kind, addresses = provisioned
            return _lookup(getattr(self.resources, addresses), getattr(value, kind), kind)
        match value:
            case catalog.FunctionArn(function=logical_id):
                self.machine.function(logical_id)  # raises CatalogError when undeclared
                return naming.function_arn(self.machine, logical_id)
            case catalog.StateMachineArn():
                return naming.state_machine_arn(self.machine)
        return None

    def _configuration(self, value: catalog.Value) -> str | None:
        """Values that configure: targets, tunables, settings, constants."""
        match value:
            case catalog.TargetFunctions():
                return json.dumps(self.target_functions(), sort_keys=True)
            case catalog.DefaultTarget():
                return self._targets().default
            case catalog.TunableValue(tunable=name):
                return str(_lookup(self.tunables, name, "tunable"))
            case catalog.SettingValue(setting=name):
                return self.deployment.setting(name)
            case catalog.Constant(value=text):
                return text
        return None

    def target_functions(self) -> dict[str, str]:
        """The bundled target registry: target name -> local function ARN."""
        return {
            name: naming.function_arn(self.machine, logical_id)
            for name, logical_id in self._targets().bundled.items()
        }

    def function_environment(self, function: catalog.Function) -> dict[str, str]:
        """A function's declared variables, plus the connection URL of each database it connects to."""
        environment = {variable: self.resolve(value) for variable, value in function.environment.items()}
        for logical_id in function.databases:
            prefix = self.machine.database(logical_id).settings_prefix
            environment[f"{prefix}DATABASE_URL"] = _lookup(
                self.resources.database_urls, logical_id, "database"
            )
        return environment

    def substitutions(self) -> dict[str, str]:
        """Every `${Name}` of the ASL file with its local value."""
        return self.machine.substitution_values(self.resolve)

    def _targets(self) -> catalog.Targets:
        if self.machine.targets is None:
            raise UnresolvableValue(f"{self.machine.name} declares no targets")
        return self.machine.targets


def _lookup(values: Mapping[str, str] | Mapping[str, int | str], name: str, kind: str) -> str:
    try:
        return str(values[name])
    except KeyError:
        raise UnresolvableValue(f"no {kind} {name} was provisioned") from None
