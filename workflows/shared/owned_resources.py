"""Queues, topics and tables a catalog entry declares, built with the project's security defaults."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

import catalog.model as catalog

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


def build_table(scope: Construct, spec: catalog.Table) -> dynamodb.Table:
    """An on-demand table with point-in-time recovery, encryption at rest and the declared TTL attribute.

    The AWS-managed key encrypts it: DynamoDB then needs no key grants on every caller.
    """
    return dynamodb.Table(
        scope,
        spec.logical_id,
        partition_key=dynamodb.Attribute(name=spec.partition_key, type=dynamodb.AttributeType.STRING),
        billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
        time_to_live_attribute=spec.time_to_live_attribute,
        point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
            point_in_time_recovery_enabled=True
        ),
        encryption=dynamodb.TableEncryption.AWS_MANAGED,
        removal_policy=RemovalPolicy.DESTROY,
    )
