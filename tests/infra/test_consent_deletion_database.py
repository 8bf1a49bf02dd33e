"""The ledger database and its network: private, encrypted, IAM authentication, TLS, production safeguards."""

from __future__ import annotations

from typing import Any

from catalog import CONSENT_DELETION
from catalog.consent_deletion import LEDGER_TASKS
from tests.infra.cloud_assembly import SynthesizedApp
from workflows import names
from workflows.consent_deletion.network import endpoint_services


def _instance(app: SynthesizedApp) -> dict[str, Any]:
    _, instance = app.only("AWS::RDS::DBInstance")
    return instance


def test_the_database_is_private_encrypted_and_authenticates_with_iam(consent_app: SynthesizedApp) -> None:
    # Given the instance and the workflow key
    properties = _instance(consent_app)["Properties"]
    key_id, _ = consent_app.only("AWS::KMS::Key")

    # Then it is not publicly accessible, its storage is encrypted with the key, IAM auth is on
    assert properties["PubliclyAccessible"] is False
    assert properties["StorageEncrypted"] is True
    assert properties["KmsKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]}
    assert properties["EnableIAMDatabaseAuthentication"] is True
    # and it runs the pinned PostgreSQL version, with backups and no automatic minor upgrades
    assert properties["Engine"] == "postgres"
    assert properties["EngineVersion"] == names.LEDGER_POSTGRES_VERSION.postgres_full_version
    assert properties["BackupRetentionPeriod"] >= 1
    assert properties["AutoMinorVersionUpgrade"] is False


def test_the_database_accepts_tls_connections_only(consent_app: SynthesizedApp) -> None:
    # Given the instance's parameter group / Then it forces SSL
    _, parameters = consent_app.only("AWS::RDS::DBParameterGroup")
    assert parameters["Properties"]["Parameters"]["rds.force_ssl"] == "1"
    assert _instance(consent_app)["Properties"]["DBParameterGroupName"] == {
        "Ref": next(iter(consent_app.of_type("AWS::RDS::DBParameterGroup")))
    }


def test_the_database_lives_in_isolated_subnets_of_a_vpc_without_a_route_out(
    consent_app: SynthesizedApp,
) -> None:
    # Given the subnet group, the subnets and the gateways
    _, subnet_group = consent_app.only("AWS::RDS::DBSubnetGroup")
    subnets = consent_app.of_type("AWS::EC2::Subnet")

    # Then the group holds every subnet, none of them public, and nothing leads to the internet
    assert {reference["Ref"] for reference in subnet_group["Properties"]["SubnetIds"]} == set(subnets)
    assert all(subnet["Properties"]["MapPublicIpOnLaunch"] is False for subnet in subnets.values())
    assert consent_app.of_type("AWS::EC2::InternetGateway") == {}
    assert consent_app.of_type("AWS::EC2::NatGateway") == {}
    assert consent_app.of_type("AWS::EC2::Route") == {}


def test_only_admitted_security_groups_reach_the_database_port(consent_app: SynthesizedApp) -> None:
    # Given the database's security group and every ingress rule into it
    instance = _instance(consent_app)["Properties"]
    (database_group,) = [reference["Fn::GetAtt"][0] for reference in instance["VPCSecurityGroups"]]
    ingress = [
        rule["Properties"]
        for rule in consent_app.of_type("AWS::EC2::SecurityGroupIngress").values()
        if rule["Properties"]["GroupId"] == {"Fn::GetAtt": [database_group, "GroupId"]}
    ]
    _, ledger_tasks = consent_app.function_with_handler(CONSENT_DELETION.function(LEDGER_TASKS).handler)
    (ledger_group,) = ledger_tasks["Properties"]["VpcConfig"]["SecurityGroupIds"]

    # Then every rule names a source security group (never an address range) and the ledger tasks' is one
    assert ingress
    assert all("CidrIp" not in rule and "SourceSecurityGroupId" in rule for rule in ingress)
    assert ledger_group in [rule["SourceSecurityGroupId"] for rule in ingress]
    assert consent_app.resources[database_group]["Properties"].get("SecurityGroupIngress", []) == []


def test_the_vpc_has_exactly_the_endpoints_its_functions_need(consent_app: SynthesizedApp) -> None:
    # Given the interface endpoints in the template and those the catalog's in-VPC functions need
    deployed = {
        endpoint["Properties"]["ServiceName"]["Fn::Join"][1][-1].rpartition(".")[2]
        for endpoint in consent_app.of_type("AWS::EC2::VPCEndpoint").values()
    }

    # Then they are the same: Step Functions and SNS for the reconciler, Secrets Manager, X-Ray
    assert deployed == set(endpoint_services(CONSENT_DELETION.functions))
    assert deployed == {"states", "sns", "secretsmanager", "xray"}


def test_migrations_run_on_deploy_after_the_database_and_before_anything_starts_a_deletion(
    consent_app: SynthesizedApp,
) -> None:
    # Given the trigger, the database instance, the stream mapping and the reconciler's schedule
    trigger_id, trigger = consent_app.only("Custom::Trigger")
    instance_id, _ = consent_app.only("AWS::RDS::DBInstance")
    _, mapping = consent_app.only("AWS::Lambda::EventSourceMapping")
    _, rule = consent_app.only("AWS::Events::Rule")
    version_id = trigger["Properties"]["HandlerArn"]["Ref"]
    function_id = consent_app.resources[version_id]["Properties"]["FunctionName"]["Ref"]
    migration = consent_app.resources[function_id]["Properties"]

    # Then the migration function runs when its code changes, after the database exists
    assert migration["Handler"] == "functions.consent_deletion.ledger_migration.handler.handler"
    assert trigger["Properties"]["ExecuteOnHandlerChange"] is True
    assert instance_id in trigger["DependsOn"]
    # and neither the stream nor the schedule can start work before it succeeded
    assert trigger_id in mapping["DependsOn"]
    assert trigger_id in rule["DependsOn"]
    # It reads the master credential from the instance's generated secret
    assert migration["Environment"]["Variables"]["LEDGER_MASTER_SECRET_ARN"]["Ref"].startswith(
        "ConsentDeletionWorkflowLedgerInstanceSecret"
    )
    assert migration["ReservedConcurrentExecutions"] == 1


def test_the_master_secret_rotates(consent_app: SynthesizedApp) -> None:
    # Given the rotation schedule / Then the master secret rotates every 30 days
    _, schedule = consent_app.only("AWS::SecretsManager::RotationSchedule")
    assert schedule["Properties"]["RotationRules"]["ScheduleExpression"] == "rate(30 days)"


def test_the_default_configuration_can_be_torn_down(consent_app: SynthesizedApp) -> None:
    # Given the default configuration (consentDeletion.production = false)
    instance = _instance(consent_app)
    _, table = consent_app.only("AWS::DynamoDB::Table")

    # Then the database has no deletion protection and leaves a snapshot; the table may be deleted
    assert instance["Properties"]["DeletionProtection"] is False
    assert instance["Properties"]["MultiAZ"] is False
    assert instance["DeletionPolicy"] == "Snapshot"
    assert table["Properties"]["DeletionProtectionEnabled"] is False


def test_the_production_configuration_protects_and_keeps_the_data(
    consent_production_app: SynthesizedApp,
) -> None:
    # Given the production configuration
    instance = _instance(consent_production_app)
    _, table = consent_production_app.only("AWS::DynamoDB::Table")

    # Then the database is protected from deletion, kept with the stack, Multi-AZ; so is the table
    assert instance["Properties"]["DeletionProtection"] is True
    assert instance["DeletionPolicy"] == "Retain"
    assert instance["UpdateReplacePolicy"] == "Retain"
    assert instance["Properties"]["MultiAZ"] is True
    assert table["Properties"]["DeletionProtectionEnabled"] is True
    assert table["DeletionPolicy"] == "Retain"
