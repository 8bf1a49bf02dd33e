"""Queues, topics, tables and secrets a catalog entry declares, built with the project's security defaults."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kms as kms
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

import catalog.model as catalog
from workflows.shared.nag import acknowledge

# SQS keeps a message at most 14 days; a dead-lettered request should stay as long as possible.
QUEUE_RETENTION = Duration.days(14)


def build_queue(scope: Construct, spec: catalog.Queue, key: kms.IKey) -> sqs.Queue:
    """An SQS queue encrypted with ``key`` that refuses unencrypted transport."""
    return sqs.Queue(
        scope,
        spec.logical_id,
        encryption=sqs.QueueEncryption.KMS,
        encryption_master_key=key,
        enforce_ssl=True,
        retention_period=QUEUE_RETENTION,
    )


def build_topic(scope: Construct, spec: catalog.Topic, key: kms.IKey) -> sns.Topic:
    """An SNS topic encrypted with ``key`` that refuses unencrypted publishers."""
    return sns.Topic(
        scope, spec.logical_id, display_name=spec.purpose[:100], master_key=key, enforce_ssl=True
    )


def build_table(
    scope: Construct, spec: catalog.Table, key: kms.IKey | None = None, *, retain: bool = False
) -> dynamodb.Table:
    """An on-demand table with point-in-time recovery, encryption at rest and the declared TTL attribute.

    The AWS-managed key encrypts it, so DynamoDB needs no key grants on every caller, unless the
    declaration asks for the workflow's customer-managed ``key``. A declared change stream carries the
    old and the new item. ``retain`` keeps the table (and protects it from deletion) beyond the stack.
    """
    customer_managed = spec.customer_managed_key and key is not None
    return dynamodb.Table(
        scope,
        spec.logical_id,
        partition_key=dynamodb.Attribute(name=spec.partition_key, type=dynamodb.AttributeType.STRING),
        billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
        time_to_live_attribute=spec.time_to_live_attribute,
        point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
            point_in_time_recovery_enabled=True
        ),
        encryption=(
            dynamodb.TableEncryption.CUSTOMER_MANAGED
            if customer_managed
            else dynamodb.TableEncryption.AWS_MANAGED
        ),
        encryption_key=key if customer_managed else None,
        stream=dynamodb.StreamViewType.NEW_AND_OLD_IMAGES if spec.change_stream else None,
        deletion_protection=retain,
        removal_policy=RemovalPolicy.RETAIN if retain else RemovalPolicy.DESTROY,
    )


def build_secret(scope: Construct, spec: catalog.Secret, key: kms.IKey) -> secretsmanager.Secret:
    """A secret encrypted with ``key``, holding a random value until an operator stores the real one.

    Its value comes from outside (a vendor issues an API key), so nothing here can rotate it.
    """
    secret = secretsmanager.Secret(scope, spec.logical_id, description=spec.purpose, encryption_key=key)
    acknowledge(
        secret,
        "AwsSolutions-SMG4",
        f"{spec.logical_id} holds a value issued outside AWS ({spec.purpose}); it is rotated by storing the "
        "new value (docs/runbook.md), which a rotation function could not obtain.",
    )
    return secret
