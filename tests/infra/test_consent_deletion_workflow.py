"""The ConsentDeletion stack: stream trigger and filter, state machine, alerts, alarms, least privilege."""

from __future__ import annotations

import json
import re
from typing import Any

from catalog import CONSENT_DELETION
from catalog.consent_deletion import (
    ALERT_MAILER,
    LEDGER_TASKS,
    RECONCILER,
    REQUEST_DELETION,
    STREAM_TRIGGER,
)
from functions.consent_deletion.stream_trigger.logic import REVOCATION_FILTER_PATTERNS
from tests.infra.cloud_assembly import Resource, SynthesizedApp, as_list, granted_actions, intrinsic_marker
from tests.infra.conftest import CONSENT_PRODUCTION

_PLACEHOLDER = re.compile(r"\$\{([A-Za-z][A-Za-z0-9]*)\}")


def _function(app: SynthesizedApp, logical_id: str) -> tuple[str, Resource]:
    return app.function_with_handler(CONSENT_DELETION.function(logical_id).handler)


def _statements_of_function(app: SynthesizedApp, logical_id: str) -> list[dict[str, Any]]:
    return app.statements_of_role(app.role_of_function(CONSENT_DELETION.function(logical_id).handler))


def _logical_id_of_topic(app: SynthesizedApp, name_fragment: str) -> str:
    (topic_id,) = [key for key in app.of_type("AWS::SNS::Topic") if name_fragment in key]
    return topic_id


