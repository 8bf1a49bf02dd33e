"""What each name in a catalog entry stands for in one stack: the CDK objects behind the declarations."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from aws_cdk import Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

import catalog.model as catalog
from workflows.shared.database_access import DatabaseAccess
from workflows.shared.state_machine import CatalogStateMachine

_T = TypeVar("_T")


class UnboundReference(LookupError):
    """A catalog reference was resolved before the object it names was built."""


@dataclass
class Bindings:
    """Catalog names -> CDK objects, filled in as a workflow construct builds them."""

    scope: Construct
    key: kms.IKey
    tunables: Mapping[str, int | str]
    queues: dict[str, sqs.IQueue] = field(default_factory=dict)
    topics: dict[str, sns.ITopic] = field(default_factory=dict)
    tables: dict[str, dynamodb.ITable] = field(default_factory=dict)
    functions: dict[str, lambda_.IFunction] = field(default_factory=dict)
    targets: dict[str, lambda_.IFunction] = field(default_factory=dict)
    default_target: str | None = None
    state_machine: CatalogStateMachine | None = None
    secrets: dict[str, secretsmanager.ISecret] = field(default_factory=dict)
    databases: Mapping[str, DatabaseAccess] = field(default_factory=dict)
    settings: Mapping[str, str] = field(default_factory=dict)
    email_identity_arn: str | None = None
    """The SES identity that ``SendEmail`` permits sending from."""

    def resolve(self, value: catalog.Value) -> str:
        """The string (often a CloudFormation token) a catalog value stands for in this stack."""
        if isinstance(value, catalog.SecretArn | catalog.SettingValue):
            return self._resolve_deployment_value(value)
        resolved: str | None = None
        match value:
            case catalog.FunctionArn(function=name):
                resolved = _lookup(self.functions, name, "function").function_arn
            case catalog.QueueUrl(queue=name):
                resolved = _lookup(self.queues, name, "queue").queue_url
            case catalog.TopicArn(topic=name):
                resolved = _lookup(self.topics, name, "topic").topic_arn
            case catalog.TableName(table=name):
                resolved = _lookup(self.tables, name, "table").table_name
            case catalog.StateMachineArn():
                resolved = self.require_state_machine().state_machine.state_machine_arn
            case catalog.TargetFunctions():
                resolved = Stack.of(self.scope).to_json_string(
                    {name: function.function_arn for name, function in self.targets.items()}
                )
            case catalog.DefaultTarget():
                resolved = self.default_target
            case catalog.TunableValue(tunable=name):
                resolved = str(_lookup(self.tunables, name, "tunable"))
            case catalog.Constant(value=text):
                resolved = text
        if resolved is None:
            raise UnboundReference(f"{value} is not bound yet")
        return resolved

    def _resolve_deployment_value(self, value: catalog.SecretArn | catalog.SettingValue) -> str:
        if isinstance(value, catalog.SecretArn):
            return _lookup(self.secrets, value.secret, "secret").secret_arn
        return _lookup(self.settings, value.setting, "setting")

    def require_state_machine(self) -> CatalogStateMachine:
        """The workflow's state machine; raises ``UnboundReference`` before it is built."""
        if self.state_machine is None:
            raise UnboundReference("the state machine is not built yet")
        return self.state_machine


def _lookup(objects: Mapping[str, _T], name: str, kind: str) -> _T:
    try:
        return objects[name]
    except KeyError:
        raise UnboundReference(f"{kind} {name} is not bound") from None
