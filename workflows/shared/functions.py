"""A Lambda function built from a catalog declaration: its own role, its own log group, Powertools layer."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from aws_cdk import Aws, Duration, IgnoreMode
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

import catalog.model as catalog
from catalog.locations import REPOSITORY_ROOT
from workflows import names
from workflows.shared.nag import acknowledge

_APPLICATION_LOG_LEVELS = {
    "DEBUG": lambda_.ApplicationLogLevel.DEBUG,
    "INFO": lambda_.ApplicationLogLevel.INFO,
    "WARNING": lambda_.ApplicationLogLevel.WARN,
    "ERROR": lambda_.ApplicationLogLevel.ERROR,
}


def powertools_layer(scope: Construct, construct_id: str, *, version: int) -> lambda_.ILayerVersion:
    """The AWS-managed Powertools for AWS Lambda (Python) v3 layer of the deployment region."""
    arn = (
        f"arn:{Aws.PARTITION}:lambda:{Aws.REGION}:{names.POWERTOOLS_LAYER_ACCOUNT}:layer:"
        f"{names.POWERTOOLS_LAYER_NAME}:{version}"
    )
    return lambda_.LayerVersion.from_layer_version_arn(scope, construct_id, arn)


# What Lambda does with the execution role to attach a function to its VPC (AWS documents these, on '*').
_VPC_ACCESS_ACTIONS = (
    "ec2:CreateNetworkInterface",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSubnets",
    "ec2:DeleteNetworkInterface",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
)


@dataclass(frozen=True)
class FunctionNetwork:
    """Where a function runs inside a VPC, and the security group that says what it may reach."""

    vpc: ec2.IVpc
    subnets: ec2.SubnetSelection
    security_group: ec2.ISecurityGroup


def functions_code() -> lambda_.Code:
    """The repository's ``functions`` package and nothing else; handler strings are relative to its parent."""
    return lambda_.Code.from_asset(
        str(REPOSITORY_ROOT), exclude=list(names.LAMBDA_ASSET_EXCLUDES), ignore_mode=IgnoreMode.GIT
    )


class CatalogFunction(Construct):
    """One catalog function. Its role starts empty except for writing to its own log group."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        spec: catalog.Function,
        environment: Mapping[str, str],
        layer: lambda_.ILayerVersion,
        log_level: str,
        log_retention: logs.RetentionDays,
        extra_layers: Sequence[lambda_.ILayerVersion] = (),
        network: FunctionNetwork | None = None,
        reserved_concurrency: int | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.spec = spec
        self.network = network
        self.log_group = logs.LogGroup(self, "Logs", retention=log_retention)
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"Execution role of {spec.logical_id}: {spec.description}",
        )
        self.function = lambda_.Function(
            self,
            "Function",
            description=spec.description,
            runtime=names.LAMBDA_RUNTIME,
            architecture=names.LAMBDA_ARCHITECTURE,
            handler=spec.handler,
            code=functions_code(),
            layers=[layer, *extra_layers],
            environment=dict(environment),
            role=self.role,
            log_group=self.log_group,
            logging_format=names.LAMBDA_LOGGING_FORMAT,
            application_log_level_v2=_APPLICATION_LOG_LEVELS[log_level],
            system_log_level_v2=lambda_.SystemLogLevel.INFO,
            tracing=lambda_.Tracing.ACTIVE,
            timeout=Duration.seconds(spec.timeout_seconds),
            memory_size=spec.memory_mb,
            reserved_concurrent_executions=reserved_concurrency,
            vpc=network.vpc if network is not None else None,
            vpc_subnets=network.subnets if network is not None else None,
            security_groups=[network.security_group] if network is not None else None,
        )
        self.log_group.grant_write(self.role)
        if network is not None:
            self.role.add_to_principal_policy(
                iam.PolicyStatement(actions=list(_VPC_ACCESS_ACTIONS), resources=["*"])
            )
        self._acknowledge_findings()

    def _acknowledge_findings(self) -> None:
        vpc_access = (
            " Attached to a VPC: Lambda manages the function's network interfaces with the ec2 actions "
            "AWS documents for VPC access on Resource '*' (the interfaces do not exist before)."
            if self.network is not None
            else ""
        )
        acknowledge(
            self,
            "AwsSolutions-IAM5[Resource::*]",
            "Active X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no "
            "resource-level permissions, so AWS documents Resource '*' for them." + vpc_access,
        )
        acknowledge(
            self,
            "AwsSolutions-L1",
            f"The runtime is pinned to {names.LAMBDA_RUNTIME.name} to match the Powertools layer "
            f"{names.POWERTOOLS_LAYER_NAME} and the Python version the code is tested with; "
            "moving to a newer runtime is a deliberate upgrade of both.",
        )
