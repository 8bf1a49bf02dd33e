"""How catalog functions are invoked besides the state machine: table streams, topics and schedules.

Each failure path ends in a declared queue, and each grant names one resource (the helpers CDK offers for
queues and streams grant wildcard KMS actions, so these wire the destinations themselves).
"""

from __future__ import annotations

from collections.abc import Mapping

import jsii
from aws_cdk import Aws, Duration
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as events_targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as sns_subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

import catalog.model as catalog
from workflows.shared.bindings import Bindings
from workflows.shared.functions import CatalogFunction
from workflows.shared.nag import acknowledge_wildcard_resources
from workflows.shared.permissions import grant

# What Lambda's poller does with the function's role to read a DynamoDB stream (AWS documents these four).
_STREAM_READ_ACTIONS = (
    "dynamodb:DescribeStream",
    "dynamodb:GetRecords",
    "dynamodb:GetShardIterator",
    "dynamodb:ListStreams",
)
# Lambda retries a failed asynchronous invocation this often before the on-failure destination.
ASYNC_RETRY_ATTEMPTS = 2


@jsii.implements(lambda_.IEventSourceDlq)
class _QueueForFailedRecords:
    """An event source mapping's on-failure destination; the grants are made by the caller."""

    def __init__(self, queue: sqs.IQueue) -> None:
        self._queue = queue

    def bind(
        self, target: lambda_.IEventSourceMapping, target_handler: lambda_.IFunction
    ) -> lambda_.DlqDestinationConfig:
        return lambda_.DlqDestinationConfig(destination=self._queue.queue_arn)


@jsii.implements(lambda_.IDestination)
class _QueueForFailedInvocations:
    """An asynchronous invocation's on-failure destination; the grants are made by the caller."""

    def __init__(self, queue: sqs.IQueue) -> None:
        self._queue = queue

    def bind(
        self, scope: Construct, fn: lambda_.IFunction, *, type: lambda_.DestinationType
    ) -> lambda_.DestinationConfig:
        return lambda_.DestinationConfig(destination=self._queue.queue_arn)


def connect_stream_source(
    scope: Construct,
    source: catalog.StreamSource,
    *,
    functions: Mapping[str, CatalogFunction],
    bindings: Bindings,
) -> lambda_.EventSourceMapping:
    """The event source mapping from the table's stream to the function, filtered, with partial retries."""
    function = functions[source.function]
    table = bindings.tables[source.table]
    if table.table_stream_arn is None:
        raise catalog.CatalogError(f"table {source.table} has no change stream to read")
    streams = f"{table.table_arn}/stream/*"
    function.role.add_to_principal_policy(
        iam.PolicyStatement(actions=list(_STREAM_READ_ACTIONS), resources=[streams])
    )
    acknowledge_wildcard_resources(
        function,
        [streams],
        f"The streams of the one table {source.table}, as AWS documents for a Lambda stream consumer: "
        "a table's stream ARN carries a creation timestamp that changes whenever the stream is re-enabled.",
    )
    if table.encryption_key is not None:
        table.encryption_key.grant(function.role, "kms:Decrypt")
    grant(catalog.SendMessages(source.failure_queue), function.role, owner=function, bindings=bindings)
    mapping = lambda_.EventSourceMapping(
        scope,
        f"{source.table}StreamTo{source.function}",
        target=function.function,
        event_source_arn=table.table_stream_arn,
        starting_position=lambda_.StartingPosition.LATEST,
        batch_size=source.batch_size,
        bisect_batch_on_error=True,
        report_batch_item_failures=True,
        retry_attempts=source.maximum_retry_attempts,
        max_record_age=Duration.seconds(source.maximum_record_age_seconds),
        on_failure=_QueueForFailedRecords(bindings.queues[source.failure_queue]),
        filters=[lambda_.FilterCriteria.filter(dict(pattern)) for pattern in source.filter_patterns],
    )
    # Lambda checks the role's stream and queue permissions when the mapping is created.
    mapping.node.add_dependency(function.role)
    return mapping


def subscribe(
    scope: Construct,
    subscription: catalog.Subscription,
    *,
    functions: Mapping[str, CatalogFunction],
    bindings: Bindings,
) -> sns.Subscription:
    """Subscribe the function to the topic; undeliverable messages and failed invocations go to the queue."""
    function = functions[subscription.function]
    topic = bindings.topics[subscription.topic]
    queue = bindings.queues[subscription.failure_queue]
    subscribed = topic.add_subscription(
        sns_subscriptions.LambdaSubscription(function.function, dead_letter_queue=queue)
    )
    # SNS itself writes messages it cannot deliver into the encrypted queue. (The condition names the
    # account, not the topic: the topic is encrypted with this key, so naming it would be circular.)
    bindings.key.add_to_resource_policy(
        iam.PolicyStatement(
            principals=[iam.ServicePrincipal("sns.amazonaws.com")],
            actions=["kms:GenerateDataKey", "kms:Decrypt"],
            resources=["*"],
            conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}},
        )
    )
    function.function.configure_async_invoke(
        on_failure=_QueueForFailedInvocations(queue), retry_attempts=ASYNC_RETRY_ATTEMPTS
    )
    grant(catalog.SendMessages(subscription.failure_queue), function.role, owner=function, bindings=bindings)
    return subscribed


def schedule(
    scope: Construct,
    declared: catalog.Schedule,
    *,
    functions: Mapping[str, CatalogFunction],
    every_minutes: int,
) -> events.Rule:
    """A rule that invokes the function every ``every_minutes``."""
    return events.Rule(
        scope,
        f"{declared.function}Schedule",
        description=f"Runs {declared.function} every {every_minutes} minutes.",
        schedule=events.Schedule.rate(Duration.minutes(every_minutes)),
        targets=[events_targets.LambdaFunction(functions[declared.function].function)],
    )
