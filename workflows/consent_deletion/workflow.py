"""The consent-deletion workflow: the catalog entry's resources and state machine, the ledger database in
its own network, the deploy-time migration, and the e-mail subscriptions of the alarms."""

from __future__ import annotations

from pathlib import Path

from aws_cdk import Stack
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as sns_subscriptions
from constructs import Construct

from catalog import CONSENT_DELETION
from catalog.consent_deletion import LEDGER, OPERATIONS_TOPIC
from catalog.locations import REPOSITORY_ROOT
from workflows import names
from workflows.config import ConsentDeletionConfig
from workflows.consent_deletion.ledger_database import LedgerDatabase
from workflows.consent_deletion.ledger_migration import LedgerMigration
from workflows.consent_deletion.network import LedgerNetwork, endpoint_services
from workflows.shared.dependencies_layer import dependencies_layer
from workflows.shared.encryption import build_workflow_key
from workflows.shared.functions import powertools_layer
from workflows.shared.workflow import CatalogWorkflow

LAYER_BUILD_TARGET = (
    "make build/layers/consent-deletion/python build/layers/consent-deletion/rds-ca/global-bundle.pem"
)


class ConsentDeletionWorkflow(Construct):
    """Customers table and stream trigger, ConsentDeletion state machine and its task functions, alert
    topic and mailer, reconciler, ledger database (VPC, RDS, migration), alarms to the operations topic.

    Only the functions that connect to the ledger run in its VPC. The vendor tasks stay outside: they
    call the vendor's public API and Secrets Manager, which Lambda's own egress reaches, so the ledger's
    subnets need no route out and no NAT gateway. (A vendor that allow-lists source addresses would
    change that: the vendor tasks would then need private subnets behind a NAT gateway's Elastic IP.)
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: ConsentDeletionConfig,
        powertools_layer_version: int,
        log_retention: logs.RetentionDays,
    ) -> None:
        super().__init__(scope, construct_id)
        self.key = build_workflow_key(self, "Key", workflow=CONSENT_DELETION.name)
        self.network = LedgerNetwork(
            self,
            "Network",
            cidr=config.vpc_cidr,
            services=endpoint_services(CONSENT_DELETION.functions),
            log_retention=log_retention,
        )
        self.ledger = LedgerDatabase(
            self,
            LEDGER,
            spec=CONSENT_DELETION.database(LEDGER),
            network=self.network,
            key=self.key,
            config=config,
            ca_bundle_path=f"{names.LAYER_MOUNT}/{names.RDS_CA_BUNDLE_IN_LAYER}",
            log_retention=log_retention,
        )
        self.dependencies_layer = dependencies_layer(
            self,
            "DependenciesLayer",
            directory=_repository_path(config.dependencies_layer_directory),
            required_files=[names.RDS_CA_BUNDLE_IN_LAYER],
            build_command=LAYER_BUILD_TARGET,
            description="Consent deletion: SQLAlchemy, Alembic, pg8000, RDS CA bundle.",
        )
        self.core = CatalogWorkflow(
            self,
            "Core",
            spec=CONSENT_DELETION,
            tunables=config.tunable_values(),
            targets={},
            default_target=None,
            include_execution_data=config.log_execution_data,
            powertools_layer_version=powertools_layer_version,
            log_retention=log_retention,
            key=self.key,
            retain_data=config.production,
            databases={LEDGER: self.ledger.access},
            settings=config.setting_values(),
            dependencies_layer=self.dependencies_layer,
            email_identity_arn=self._email_identity_arn(config.sender_identity),
        )
        self.migration = self._build_migration(powertools_layer_version, log_retention)
        self._subscribe_operators(config.alarm_subscribers)

    def _build_migration(
        self, powertools_layer_version: int, log_retention: logs.RetentionDays
    ) -> LedgerMigration:
        migration = LedgerMigration(
            self,
            "LedgerMigration",
            access=self.ledger.access,
            master_secret=self.ledger.master_secret,
            powertools_layer=powertools_layer(self, "PowertoolsLayer", version=powertools_layer_version),
            dependencies_layer=self.dependencies_layer,
            log_retention=log_retention,
            run_after=[self.ledger, self.network],
        )
        # Nothing starts a deletion (or a reconciliation) before the ledger has its schema and user.
        migration.trigger.execute_before(*self.core.invocations)
        return migration

    def _subscribe_operators(self, addresses: list[str]) -> None:
        topic = self.core.bindings.topics[OPERATIONS_TOPIC]
        for address in addresses:
            topic.add_subscription(sns_subscriptions.EmailSubscription(address))

    def _email_identity_arn(self, identity: str) -> str:
        return Stack.of(self).format_arn(service="ses", resource="identity", resource_name=identity)

    @property
    def operations_topic(self) -> sns.ITopic:
        """Where the alarms go."""
        return self.core.bindings.topics[OPERATIONS_TOPIC]


def _repository_path(directory: str) -> Path:
    path = Path(directory)
    return path if path.is_absolute() else REPOSITORY_ROOT / path
