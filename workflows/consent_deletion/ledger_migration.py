"""The deploy-time ledger migration: a CDK Trigger runs it in the VPC after the database is up, on every
deployment that changes the code, and a failure rolls the deployment back."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Duration, triggers
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

import catalog.model as catalog
from workflows.shared.database_access import DatabaseAccess
from workflows.shared.functions import CatalogFunction, FunctionNetwork

# Declared here rather than in the catalog: it belongs to the deployment, not to the state machine, and
# the local stack migrates its SQLite ledger itself when it starts.
LEDGER_MIGRATION = catalog.Function(
    logical_id="LedgerMigration",
    description="Deploy time: migrates the ledger and prepares its IAM-authenticated application user.",
    handler="functions.consent_deletion.ledger_migration.handler.handler",
    environment={},
    timeout_seconds=300,
)
MIGRATION_TIMEOUT = Duration.minutes(10)


class LedgerMigration(Construct):
    """The migration function (master credential, inside the VPC) and the trigger that runs it."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        access: DatabaseAccess,
        master_secret: secretsmanager.ISecret,
        powertools_layer: lambda_.ILayerVersion,
        dependencies_layer: lambda_.ILayerVersion,
        log_retention: logs.RetentionDays,
        run_after: Sequence[Construct],
    ) -> None:
        super().__init__(scope, construct_id)
        security_group = ec2.SecurityGroup(
            self,
            "SecurityGroup",
            vpc=access.vpc,
            description="Ledger migration: to the ledger database and AWS endpoints",
            allow_all_outbound=False,
        )
        access.admit(security_group)
        self.function = CatalogFunction(
            self,
            "Function",
            spec=LEDGER_MIGRATION,
            environment={
                **access.environment(),
                "LEDGER_MASTER_SECRET_ARN": master_secret.secret_arn,
                "POWERTOOLS_SERVICE_NAME": "consent-deletion-ledger-migration",
            },
            layer=powertools_layer,
            extra_layers=[dependencies_layer],
            log_level="INFO",
            log_retention=log_retention,
            network=FunctionNetwork(vpc=access.vpc, subnets=access.subnets, security_group=security_group),
            # Two migrations must never run at once.
            reserved_concurrency=1,
        )
        self._grant_master_secret(master_secret)
        self.trigger = triggers.Trigger(
            self,
            "Run",
            handler=self.function.function,
            execute_after=list(run_after),
            execute_on_handler_change=True,
            timeout=MIGRATION_TIMEOUT,
        )

    def _grant_master_secret(self, secret: secretsmanager.ISecret) -> None:
        self.function.role.add_to_principal_policy(
            iam.PolicyStatement(actions=["secretsmanager:GetSecretValue"], resources=[secret.secret_arn])
        )
        if secret.encryption_key is not None:
            secret.encryption_key.grant(self.function.role, "kms:Decrypt")
