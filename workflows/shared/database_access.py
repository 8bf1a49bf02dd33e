"""What a function needs to reach a catalog database: network path, endpoint, CA bundle, IAM auth."""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_rds as rds

import catalog.model as catalog

HTTPS = ec2.Port.tcp(443)


@dataclass(frozen=True)
class DatabaseAccess:
    """A deployed catalog database as its functions see it.

    Functions run in ``subnets`` of ``vpc``; they reach AWS APIs only through ``service_endpoints``
    (interface endpoints), since the subnets have no route out.
    """

    spec: catalog.Database
    instance: rds.IDatabaseInstance
    port: int
    vpc: ec2.IVpc
    subnets: ec2.SubnetSelection
    service_endpoints: ec2.IConnectable
    ca_bundle_path: str

    def environment(self) -> dict[str, str]:
        """The variables the database's settings read: endpoint, name, IAM user and CA bundle."""
        prefix = self.spec.settings_prefix
        return {
            f"{prefix}DB_HOST": self.instance.db_instance_endpoint_address,
            f"{prefix}DB_PORT": self.instance.db_instance_endpoint_port,
            f"{prefix}DB_NAME": self.spec.database_name,
            f"{prefix}DB_USER": self.spec.application_user,
            f"{prefix}DB_CA_BUNDLE": self.ca_bundle_path,
        }

    def admit(self, security_group: ec2.ISecurityGroup) -> None:
        """Let ``security_group`` reach the database's port and the VPC's service endpoints, nothing else."""
        security_group.connections.allow_to(
            self.instance, ec2.Port.tcp(self.port), f"To the {self.spec.logical_id} database"
        )
        security_group.connections.allow_to(self.service_endpoints, HTTPS, "To the AWS service endpoints")

    def grant_connect(self, principal: iam.IGrantable) -> None:
        """``rds-db:connect`` as the application user of this one instance, and as no other user."""
        self.instance.grant_connect(principal, self.spec.application_user)
