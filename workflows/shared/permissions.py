"""Catalog permissions turned into IAM grants: named actions on named resources, never a wildcard action."""

from __future__ import annotations

from aws_cdk import ArnFormat, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

import catalog.model as catalog
from workflows.shared.bindings import Bindings, UnboundReference
from workflows.shared.nag import acknowledge_wildcard_resources

_EXECUTION_ACTIONS = {
    catalog.ExecutionAction.DESCRIBE: "states:DescribeExecution",
    catalog.ExecutionAction.STOP: "states:StopExecution",
    catalog.ExecutionAction.READ_HISTORY: "states:GetExecutionHistory",
}
_ITEM_ACTIONS = ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem")
# What a producer needs on the key of an SSE-KMS queue or topic (AWS documents exactly these two).
_PRODUCER_KEY_ACTIONS = ("kms:GenerateDataKey", "kms:Decrypt")


def grant(
    permission: catalog.Permission, principal: iam.IGrantable, *, owner: Construct, bindings: Bindings
) -> None:
    """Give ``principal`` what ``permission`` says; acknowledge any resource pattern on ``owner``.

    ``owner`` is the construct holding the principal's policy (a function or state machine construct).
    """
    match permission:
        case catalog.ControlExecutions(actions=actions):
            _grant_execution_control(actions, principal, owner=owner, bindings=bindings)
        case catalog.ReadWriteItems(table=name):
            _allow(principal, _ITEM_ACTIONS, bindings.tables[name].table_arn)
        case catalog.SendMessages(queue=name):
            queue = bindings.queues[name]
            _allow(principal, ("sqs:SendMessage",), queue.queue_arn)
            _allow_key_use(queue.encryption_master_key, principal)
        case catalog.PublishMessages(topic=name):
            topic = bindings.topics[name]
            _allow(principal, ("sns:Publish",), topic.topic_arn)
            _allow_key_use(topic.master_key, principal)
        case catalog.InvokeFunction(function=name):
            _grant_invoke(bindings.functions[name], principal, owner=owner)
        case catalog.InvokeTargets():
            for function in bindings.targets.values():
                _grant_invoke(function, principal, owner=owner)
        case catalog.ReadSecret() | catalog.ConnectToDatabase() | catalog.SendEmail():
            _grant_outside_access(permission, principal, bindings)


def _grant_outside_access(
    permission: catalog.ReadSecret | catalog.ConnectToDatabase | catalog.SendEmail,
    principal: iam.IGrantable,
    bindings: Bindings,
) -> None:
    match permission:
        case catalog.ReadSecret(secret=name):
            secret = bindings.secrets[name]
            _allow(principal, ("secretsmanager:GetSecretValue",), secret.secret_arn)
            if secret.encryption_key is not None:
                secret.encryption_key.grant(principal, "kms:Decrypt")
        case catalog.ConnectToDatabase(database=name):
            bindings.databases[name].grant_connect(principal)
        case catalog.SendEmail():
            if bindings.email_identity_arn is None:
                raise UnboundReference("SendEmail needs the sender identity, which is not configured")
            _allow(principal, ("ses:SendEmail",), bindings.email_identity_arn)


def _allow(principal: iam.IGrantable, actions: tuple[str, ...], resource: str) -> None:
    principal.grant_principal.add_to_principal_policy(
        iam.PolicyStatement(actions=list(actions), resources=[resource])
    )


def _allow_key_use(key: kms.IKey | None, principal: iam.IGrantable) -> None:
    if key is not None:
        key.grant(principal, *_PRODUCER_KEY_ACTIONS)


def _grant_execution_control(
    actions: frozenset[catalog.ExecutionAction],
    principal: iam.IGrantable,
    *,
    owner: Construct,
    bindings: Bindings,
) -> None:
    machine = bindings.require_state_machine()
    if catalog.ExecutionAction.START in actions:
        machine.state_machine.grant_start_execution(principal)
    execution_actions = tuple(
        sorted(_EXECUTION_ACTIONS[action] for action in actions if action in _EXECUTION_ACTIONS)
    )
    if not execution_actions:
        return
    executions = Stack.of(owner).format_arn(
        service="states",
        resource="execution",
        resource_name=f"{machine.name}:*",
        arn_format=ArnFormat.COLON_RESOURCE_NAME,
    )
    _allow(principal, execution_actions, executions)
    acknowledge_wildcard_resources(
        owner,
        [executions],
        f"Executions of the one state machine {machine.name}: execution names are chosen per request at "
        "run time (the scheduleId), so the policy names the machine and matches its executions.",
    )


def _grant_invoke(function: lambda_.IFunction, principal: iam.IGrantable, *, owner: Construct) -> None:
    function.grant_invoke(principal)
    acknowledge_wildcard_resources(
        owner,
        [f"{function.function_arn}:*"],
        "Invoking one named function, any of its versions or aliases (the ':*' qualifier suffix that "
        "Function.grantInvoke adds); no other function matches.",
    )
