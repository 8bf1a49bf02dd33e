"""The customer-managed KMS key that encrypts a workflow's queues and topics, and any data it declares so."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_kms as kms
from constructs import Construct


def build_workflow_key(scope: Construct, construct_id: str, *, workflow: str) -> kms.Key:
    """A symmetric key with automatic rotation, kept when the stack is deleted (data may outlive it)."""
    return kms.Key(
        scope,
        construct_id,
        description=f"Encrypts the queues, topics and stored data of the {workflow} workflow.",
        enable_key_rotation=True,
        removal_policy=RemovalPolicy.RETAIN,
    )
