"""The alert mailer handler fed an SNS event, sending through moto's SES v2."""

from __future__ import annotations

import html
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from functions.consent_deletion.alert_mailer import handler
from functions.consent_deletion.alert_mailer.adapters import sesv2_client
from functions.consent_deletion.alert_mailer.errors import AlertDeliveryFailed, MalformedAlertMessage

REGION = "us-east-1"
SENDER = "deletion-alerts@example.com"
RECIPIENTS = ["privacy-oncall@example.com", "data-protection@example.org"]
EXECUTION_ARN = "arn:aws:states:eu-central-1:123456789012:execution:ConsentDeletion:cust-9-0a1b2c3d"
REQUESTED_AT = datetime(2024, 5, 1, 9, 30, tzinfo=UTC)
TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:consent-deletion-alerts"


@dataclass(frozen=True)
class FakeLambdaContext:
    function_name: str = "consent-deletion-alert-mailer"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:consent-deletion-alert-mailer"
    aws_request_id: str = "00000000-0000-4000-8000-000000000001"


@pytest.fixture
def ses(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    with mock_aws():
        monkeypatch.setenv("ALERT_RECIPIENTS", ",".join(RECIPIENTS))
        monkeypatch.setenv("ALERT_SENDER", SENDER)
        monkeypatch.delenv("CONSOLE_BASE_URL", raising=False)
        sesv2_client.cache_clear()
        yield boto3.client("sesv2", region_name=REGION)
        sesv2_client.cache_clear()


def _sent_messages() -> list[Any]:
    return list(ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages)


def _sns_event(message: str) -> dict[str, Any]:
    return {
        "Records": [
            {
                "EventSource": "aws:sns",
                "EventVersion": "1.0",
                "EventSubscriptionArn": f"{TOPIC_ARN}:7d5c3a1e-0000-4000-8000-000000000002",
                "Sns": {
                    "Type": "Notification",
                    "MessageId": "95df01b4-ee98-5cb9-9903-4c221d41eb5e",
                    "TopicArn": TOPIC_ARN,
                    "Subject": None,
                    "Message": message,
                    "Timestamp": "2024-05-04T09:30:02.000Z",
                    "SignatureVersion": "1",
                    "Signature": "c2lnbmF0dXJl",
                    "SigningCertUrl": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0000.pem",
                    "UnsubscribeUrl": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe",
                    "MessageAttributes": {},
                },
            }
        ]
    }


def _timed_out_alert() -> str:
    return json.dumps(
        {
            "kind": "DELETION_TIMED_OUT",
            "customerId": "cust-9",
            "operationId": "op-5150",
            "executionArn": EXECUTION_ARN,
            "executionName": "cust-9-0a1b2c3d",
            "requestedAt": REQUESTED_AT.isoformat(),
            "detectedAt": (REQUESTED_AT + timedelta(days=3, minutes=2)).isoformat(),
            "error": "DeletionTimedOut",
            "cause": "operation op-5150 still PENDING at the deadline",
        }
    )


def test_alert_is_emailed_to_every_contact(ses: Any) -> None:
    # Given a verified sender identity and a timed-out deletion published to the topic
    ses.create_email_identity(EmailIdentity=SENDER)

    # When the mailer receives the SNS event
    result = handler.lambda_handler(_sns_event(_timed_out_alert()), FakeLambdaContext())

    # Then SES sent one message from the sender to all contacts, naming customer, operation,
    # elapsed time, reason and a link to the execution in its region's console
    [message] = _sent_messages()
    assert result == {"messageIds": [message.id]}
    assert message.source == SENDER
    assert message.destinations["ToAddresses"] == RECIPIENTS
    assert "Deletion timed out" in message.subject
    assert "cust-9" in message.subject
    facts = ("cust-9", "op-5150", "3 days 0 hours", "DeletionTimedOut", "still PENDING at the deadline")
    for expected in facts:
        assert expected in message.body
    link = (
        "https://eu-central-1.console.aws.amazon.com/states/home?region=eu-central-1"
        f"#/v2/executions/details/{EXECUTION_ARN}"
    )
    assert f'href="{html.escape(link)}"' in message.body


def test_configured_console_base_is_used_for_the_link(ses: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given the local console as the link base
    ses.create_email_identity(EmailIdentity=SENDER)
    monkeypatch.setenv("CONSOLE_BASE_URL", "http://127.0.0.1:8080/executions/")

    # When an alert is mailed
    handler.lambda_handler(_sns_event(_timed_out_alert()), FakeLambdaContext())

    # Then the link points at the local console
    [message] = _sent_messages()
    assert f'href="http://127.0.0.1:8080/executions/{EXECUTION_ARN}"' in message.body


def test_malformed_message_fails_the_invocation_and_sends_nothing(ses: Any) -> None:
    # Given a verified sender and a message that breaks the alert contract
    ses.create_email_identity(EmailIdentity=SENDER)
    broken = json.dumps({"kind": "DELETION_TIMED_OUT", "customerId": "cust-9"})

    # When the mailer receives it / Then the invocation fails (to be retried, then dead-lettered)
    with pytest.raises(MalformedAlertMessage):
        handler.lambda_handler(_sns_event(broken), FakeLambdaContext())
    assert _sent_messages() == []


def test_rejected_email_fails_the_invocation(ses: Any) -> None:
    # Given a sender identity SES has not verified
    # When an alert is mailed / Then the invocation fails with a named error
    with pytest.raises(AlertDeliveryFailed):
        handler.lambda_handler(_sns_event(_timed_out_alert()), FakeLambdaContext())
    assert _sent_messages() == []
