"""The ledger's network: isolated subnets, flow logs, and exactly the AWS endpoints its functions use.

Nothing inside has a route out. Functions that connect to the ledger call AWS APIs through interface
endpoints, derived from their catalog permissions so that a new permission cannot silently lack one.
IAM database authentication tokens are signed locally, so no STS endpoint is needed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_logs as logs
from constructs import Construct

import catalog.model as catalog
from workflows import names

_SERVICES = ec2.InterfaceVpcEndpointAwsService
# The endpoint each permission needs inside the VPC; None: the permission needs no AWS API call.
_ENDPOINT_OF_PERMISSION: Mapping[type, ec2.InterfaceVpcEndpointAwsService | None] = {
    catalog.ControlExecutions: _SERVICES.STEP_FUNCTIONS,
    catalog.PublishMessages: _SERVICES.SNS,
    catalog.SendMessages: _SERVICES.SQS,
    catalog.ReadSecret: _SERVICES.SECRETS_MANAGER,
    catalog.InvokeFunction: _SERVICES.LAMBDA_,
    catalog.InvokeTargets: _SERVICES.LAMBDA_,
    catalog.ConnectToDatabase: None,
}
# Active tracing sends segments from inside the VPC; the migration reads the master secret.
ALWAYS_NEEDED = (_SERVICES.XRAY, _SERVICES.SECRETS_MANAGER)


def endpoint_services(functions: Iterable[catalog.Function]) -> dict[str, ec2.InterfaceVpcEndpointAwsService]:
    """The interface endpoints the in-VPC ``functions`` (those with a database) need, by short name."""
    services = {service.short_name: service for service in ALWAYS_NEEDED}
    for function in functions:
        if not function.databases:
            continue
        for permission in function.permissions:
            if type(permission) not in _ENDPOINT_OF_PERMISSION:
                raise catalog.CatalogError(
                    f"{function.logical_id}: no VPC endpoint is known for {type(permission).__name__}"
                )
            if (service := _ENDPOINT_OF_PERMISSION[type(permission)]) is not None:
                services[service.short_name] = service
    return dict(sorted(services.items()))


class LedgerNetwork(Construct):
    """The VPC (isolated subnets in two zones), its flow logs and its interface endpoints."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        cidr: str,
        services: Mapping[str, ec2.InterfaceVpcEndpointAwsService],
        log_retention: logs.RetentionDays,
    ) -> None:
        super().__init__(scope, construct_id)
        self.vpc = ec2.Vpc(
            self,
            "Vpc",
            ip_addresses=ec2.IpAddresses.cidr(cidr),
            max_azs=names.LEDGER_AVAILABILITY_ZONES,
            nat_gateways=0,
            subnet_configuration=[
                ec2.SubnetConfiguration(
                    name="Isolated", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED, cidr_mask=24
                )
            ],
        )
        self.subnets = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)
        self.vpc.add_flow_log(
            "FlowLogs",
            destination=ec2.FlowLogDestination.to_cloud_watch_logs(
                logs.LogGroup(self, "FlowLogGroup", retention=log_retention)
            ),
            traffic_type=ec2.FlowLogTrafficType.ALL,
        )
        self.endpoints_security_group = ec2.SecurityGroup(
            self,
            "EndpointsSecurityGroup",
            vpc=self.vpc,
            description="Interface endpoints: HTTPS from the functions admitted to the ledger",
            allow_all_outbound=False,
        )
        self.endpoints = {
            name: self.vpc.add_interface_endpoint(
                f"{name.title().replace('-', '').replace('.', '')}Endpoint",
                service=service,
                subnets=self.subnets,
                security_groups=[self.endpoints_security_group],
                private_dns_enabled=True,
                open=False,
            )
            for name, service in services.items()
        }