def test_the_customers_table_streams_both_images_and_is_encrypted_with_the_workflow_key(
    consent_app: SynthesizedApp,
) -> None:
    # Given the Customers table and the workflow's key
    _, table = consent_app.only("AWS::DynamoDB::Table")
    key_id, _ = consent_app.only("AWS::KMS::Key")
    properties = table["Properties"]

    # Then it is keyed by customerId, streams old and new images, recovers to a point in time, uses the key
    assert properties["KeySchema"] == [{"AttributeName": "customerId", "KeyType": "HASH"}]
    assert properties["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert properties["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert properties["SSESpecification"]["SSEType"] == "KMS"
    assert properties["SSESpecification"]["KMSMasterKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]}


def test_the_stream_reaches_the_trigger_only_through_the_revocation_filter(
    consent_app: SynthesizedApp,
) -> None:
    # Given the one event source mapping
    _, mapping = consent_app.only("AWS::Lambda::EventSourceMapping")
    properties = mapping["Properties"]
    trigger_id, _ = _function(consent_app, STREAM_TRIGGER)
    table_id, _ = consent_app.only("AWS::DynamoDB::Table")

    # When its filter patterns are read back
    patterns = [json.loads(entry["Pattern"]) for entry in properties["FilterCriteria"]["Filters"]]

    # Then they are exactly the trigger's own REVOCATION_FILTER_PATTERNS, on the table's stream
    assert patterns == list(REVOCATION_FILTER_PATTERNS)
    assert properties["EventSourceArn"] == {"Fn::GetAtt": [table_id, "StreamArn"]}
    assert properties["FunctionName"] == {"Ref": trigger_id}


def test_failed_stream_records_are_retried_in_halves_a_bounded_time_then_noted_in_a_queue(
    consent_app: SynthesizedApp,
) -> None:
    # Given the mapping and the declared stream source
    _, mapping = consent_app.only("AWS::Lambda::EventSourceMapping")
    properties = mapping["Properties"]
    (source,) = CONSENT_DELETION.stream_sources
    failure_queue = properties["DestinationConfig"]["OnFailure"]["Destination"]["Fn::GetAtt"][0]

    # Then partial failures are reported, batches bisected, retries and age bounded, new records only
    assert properties["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert properties["BisectBatchOnFunctionError"] is True
    assert properties["MaximumRetryAttempts"] == source.maximum_retry_attempts
    assert 0 < properties["MaximumRecordAgeInSeconds"] < 24 * 3600
    assert properties["StartingPosition"] == "LATEST"
    assert properties["BatchSize"] == source.batch_size
    # and the on-failure queue is KMS-encrypted
    queue = consent_app.resources[failure_queue]
    assert queue["Type"] == "AWS::SQS::Queue"
    assert "KmsMasterKeyId" in queue["Properties"]


def test_the_stream_trigger_starts_only_this_machine_and_reads_only_this_stream(
    consent_app: SynthesizedApp,
) -> None:
    # Given the trigger's statements
    statements = _statements_of_function(consent_app, STREAM_TRIGGER)
    machine_id, _ = consent_app.only("AWS::StepFunctions::StateMachine")
    table_id, _ = consent_app.only("AWS::DynamoDB::Table")

    # Then it starts this machine, describes its executions, and reads the streams of this one table
    assert granted_actions(statements, "states:")["states:StartExecution"] == [{"Ref": machine_id}]
    stream_reads = granted_actions(statements, "dynamodb:")
    assert set(stream_reads) == {
        "dynamodb:DescribeStream",
        "dynamodb:GetRecords",
        "dynamodb:GetShardIterator",
        "dynamodb:ListStreams",
    }
    for resources in stream_reads.values():
        assert resources == [{"Fn::Join": ["", [{"Fn::GetAtt": [table_id, "Arn"]}, "/stream/*"]]}]


def test_the_definition_in_the_template_equals_the_rendered_asl(consent_app: SynthesizedApp) -> None:
    # Given the template's definition string and its substitutions
    _, machine = consent_app.only("AWS::StepFunctions::StateMachine")
    properties = machine["Properties"]
    markers = {name: intrinsic_marker(value) for name, value in properties["DefinitionSubstitutions"].items()}

    # When CloudFormation's substitution is applied and the catalog renders the file with the same values
    deployed = json.loads(
        _PLACEHOLDER.sub(lambda match: markers[match.group(1)], properties["DefinitionString"])
    )
    expected = CONSENT_DELETION.render_definition(markers)

    # Then both are the same Standard, logged and traced state machine
    assert deployed == expected
    assert properties["StateMachineType"] == "STANDARD"
    assert properties["LoggingConfiguration"]["Level"] == "ALL"
    assert properties["TracingConfiguration"] == {"Enabled": True}


def test_substitutions_name_the_task_functions_the_alert_topic_and_the_tunables(
    consent_app: SynthesizedApp,
) -> None:
    # Given the substitutions and the functions behind them
    _, machine = consent_app.only("AWS::StepFunctions::StateMachine")
    substitutions = machine["Properties"]["DefinitionSubstitutions"]
    defaults = CONSENT_DELETION.tunable_values()

    # Then each function ARN points at the function with the catalog's handler, and tunables are defaults
    for name, logical_id in (
        ("LedgerTasksFunctionArn", LEDGER_TASKS),
        ("RequestDeletionFunctionArn", REQUEST_DELETION),
        ("CheckDeletionStatusFunctionArn", "CheckDeletionStatus"),
    ):
        function_id, _ = _function(consent_app, logical_id)
        assert substitutions[name] == {"Fn::GetAtt": [function_id, "Arn"]}
    assert substitutions["AlertTopicArn"] == {"Ref": _logical_id_of_topic(consent_app, "AlertTopic")}
    for tunable in ("DeletionDeadlineSeconds", "InitialCheckDelaySeconds", "MaxCheckDelaySeconds"):
        assert substitutions[tunable] == str(defaults[tunable])


def test_the_ledger_function_is_in_the_vpc_with_reserved_concurrency_bounding_connections(
    consent_app: SynthesizedApp,
) -> None:
    # Given the ledger tasks function and the vendor tasks function
    _, ledger = _function(consent_app, LEDGER_TASKS)
    _, vendor = _function(consent_app, REQUEST_DELETION)
    environment = ledger["Properties"]["Environment"]["Variables"]

    # Then the ledger function runs in the VPC, at most LedgerConnections at once, with the IAM-auth settings
    assert (
        ledger["Properties"]["ReservedConcurrentExecutions"]
        == CONSENT_DELETION.tunable("LedgerConnections").default
    )
    assert ledger["Properties"]["VpcConfig"]["SubnetIds"]
    assert environment["LEDGER_DB_USER"] == "ledger_app"
    assert environment["LEDGER_DB_NAME"] == "ledger"
    assert environment["LEDGER_DB_CA_BUNDLE"] == "/opt/rds-ca/global-bundle.pem"
    assert "LEDGER_DATABASE_URL" not in environment
    # and the vendor tasks run outside it (Lambda's own internet egress; no NAT gateway needed)
    assert "VpcConfig" not in vendor["Properties"]
    assert consent_app.of_type("AWS::EC2::NatGateway") == {}


def test_ledger_functions_connect_as_the_application_user_of_this_instance_only(
    consent_app: SynthesizedApp,
) -> None:
    # Given the database instance and the rds-db:connect grants
    instance_id, _ = consent_app.only("AWS::RDS::DBInstance")
    for logical_id in (LEDGER_TASKS, RECONCILER):
        (resource,) = granted_actions(_statements_of_function(consent_app, logical_id), "rds-db:")[
            "rds-db:connect"
        ]

        # Then each names the instance's resource id and the ledger_app user, nothing broader
        parts = resource["Fn::Join"][1]
        assert {"Fn::GetAtt": [instance_id, "DbiResourceId"]} in parts
        assert parts[-1] == "/ledger_app"
    # and no function outside the VPC may connect
    assert "rds-db:connect" not in granted_actions(
        _statements_of_function(consent_app, REQUEST_DELETION), "rds-db:"
    )


def test_the_vendor_tasks_read_the_api_key_secret_and_nothing_else_of_secrets_manager(
    consent_app: SynthesizedApp,
) -> None:
    # Given the vendor API key secret and the request function
    secrets = {key for key in consent_app.of_type("AWS::SecretsManager::Secret") if "VendorApiKey" in key}
    (secret_id,) = secrets
    _, function = _function(consent_app, REQUEST_DELETION)
    granted = granted_actions(_statements_of_function(consent_app, REQUEST_DELETION), "secretsmanager:")

    # Then it may get that one secret's value, whose ARN its environment names
    assert granted == {"secretsmanager:GetSecretValue": [{"Ref": secret_id}]}
    assert function["Properties"]["Environment"]["Variables"]["THIRD_PARTY_API_KEY_SECRET"] == {
        "Ref": secret_id
    }


def test_alerts_go_from_the_topic_to_the_mailer_which_sends_only_from_the_configured_identity(
    consent_production_app: SynthesizedApp,
) -> None:
    # Given the alert topic's subscriptions and the mailer
    app = consent_production_app
    topic_id = _logical_id_of_topic(app, "AlertTopic")
    mailer_id, mailer = _function(app, ALERT_MAILER)
    subscriptions = [
        subscription["Properties"]
        for subscription in app.of_type("AWS::SNS::Subscription").values()
        if subscription["Properties"]["TopicArn"] == {"Ref": topic_id}
    ]
    granted = granted_actions(_statements_of_function(app, ALERT_MAILER), "ses:")

    # Then the mailer is the topic's only subscriber, with a dead-letter queue
    (subscription,) = subscriptions
    assert subscription["Protocol"] == "lambda"
    assert subscription["Endpoint"] == {"Fn::GetAtt": [mailer_id, "Arn"]}
    assert "deadLetterTargetArn" in subscription["RedrivePolicy"]
    # and it may send e-mail from the configured SES identity only
    (identity,) = granted.pop("ses:SendEmail")
    assert granted == {}
    assert identity["Fn::Join"][1][-1] == f":identity/{CONSENT_PRODUCTION['sesIdentity']}"
    variables = mailer["Properties"]["Environment"]["Variables"]
    assert variables["ALERT_SENDER"] == CONSENT_PRODUCTION["alertSender"]
    assert variables["ALERT_RECIPIENTS"] == ",".join(CONSENT_PRODUCTION["alertRecipients"])


def test_only_the_machine_and_the_reconciler_publish_alerts_and_only_to_the_alert_topic(
    consent_app: SynthesizedApp,
) -> None:
    # Given every sns:Publish grant in the stack
    topic_id = _logical_id_of_topic(consent_app, "AlertTopic")
    publishers = {
        holder: as_list(statement["Resource"])
        for holder, statement in consent_app.all_iam_statements()
        if "sns:Publish" in as_list(statement["Action"])
    }

    # Then there are three holders (the machine's role, the reconciler's and the operator policy, which
    # re-sends undelivered alerts), all scoped to the alert topic
    assert len(publishers) == 3
    assert all(resources == [{"Ref": topic_id}] for resources in publishers.values())
    assert any("Reconciler" in holder for holder in publishers)
    assert any("StateMachine" in holder for holder in publishers)
    assert any("Operators" in holder for holder in publishers)


def test_alarms_watch_failed_and_timed_out_executions_every_dead_letter_queue_and_the_reconciler(
    consent_app: SynthesizedApp,
) -> None:
    # (the stream trigger's and the ledger tasks' alarms: test_operations.py)
    # Given the alarms, the dead-letter queues and the operations topic
    alarms = [alarm["Properties"] for alarm in consent_app.of_type("AWS::CloudWatch::Alarm").values()]
    machine_id, _ = consent_app.only("AWS::StepFunctions::StateMachine")
    queues = set(consent_app.of_type("AWS::SQS::Queue"))
    operations_topic = {"Ref": _logical_id_of_topic(consent_app, "OperationsTopic")}
    reconciler_id, _ = _function(consent_app, RECONCILER)

    def watched(metric: str) -> list[Any]:
        return [alarm["Dimensions"][0]["Value"] for alarm in alarms if alarm["MetricName"] == metric]

    # Then failed and timed-out executions of the machine alarm
    assert watched("ExecutionsFailed") == [{"Ref": machine_id}]
    assert watched("ExecutionsTimedOut") == [{"Ref": machine_id}]
    # and every queue (each is a dead-letter or on-failure queue) alarms as soon as it holds a message
    assert {value["Fn::GetAtt"][0] for value in watched("ApproximateNumberOfMessagesVisible")} == queues
    assert {"Ref": reconciler_id} in watched("Errors")
    for alarm in alarms:
        if alarm["MetricName"] != "IteratorAge":
            assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (1, "GreaterThanOrEqualToThreshold")
        assert alarm["AlarmActions"] == [operations_topic]


def test_the_alarm_topic_mails_the_operators(consent_production_app: SynthesizedApp) -> None:
    # Given the e-mail subscriptions of the operations topic
    topic = {"Ref": _logical_id_of_topic(consent_production_app, "OperationsTopic")}
    endpoints = sorted(
        subscription["Properties"]["Endpoint"]
        for subscription in consent_production_app.of_type("AWS::SNS::Subscription").values()
        if subscription["Properties"]["TopicArn"] == topic
        and subscription["Properties"]["Protocol"] == "email"
    )

    # Then they are the configured alarm recipients
    assert endpoints == sorted(CONSENT_PRODUCTION["alarmRecipients"])


def test_the_reconciler_runs_on_the_configured_schedule(consent_app: SynthesizedApp) -> None:
    # Given the one rule / Then it invokes the reconciler every ReconcileEveryMinutes (60: one hour)
    _, rule = consent_app.only("AWS::Events::Rule")
    reconciler_id, _ = _function(consent_app, RECONCILER)
    assert rule["Properties"]["ScheduleExpression"] == "rate(1 hour)"
    assert rule["Properties"]["Targets"][0]["Arn"] == {"Fn::GetAtt": [reconciler_id, "Arn"]}


def test_the_runbook_explains_every_alarm_and_every_alert_kind(consent_app: SynthesizedApp) -> None:
    # Given the runbook, the alarms in the template and the kinds of alert the mailer sends
    from catalog.locations import REPOSITORY_ROOT
    from functions.consent_deletion.alert_mailer.models import AlertKind

    runbook = (REPOSITORY_ROOT / "docs" / "runbook.md").read_text(encoding="utf-8")
    alarm_names = {
        key.removeprefix("ConsentDeletionWorkflowCoreAlarms")[:-8]
        for key in consent_app.of_type("AWS::CloudWatch::Alarm")
    }

    # Then each alarm (by its construct name) and each alert kind has a section or row of its own
    assert alarm_names == {
        "ExecutionsFailed",
        "ExecutionsTimedOut",
        "StreamFailureQueueNotEmpty",
        "UndeliveredAlertQueueNotEmpty",
        "ReconcilerErrors",
        "StreamTriggerIteratorAge",
        "StreamTriggerErrors",
        "LedgerTasksThrottled",
    }
    assert [name for name in alarm_names if f"`{name}`" not in runbook] == []
    assert [kind.value for kind in AlertKind if f"### {kind.value}" not in runbook] == []
