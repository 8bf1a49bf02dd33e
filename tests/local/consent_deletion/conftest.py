"""The ConsentDeletion workflow on the local engine, wired like the local stack but private to each test.

The real handlers run in-process, registered by function name; the fake vendor answers over HTTP on
127.0.0.1 and reads the engine's clock; the ledger is a SQLite file in tmp_path; SNS, SQS and Secrets
Manager are a moto server that the engine's sns:publish task and the handlers' boto3 clients both use.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities import parameters
from aws_lambda_powertools.utilities.parameters import base as parameters_base

from functions.consent_deletion.alert_mailer.models import DeletionAlert
from functions.consent_deletion.ledger import (
    DeletionEvent,
    DeletionRecord,
    SqlDeletionLedger,
    engine_for_url,
    get_ledger_engine,
    upgrade,
)
from functions.consent_deletion.ledger_tasks import adapters as ledger_task_adapters
from functions.consent_deletion.ledger_tasks.handler import handler as ledger_tasks_handler
from functions.consent_deletion.stream_trigger.logic import revocation_execution_name
from functions.consent_deletion.vendor_tasks import adapters as vendor_task_adapters
from functions.consent_deletion.vendor_tasks.handler import (
    check_deletion_status_handler,
    request_deletion_handler,
)
from local.engine import Engine, MemoryStore, SkipClock, VirtualClock
from local.third_party_fake import DEFAULT_API_KEY, Behaviour, FakeThirdPartyApi, FakeVendor
from tests.local.moto_server import moto_server
from tests.unit.consent_deletion_workflow.asl_model import raw_text, substitute

REVOKED_AT = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)
ROLE_ARN = "arn:aws:iam::123456789012:role/consent-deletion"
REGION = "us-east-1"
DEADLINE_SECONDS = 259_200
# Definition substitution -> (function name, the real handler behind it).
FUNCTIONS: dict[str, tuple[str, Callable[[Any, Any], Any]]] = {
    "LedgerTasksFunctionArn": ("consent-deletion-ledger-tasks", ledger_tasks_handler),
    "RequestDeletionFunctionArn": ("consent-deletion-request-deletion", request_deletion_handler),
    "CheckDeletionStatusFunctionArn": (
        "consent-deletion-check-deletion-status",
        check_deletion_status_handler,
    ),
}


@pytest.fixture(scope="session")
def aws_endpoint() -> Iterator[str]:
    """A moto server on a free port, shared by the tests of one worker (names are unique per test)."""
    with moto_server() as endpoint:
        yield endpoint


def aws_client(service: str, endpoint: str) -> Any:
    return boto3.client(service, endpoint_url=endpoint, region_name=REGION)


@dataclass
class AlertInbox:
    """An SQS queue subscribed (raw) to a fresh alert topic: every alert the workflow publishes lands here."""

    topic_arn: str
    queue_url: str
    sqs: Any

    def messages(self) -> list[dict[str, Any]]:
        """Every alert published so far, parsed (delivery to SQS is synchronous in moto)."""
        received = self.sqs.receive_message(
            QueueUrl=self.queue_url, MaxNumberOfMessages=10, MessageAttributeNames=["All"], WaitTimeSeconds=0
        )
        return [json.loads(message["Body"]) for message in received.get("Messages", [])]


@pytest.fixture
def alert_inbox(aws_endpoint: str) -> AlertInbox:
    suffix = uuid.uuid4().hex[:12]
    sns, sqs = aws_client("sns", aws_endpoint), aws_client("sqs", aws_endpoint)
    topic_arn = sns.create_topic(Name=f"consent-deletion-alerts-{suffix}")["TopicArn"]
    queue_url = sqs.create_queue(QueueName=f"consent-deletion-alerts-{suffix}")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sns.subscribe(
        TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"}
    )
    return AlertInbox(topic_arn, queue_url, sqs)


@dataclass
class DeletionWorkflow:
    """One engine with ConsentDeletion created on it, and everything a test inspects."""

    engine: Engine
    state_machine_arn: str
    vendor: FakeVendor
    ledger: SqlDeletionLedger
    alerts: AlertInbox
    ledger_url: str

    def start(self, customer_id: str, reason: str = "CONSENT_REVOKED") -> str:
        """Start a deletion for a revocation at REVOKED_AT, as the stream trigger does; returns the ARN."""
        source_event_id = f"event-{uuid.uuid4().hex}"
        execution_input = {
            "customerId": customer_id,
            "revokedAt": REVOKED_AT.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "reason": reason,
            "sourceEventId": source_event_id,
        }
        name = revocation_execution_name(customer_id, source_event_id)
        started = self.engine.start_execution(
            self.state_machine_arn, input=json.dumps(execution_input), name=name
        )
        return str(started["executionArn"])

    def run_to_end(self, execution_arn: str) -> dict[str, Any]:
        """Run until the execution ends (the skip clock jumps over its waits); returns its description."""
        self.engine.run_until_idle()
        described = self.describe(execution_arn)
        if described["status"] == "RUNNING":
            last = [(event["timestamp"], event["type"]) for event in self.history(execution_arn)[-5:]]
            pytest.fail(f"the execution is still running at {self.engine.now()}; last events: {last}")
        return described

    def describe(self, execution_arn: str) -> dict[str, Any]:
        """DescribeExecution."""
        return self.engine.describe_execution(execution_arn)

    def history(self, execution_arn: str) -> list[dict[str, Any]]:
        """The whole execution history, every page."""
        events: list[dict[str, Any]] = []
        token: str | None = None
        while True:
            page = self.engine.get_execution_history(execution_arn, max_results=1000, next_token=token)
            events += page["events"]
            token = page.get("nextToken")
            if not token:
                return events

    def record(self, execution_arn: str) -> DeletionRecord:
        """The ledger's row for the execution."""
        record = self.ledger.find(execution_arn.rsplit(":", 1)[-1])
        assert record is not None, "the ledger has no row for the execution"
        return record

    def audit(self, execution_arn: str) -> list[DeletionEvent]:
        """The ledger's audit events for the execution."""
        return self.ledger.events(execution_arn.rsplit(":", 1)[-1])


