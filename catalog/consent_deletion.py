"""The ConsentDeletion state machine: delete a customer's data at the vendor once consent is revoked.

The Customers table's stream starts one execution per revocation; the machine asks the vendor to
delete, checks until the vendor confirms, records every step in the ledger database and alerts the
technical contacts (SNS -> the alert mailer -> SES) when the deletion fails or misses its deadline.
An hourly reconciler alerts on ledger rows whose execution stopped without finishing them.
"""

from __future__ import annotations

from collections.abc import Mapping

from catalog.locations import ASL_DIRECTORY, REPOSITORY_ROOT
from catalog.log_level import LOG_LEVEL, LOG_LEVEL_TUNABLE
from catalog.model import (
    ConnectToDatabase,
    Constant,
    ControlExecutions,
    Database,
    ExecutionAction,
    Function,
    FunctionArn,
    InvokeFunction,
    PublishMessages,
    Queue,
    ReadSecret,
    Schedule,
    Secret,
    SecretArn,
    SendEmail,
    Setting,
    SettingValue,
    StateMachine,
    StateMachineArn,
    StreamSource,
    Subscription,
    Substitution,
    Table,
    Topic,
    TopicArn,
    Tunable,
    TunableValue,
    Value,
)
from functions.consent_deletion.stream_trigger.logic import REVOCATION_FILTER_PATTERNS

STREAM_TRIGGER = "StreamTrigger"
LEDGER_TASKS = "LedgerTasks"
REQUEST_DELETION = "RequestDeletion"
CHECK_DELETION_STATUS = "CheckDeletionStatus"
ALERT_MAILER = "AlertMailer"
RECONCILER = "Reconciler"

CUSTOMERS_TABLE = "CustomersTable"
STREAM_FAILURE_QUEUE = "StreamFailureQueue"
UNDELIVERED_ALERT_QUEUE = "UndeliveredAlertQueue"
ALERT_TOPIC = "AlertTopic"
OPERATIONS_TOPIC = "OperationsTopic"
VENDOR_API_KEY = "VendorApiKey"
LEDGER = "Ledger"
METRICS_NAMESPACE = "ConsentDeletion"

# The two vendor tasks share one module, so they share one environment too.
_VENDOR_ENVIRONMENT: Mapping[str, Value] = {
    "THIRD_PARTY_BASE_URL": SettingValue("VendorBaseUrl"),
    "THIRD_PARTY_API_KEY_SECRET": SecretArn(VENDOR_API_KEY),
    "POWERTOOLS_SERVICE_NAME": Constant("consent-deletion-vendor-tasks"),
    "POWERTOOLS_METRICS_NAMESPACE": Constant(METRICS_NAMESPACE),
    "LOG_LEVEL": LOG_LEVEL,
}

