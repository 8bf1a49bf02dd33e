"""Creates locally what each catalog entry declares: queues, topics, tables (with their change streams),
secrets and e-mail identities in the embedded AWS services, and databases as SQLite files.

Idempotent: a resource that exists already (moto's state is process-wide; a database file survives a
restart) is reused. A new kind of declaration in the catalog needs one `_provision_*` function here and
one field in `ProvisionedResources`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from catalog.model import Database, Queue, Secret, SendEmail, StateMachine, Table, Topic
from local.stack.aws_services import EmbeddedAwsServices
from local.stack.deployment_values import LOCAL_EMAIL_DOMAIN, LocalDeployment
from local.stack.naming import resource_name

# A dead-letter queue keeps messages as long as SQS allows, so a person has time to look at them.
_DEAD_LETTER_RETENTION_SECONDS = "1209600"


@dataclass
class ProvisionedResources:
    """What one state machine's declarations became locally, by logical id."""

    queue_urls: dict[str, str] = field(default_factory=dict)
    topic_arns: dict[str, str] = field(default_factory=dict)
    table_names: dict[str, str] = field(default_factory=dict)
    stream_arns: dict[str, str] = field(default_factory=dict)
    """Change streams of the tables that have one."""
    secret_arns: dict[str, str] = field(default_factory=dict)
    database_urls: dict[str, str] = field(default_factory=dict)


def provision(
    machine: StateMachine, services: EmbeddedAwsServices, deployment: LocalDeployment, data_dir: Path
) -> ProvisionedResources:
    """Create (or find) every resource `machine` declares and return their local addresses."""
    resources = ProvisionedResources()
    if machine.queues:
        sqs = services.client("sqs")
        for queue in machine.queues:
            resources.queue_urls[queue.logical_id] = _provision_queue(sqs, machine, queue)
    if machine.topics:
        sns = services.client("sns")
        for topic in machine.topics:
            resources.topic_arns[topic.logical_id] = _provision_topic(sns, machine, topic)
    if machine.tables:
        dynamodb = services.client("dynamodb")
        for table in machine.tables:
            name, stream_arn = _provision_table(dynamodb, machine, table)
            resources.table_names[table.logical_id] = name
            if stream_arn is not None:
                resources.stream_arns[table.logical_id] = stream_arn
    if machine.secrets:
        secretsmanager = services.client("secretsmanager")
        for secret in machine.secrets:
            resources.secret_arns[secret.logical_id] = _provision_secret(
                secretsmanager, machine, secret, deployment.secret(secret.logical_id)
            )
    for database in machine.databases:
        resources.database_urls[database.logical_id] = _provision_database(
            machine, database, deployment, data_dir
        )
    if _sends_email(machine):
        # Every local address is in one domain; verifying it lets any of them send, as in the SES sandbox.
        services.client("ses").verify_domain_identity(Domain=LOCAL_EMAIL_DOMAIN)
    return resources


def _provision_queue(sqs: Any, machine: StateMachine, queue: Queue) -> str:
    attributes = {"MessageRetentionPeriod": _DEAD_LETTER_RETENTION_SECONDS} if queue.dead_letter else {}
    response = sqs.create_queue(QueueName=resource_name(machine, queue.logical_id), Attributes=attributes)
    return str(response["QueueUrl"])


def _provision_topic(sns: Any, machine: StateMachine, topic: Topic) -> str:
    response = sns.create_topic(Name=resource_name(machine, topic.logical_id))
    return str(response["TopicArn"])


def _provision_table(dynamodb: Any, machine: StateMachine, table: Table) -> tuple[str, str | None]:
    name = resource_name(machine, table.logical_id)
    options: dict[str, Any] = {}
    if table.change_stream:
        # Old and new images: a consumer sees what changed, as the catalog's stream sources expect.
        options["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    try:
        dynamodb.create_table(
            TableName=name,
            KeySchema=[{"AttributeName": table.partition_key, "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": table.partition_key, "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
            **options,
        )
    except dynamodb.exceptions.ResourceInUseException:
        pass
    else:
        if table.time_to_live_attribute is not None:
            dynamodb.update_time_to_live(
                TableName=name,
                TimeToLiveSpecification={"Enabled": True, "AttributeName": table.time_to_live_attribute},
            )
    stream_arn = dynamodb.describe_table(TableName=name)["Table"].get("LatestStreamArn")
    return name, stream_arn


def _provision_secret(secretsmanager: Any, machine: StateMachine, secret: Secret, value: str) -> str:
    name = resource_name(machine, secret.logical_id)
    try:
        return str(secretsmanager.create_secret(Name=name, SecretString=value)["ARN"])
    except secretsmanager.exceptions.ResourceExistsException:
        return str(secretsmanager.put_secret_value(SecretId=name, SecretString=value)["ARN"])


def _provision_database(
    machine: StateMachine, database: Database, deployment: LocalDeployment, data_dir: Path
) -> str:
    """A SQLite file (kept under --state-dir, so the ledger survives a restart), migrated to head."""
    url = f"sqlite:///{data_dir / (resource_name(machine, database.logical_id) + '.sqlite3')}"
    deployment.migrate(database.logical_id, url)
    return url


def _sends_email(machine: StateMachine) -> bool:
    return any(
        isinstance(permission, SendEmail)
        for function in machine.functions
        for permission in function.permissions
    )