MakeWorkflow = Callable[[str], DeletionWorkflow]


def run_to_end(make_workflow: MakeWorkflow, behaviour: Behaviour) -> tuple[DeletionWorkflow, str]:
    """Start one deletion against a vendor behaving so, and let the skip clock run it to its end."""
    workflow = make_workflow("skip")
    workflow.vendor.set_behaviour(behaviour)
    execution_arn = workflow.start("customer-42")
    workflow.run_to_end(execution_arn)
    return workflow, execution_arn


def start_waiting(make_workflow: MakeWorkflow, behaviour: Behaviour) -> tuple[DeletionWorkflow, str]:
    """Start one deletion against a vendor behaving so, on a virtual clock; it runs until its first wait."""
    workflow = make_workflow("virtual")
    workflow.vendor.set_behaviour(behaviour)
    execution_arn = workflow.start("customer-42")
    workflow.engine.run_until_idle()
    return workflow, execution_arn


def only_alert(workflow: DeletionWorkflow) -> DeletionAlert:
    """The single alert published, as the mailer parses it."""
    [message] = workflow.alerts.messages()
    return DeletionAlert.model_validate(message)


@pytest.fixture
def make_workflow(
    aws_endpoint: str, alert_inbox: AlertInbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[str], DeletionWorkflow]]:
    """Builds the workflow on a "skip" clock (timers jump) or a "virtual" clock (moves when advanced)."""
    ledger_url = f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
    upgrade(ledger_url)
    ledger_engine = engine_for_url(ledger_url)
    secret_name = f"consent-deletion/vendor-api-key-{uuid.uuid4().hex[:12]}"
    aws_client("secretsmanager", aws_endpoint).create_secret(Name=secret_name, SecretString=DEFAULT_API_KEY)
    fakes: list[FakeThirdPartyApi] = []
    engines: list[Engine] = []

    def build(clock_kind: str) -> DeletionWorkflow:
        clock = SkipClock(start=REVOKED_AT) if clock_kind == "skip" else VirtualClock(start=REVOKED_AT)
        engine = Engine(clock=clock, store=MemoryStore(), region=REGION, aws_endpoint_url=aws_endpoint)
        fake = FakeThirdPartyApi(clock=clock.now)
        fakes.append(fake)
        engines.append(engine)
        monkeypatch.setenv("THIRD_PARTY_BASE_URL", fake.start("127.0.0.1", 0))
        monkeypatch.setenv("THIRD_PARTY_API_KEY_SECRET", secret_name)
        monkeypatch.setenv("LEDGER_DATABASE_URL", ledger_url)
        monkeypatch.setenv("AWS_ENDPOINT_URL", aws_endpoint)
        _forget_cached_clients()
        values: dict[str, str] = {}
        for substitution, (function_name, handler) in FUNCTIONS.items():
            engine.register_lambda(function_name, handler)
            values[substitution] = f"arn:aws:lambda:{REGION}:{engine.account_id}:function:{function_name}"
        values |= {
            "AlertTopicArn": alert_inbox.topic_arn,
            "DeletionDeadlineSeconds": str(DEADLINE_SECONDS),
            "InitialCheckDelaySeconds": "60",
            "MaxCheckDelaySeconds": "3600",
        }
        created = engine.create_state_machine(
            name="ConsentDeletion", definition=substitute(raw_text(), values), role_arn=ROLE_ARN
        )
        return DeletionWorkflow(
            engine=engine,
            state_machine_arn=created["stateMachineArn"],
            vendor=fake.vendor,
            ledger=SqlDeletionLedger(ledger_engine),
            alerts=alert_inbox,
            ledger_url=ledger_url,
        )

    yield build
    for fake in fakes:
        fake.stop()
    for engine in engines:
        engine.close()
    _forget_cached_clients()
    ledger_engine.dispose()


def _forget_cached_clients() -> None:
    """Drop what the handlers cached from another test's environment (engines, clients, the API key)."""
    if get_ledger_engine.cache_info().currsize:
        get_ledger_engine().dispose()
    get_ledger_engine.cache_clear()
    ledger_task_adapters.deletion_ledger.cache_clear()
    vendor_task_adapters.deletion_api.cache_clear()
    parameters.clear_caches()
    # Powertools keeps its default Secrets Manager provider (and its boto3 client) for the process.
    parameters_base.DEFAULT_PROVIDERS.clear()