CONSENT_DELETION = StateMachine(
    name="ConsentDeletion",
    description="Deletes a customer's vendor data after a consent revocation, verifies and records it.",
    asl_file=ASL_DIRECTORY / "consent_deletion.asl.json",
    substitutions=(
        Substitution(
            name="LedgerTasksFunctionArn",
            value=FunctionArn(LEDGER_TASKS),
            description="The function behind every Record* state (one function bounds ledger connections).",
        ),
        Substitution(
            name="RequestDeletionFunctionArn",
            value=FunctionArn(REQUEST_DELETION),
            description="The function that asks the vendor to delete a customer's data.",
        ),
        Substitution(
            name="CheckDeletionStatusFunctionArn",
            value=FunctionArn(CHECK_DELETION_STATUS),
            description="The function that asks the vendor how a deletion operation is going.",
        ),
        Substitution(
            name="AlertTopicArn",
            value=TopicArn(ALERT_TOPIC),
            description="The topic the technical contacts' alerts are published to.",
        ),
        Substitution(
            name="DeletionDeadlineSeconds",
            value=TunableValue("DeletionDeadlineSeconds"),
            description="How long after the revocation a deletion may stay pending before it is timed out.",
        ),
        Substitution(
            name="InitialCheckDelaySeconds",
            value=TunableValue("InitialCheckDelaySeconds"),
            description="Wait before the first status check; it doubles after every check.",
        ),
        Substitution(
            name="MaxCheckDelaySeconds",
            value=TunableValue("MaxCheckDelaySeconds"),
            description="The longest wait between two status checks.",
        ),
    ),
    tunables=(
        Tunable(
            name="DeletionDeadlineSeconds",
            default=259_200,
            minimum=3_600,
            # The definition never lets the deadline fall later than 3.5 days after the start, so the
            # timeout branch always runs before the execution's own 4-day TimeoutSeconds.
            maximum=302_400,
            description="Seconds after the revocation until a still-pending deletion alerts (3 days).",
        ),
        Tunable(
            name="InitialCheckDelaySeconds",
            default=60,
            minimum=1,
            maximum=3_600,
            description="Seconds before the first status check; doubles after each check.",
        ),
        Tunable(
            name="MaxCheckDelaySeconds",
            default=3_600,
            # A check round adds ~14 history events; at this floor even the longest allowed deadline
            # stays under 2,000 events, far from the 25,000 at which AWS fails an execution.
            minimum=2_400,
            maximum=21_600,
            description="Cap on the delay between two status checks.",
        ),
        Tunable(
            name="LedgerConnections",
            default=10,
            minimum=1,
            maximum=50,
            description="Reserved concurrency of the ledger tasks function: the most ledger connections "
            "the workflow's steps hold at once.",
        ),
        Tunable(
            name="StaleAfterSeconds",
            default=3_600,
            minimum=60,
            maximum=604_800,
            description="Age after which the reconciler looks at a pending ledger row.",
        ),
        Tunable(
            name="ReconcilerMaxRows",
            default=500,
            minimum=1,
            maximum=10_000,
            description="Pending rows the reconciler examines per run.",
        ),
        Tunable(
            name="ReconcileEveryMinutes",
            default=60,
            minimum=5,
            maximum=1_440,
            description="How often the reconciler runs.",
        ),
        Tunable(
            name="ConsoleBaseUrl",
            default="",
            description="Prefix of the execution link in alert e-mails; empty: the Step Functions console.",
        ),
        LOG_LEVEL_TUNABLE,
    ),
    settings=(
        Setting(name="VendorBaseUrl", description="Base URL of the vendor's deletion API."),
        Setting(
            name="AlertRecipients", description="Comma-separated e-mail addresses of the technical contacts."
        ),
        Setting(
            name="AlertSender", description="From-address of alert e-mails (of a verified SES identity)."
        ),
    ),
    functions=(
        Function(
            logical_id=STREAM_TRIGGER,
            description="Customers stream: starts one ConsentDeletion execution per consent revocation.",
            handler="functions.consent_deletion.stream_trigger.handler.lambda_handler",
            environment={
                "STATE_MACHINE_ARN": StateMachineArn(),
                "POWERTOOLS_SERVICE_NAME": Constant("consent-deletion-stream-trigger"),
                "LOG_LEVEL": LOG_LEVEL,
            },
            permissions=(ControlExecutions(frozenset({ExecutionAction.START, ExecutionAction.DESCRIBE})),),
            # A batch of starts with the client's own retries; short of the stream's patience.
            timeout_seconds=60,
        ),
        Function(
            logical_id=LEDGER_TASKS,
            description="Records each step of a deletion in the ledger database.",
            handler="functions.consent_deletion.ledger_tasks.handler.handler",
            environment={
                "POWERTOOLS_SERVICE_NAME": Constant("consent-deletion-ledger-tasks"),
                "LOG_LEVEL": LOG_LEVEL,
            },
            permissions=(ConnectToDatabase(LEDGER),),
            reserved_concurrency=TunableValue("LedgerConnections"),
        ),
        Function(
            logical_id=REQUEST_DELETION,
            description="Asks the vendor to delete a customer's data.",
            handler="functions.consent_deletion.vendor_tasks.handler.request_deletion_handler",
            environment=_VENDOR_ENVIRONMENT,
            permissions=(ReadSecret(VENDOR_API_KEY),),
        ),
        Function(
            logical_id=CHECK_DELETION_STATUS,
            description="Asks the vendor how a deletion operation is going.",
            handler="functions.consent_deletion.vendor_tasks.handler.check_deletion_status_handler",
            environment=_VENDOR_ENVIRONMENT,
            permissions=(ReadSecret(VENDOR_API_KEY),),
        ),
        Function(
            logical_id=ALERT_MAILER,
            description="E-mails each deletion alert to the technical contacts.",
            handler="functions.consent_deletion.alert_mailer.handler.lambda_handler",
            environment={
                "ALERT_RECIPIENTS": SettingValue("AlertRecipients"),
                "ALERT_SENDER": SettingValue("AlertSender"),
                "CONSOLE_BASE_URL": TunableValue("ConsoleBaseUrl"),
                "POWERTOOLS_SERVICE_NAME": Constant("consent-deletion-alert-mailer"),
                "LOG_LEVEL": LOG_LEVEL,
            },
            permissions=(SendEmail(),),
        ),
        Function(
            logical_id=RECONCILER,
            description="Alerts on pending ledger deletions whose execution is no longer running.",
            handler="functions.consent_deletion.reconciler.handler.handler",
            environment={
                "STATE_MACHINE_ARN": StateMachineArn(),
                "ALERT_TOPIC_ARN": TopicArn(ALERT_TOPIC),
                "STALE_AFTER_SECONDS": TunableValue("StaleAfterSeconds"),
                "MAX_ROWS_PER_RUN": TunableValue("ReconcilerMaxRows"),
                "POWERTOOLS_SERVICE_NAME": Constant("consent-deletion-reconciler"),
                "POWERTOOLS_METRICS_NAMESPACE": Constant(METRICS_NAMESPACE),
                "LOG_LEVEL": LOG_LEVEL,
            },
            permissions=(
                ControlExecutions(frozenset({ExecutionAction.DESCRIBE})),
                PublishMessages(ALERT_TOPIC),
                ConnectToDatabase(LEDGER),
            ),
            # One DescribeExecution per stale row, up to ReconcilerMaxRows of them.
            timeout_seconds=300,
        ),
    ),
    queues=(
        Queue(
            logical_id=STREAM_FAILURE_QUEUE,
            purpose="Where the stream's records are (shard, sequence numbers) when every attempt to start "
            "their deletion failed; replay them from the stream while it still holds them (24 h).",
            dead_letter=True,
        ),
        Queue(
            logical_id=UNDELIVERED_ALERT_QUEUE,
            purpose="Alerts that could not be e-mailed, with the reason, for a person to read.",
            dead_letter=True,
        ),
    ),
    topics=(
        Topic(logical_id=ALERT_TOPIC, purpose="Consent deletion alerts for the technical contacts."),
        Topic(logical_id=OPERATIONS_TOPIC, purpose="Consent deletion alarms for the operators."),
    ),
    tables=(
        Table(
            logical_id=CUSTOMERS_TABLE,
            purpose="Customers and their analytics consent; its stream reports every revocation.",
            partition_key="customerId",
            change_stream=True,
            customer_managed_key=True,
        ),
    ),
    secrets=(Secret(logical_id=VENDOR_API_KEY, purpose="API key of the vendor's deletion API."),),
    databases=(
        Database(
            logical_id=LEDGER,
            purpose="The deletion ledger: every deletion's progress and an append-only audit trail.",
            database_name="ledger",
            application_user="ledger_app",
            settings_prefix="LEDGER_",
        ),
    ),
    stream_sources=(
        StreamSource(
            table=CUSTOMERS_TABLE,
            function=STREAM_TRIGGER,
            filter_patterns=REVOCATION_FILTER_PATTERNS,
            failure_queue=STREAM_FAILURE_QUEUE,
            batch_size=10,
            maximum_retry_attempts=10,
            # The stream keeps records for 24 hours: giving up after 6 leaves a person 18 hours to replay
            # them from the failure queue's notes.
            maximum_record_age_seconds=6 * 3_600,
        ),
    ),
    subscriptions=(
        Subscription(topic=ALERT_TOPIC, function=ALERT_MAILER, failure_queue=UNDELIVERED_ALERT_QUEUE),
    ),
    schedules=(Schedule(function=RECONCILER, every_minutes=TunableValue("ReconcileEveryMinutes")),),
    permissions=(
        InvokeFunction(LEDGER_TASKS),
        InvokeFunction(REQUEST_DELETION),
        InvokeFunction(CHECK_DELETION_STATUS),
        PublishMessages(ALERT_TOPIC),
    ),
    alarm_topic=OPERATIONS_TOPIC,
    requirements=REPOSITORY_ROOT / "functions" / "consent_deletion" / "requirements.txt",
)
