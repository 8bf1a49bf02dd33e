"""The ledger database: RDS for PostgreSQL in isolated subnets, encrypted, IAM authentication, TLS only."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_rds as rds
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

import catalog.model as catalog
from workflows import names
from workflows.config import ConsentDeletionConfig
from workflows.consent_deletion.network import LedgerNetwork
from workflows.shared.database_access import DatabaseAccess
from workflows.shared.nag import acknowledge

# Log types the instance exports to CloudWatch Logs.
EXPORTED_LOGS = ("postgresql", "upgrade")
MASTER_SECRET_ROTATION = Duration.days(30)
# Storage grows on its own up to this multiple of the allocated size.
STORAGE_GROWTH_FACTOR = 5


class LedgerDatabase(Construct):
    """The instance, its parameters, log groups and master secret (rotated), and how functions reach it.

    In the production configuration the instance is Multi-AZ, protected against deletion and kept
    (RETAIN) when the stack goes; otherwise deleting the stack leaves a final snapshot.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        spec: catalog.Database,
        network: LedgerNetwork,
        key: kms.IKey,
        config: ConsentDeletionConfig,
        ca_bundle_path: str,
        log_retention: logs.RetentionDays,
    ) -> None:
        super().__init__(scope, construct_id)
        self._spec = spec
        self._network = network
        self._production = config.production
        self.identifier = f"{Stack.of(self).stack_name}-{spec.logical_id}".lower()
        self.security_group = ec2.SecurityGroup(
            self,
            "SecurityGroup",
            vpc=network.vpc,
            description=f"The {spec.logical_id} database: PostgreSQL from admitted functions only",
            allow_all_outbound=False,
        )
        self.instance = self._build_instance(config, key, self._build_log_groups(log_retention))
        self.master_secret: secretsmanager.ISecret = self._master_secret()
        self._rotate_master_secret()
        self.access = DatabaseAccess(
            spec=spec,
            instance=self.instance,
            port=names.LEDGER_POSTGRES_PORT,
            vpc=network.vpc,
            subnets=network.subnets,
            service_endpoints=network.endpoints_security_group,
            ca_bundle_path=ca_bundle_path,
        )
        self._acknowledge_findings()

    def _build_log_groups(self, log_retention: logs.RetentionDays) -> list[logs.LogGroup]:
        # Created here, under the names RDS writes to, so they get a retention without a custom resource.
        return [
            logs.LogGroup(
                self,
                f"{log_type.title()}Logs",
                log_group_name=f"/aws/rds/instance/{self.identifier}/{log_type}",
                retention=log_retention,
                removal_policy=RemovalPolicy.RETAIN if self._production else RemovalPolicy.DESTROY,
            )
            for log_type in EXPORTED_LOGS
        ]

    def _build_instance(
        self, config: ConsentDeletionConfig, key: kms.IKey, log_groups: list[logs.LogGroup]
    ) -> rds.DatabaseInstance:
        engine = rds.DatabaseInstanceEngine.postgres(version=names.LEDGER_POSTGRES_VERSION)
        instance = rds.DatabaseInstance(
            self,
            "Instance",
            instance_identifier=self.identifier,
            engine=engine,
            instance_type=ec2.InstanceType(config.ledger_instance_type),
            vpc=self._network.vpc,
            vpc_subnets=self._network.subnets,
            security_groups=[self.security_group],
            port=names.LEDGER_POSTGRES_PORT,
            database_name=self._spec.database_name,
            credentials=rds.Credentials.from_generated_secret(names.LEDGER_MASTER_USER, encryption_key=key),
            iam_authentication=True,
            publicly_accessible=False,
            storage_encrypted=True,
            storage_encryption_key=key,
            storage_type=rds.StorageType.GP3,
            allocated_storage=config.ledger_allocated_storage_gib,
            max_allocated_storage=config.ledger_allocated_storage_gib * STORAGE_GROWTH_FACTOR,
            multi_az=config.production,
            deletion_protection=config.production,
            removal_policy=RemovalPolicy.RETAIN if config.production else RemovalPolicy.SNAPSHOT,
            backup_retention=Duration.days(config.ledger_backup_retention_days),
            copy_tags_to_snapshot=True,
            # The engine version is pinned in the template; an automatic minor upgrade would make the next
            # deployment try to go back. Upgrades are a deliberate change of names.LEDGER_POSTGRES_VERSION.
            auto_minor_version_upgrade=False,
            parameter_group=rds.ParameterGroup(
                self,
                "Parameters",
                engine=engine,
                description="Ledger: TLS only, connections logged",
                parameters={"rds.force_ssl": "1", "log_connections": "1", "log_disconnections": "1"},
            ),
            ca_certificate=rds.CaCertificate.RDS_CA_RSA2048_G1,
            cloudwatch_logs_exports=list(EXPORTED_LOGS),
            enable_performance_insights=True,
            performance_insight_encryption_key=key,
            performance_insight_retention=rds.PerformanceInsightRetention.DEFAULT,
        )
        for log_group in log_groups:
            instance.node.add_dependency(log_group)
        return instance

    def _master_secret(self) -> secretsmanager.ISecret:
        secret = self.instance.secret
        if secret is None:  # from_generated_secret always creates one; the check narrows the type.
            raise RuntimeError("the ledger instance has no master secret")
        return secret

    def _rotate_master_secret(self) -> None:
        self.instance.add_rotation_single_user(
            automatically_after=MASTER_SECRET_ROTATION,
            # Rotating at creation would race the deploy-time migration that logs in with this secret.
            rotate_immediately_on_update=False,
            endpoint=self._network.endpoints["secretsmanager"],
            vpc_subnets=self._network.subnets,
        )

    def _acknowledge_findings(self) -> None:
        acknowledge(
            self,
            "AwsSolutions-RDS11",
            "The default PostgreSQL port: the instance sits in isolated subnets whose security group admits "
            "only the ledger's own functions, so another port would hide nothing.",
        )
        if not self._production:
            acknowledge(
                self,
                "AwsSolutions-RDS3",
                "Single-AZ outside production (consentDeletion.production = false) to halve the cost; "
                "the production configuration deploys Multi-AZ.",
            )
            acknowledge(
                self,
                "AwsSolutions-RDS10",
                "Deletion protection is on in the production configuration (consentDeletion.production); "
                "other deployments must be removable, and leave a final snapshot when they are.",
            )
