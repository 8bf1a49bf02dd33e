"""Alert e-mail rendering, the console link, the elapsed time, settings and message parsing."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from functions.common.settings import SettingsError
from functions.consent_deletion.alert_mailer.errors import MalformedAlertMessage
from functions.consent_deletion.alert_mailer.logic import (
    SUBJECT_CUSTOMER_ID_LENGTH,
    describe_elapsed,
    execution_console_url,
    render_alert_email,
)
from functions.consent_deletion.alert_mailer.models import (
    AlertKind,
    DeletionAlert,
    MailerSettings,
    parse_alerts,
)

EXECUTION_ARN = "arn:aws:states:eu-west-1:123456789012:execution:ConsentDeletion:c-1-0123456789abcdef"
REQUESTED_AT = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def _alert(**overrides: Any) -> DeletionAlert:
    fields: dict[str, Any] = {
        "kind": "DELETION_TIMED_OUT",
        "customerId": "c-1",
        "operationId": "op-77",
        "executionArn": EXECUTION_ARN,
        "executionName": "c-1-0123456789abcdef",
        "requestedAt": REQUESTED_AT.isoformat(),
        "detectedAt": (REQUESTED_AT + timedelta(days=3)).isoformat(),
        "error": "DeletionTimedOut",
        "cause": "still PENDING after 3 days",
    }
    return DeletionAlert.model_validate(fields | overrides)


def _sns_event(*messages: str) -> dict[str, Any]:
    topic = "arn:aws:sns:eu-west-1:123456789012:consent-deletion-alerts"
    return {
        "Records": [
            {
                "EventSource": "aws:sns",
                "EventVersion": "1.0",
                "EventSubscriptionArn": f"{topic}:5b8e5a2c-0000-4000-8000-000000000001",
                "Sns": {
                    "Type": "Notification",
                    "MessageId": f"message-{index}",
                    "TopicArn": topic,
                    "Subject": None,
                    "Message": message,
                    "Timestamp": "2024-05-04T12:00:01.000Z",
                    "SignatureVersion": "1",
                    "Signature": "c2lnbmF0dXJl",
                    "SigningCertUrl": "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-0000.pem",
                    "UnsubscribeUrl": "https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe",
                    "MessageAttributes": {},
                },
            }
            for index, message in enumerate(messages)
        ]
    }


def test_email_carries_everything_a_contact_needs() -> None:
    # Given a timed-out deletion detected three days after it was requested
    alert = _alert()
    link = execution_console_url(alert.execution_arn)

    # When it is rendered
    email = render_alert_email(alert, link)

    # Then subject and both bodies name the customer, the operation, the elapsed time, the reason and the link
    assert "Deletion timed out" in email.subject
    assert "c-1" in email.subject
    for body in (email.text, email.html):
        for expected in ("c-1", "op-77", "3 days 0 hours", "DeletionTimedOut", "still PENDING after 3 days"):
            assert expected in body
    assert link in email.text
    assert f'href="{link}"' in email.html


def test_default_link_opens_the_execution_in_its_regions_console() -> None:
    # Given an execution in eu-west-1 and no configured console
    # When the link is built
    link = execution_console_url(EXECUTION_ARN)

    # Then it is the Step Functions console of that region, pointing at the execution
    assert link == (
        "https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1"
        f"#/v2/executions/details/{EXECUTION_ARN}"
    )


def test_configured_console_base_prefixes_the_execution_arn() -> None:
    # Given a local console
    # When the link is built / Then it is that base followed by the execution ARN
    assert execution_console_url(EXECUTION_ARN, "http://127.0.0.1:8080/executions/") == (
        f"http://127.0.0.1:8080/executions/{EXECUTION_ARN}"
    )


@pytest.mark.parametrize(
    ("elapsed", "described"),
    [
        (timedelta(days=3), "3 days 0 hours"),
        (timedelta(days=1, hours=1, minutes=59), "1 day 1 hour"),
        (timedelta(hours=5, minutes=12), "5 hours 12 minutes"),
        (timedelta(hours=1, minutes=1), "1 hour 1 minute"),
        (timedelta(minutes=2, seconds=59), "2 minutes"),
        (timedelta(seconds=30), "less than a minute"),
        (timedelta(seconds=-5), "less than a minute"),
    ],
)
def test_elapsed_time_reads_naturally(elapsed: timedelta, described: str) -> None:
    # Given a duration / When it is described / Then it reads in its two largest units
    assert describe_elapsed(elapsed) == described


def test_alert_without_an_operation_id_says_so() -> None:
    # Given the vendor rejected the request before returning an operation id
    alert = _alert(kind="VENDOR_REJECTED", operationId=None, error=None, cause=None)

    # When it is rendered
    email = render_alert_email(alert, execution_console_url(alert.execution_arn))

    # Then the e-mail says there is none instead of leaving a blank, and no empty error lines appear
    assert "none (the vendor returned no operation id)" in email.text
    assert "Error:" not in email.text


@pytest.mark.parametrize("kind", list(AlertKind))
def test_every_kind_has_its_own_headline_and_explanation(kind: AlertKind) -> None:
    # Given an alert of each kind
    email = render_alert_email(_alert(kind=kind.value), "https://console.example/x")
    others = [
        render_alert_email(_alert(kind=other.value), "https://console.example/x") for other in AlertKind
    ]

    # Then its subject and text differ from every other kind's
    assert [other.subject for other in others].count(email.subject) == 1
    assert [other.text for other in others].count(email.text) == 1


def test_a_long_customer_id_is_cut_in_the_subject_and_whole_in_the_body() -> None:
    # Given an alert for a customer id as long as a DynamoDB key may be
    customer_id = "c" * 2048
    email = render_alert_email(_alert(customerId=customer_id), console_url="https://console.example/x")

    # Then the subject shows the id's beginning, marked as cut, and the body the whole id
    shown = "c" * SUBJECT_CUSTOMER_ID_LENGTH + "…"
    assert email.subject.endswith(f"customer {shown}")
    assert len(email.subject) < 150
    assert customer_id in email.text
    assert customer_id in email.html


def test_a_customer_id_that_fits_is_whole_in_the_subject() -> None:
    email = render_alert_email(_alert(customerId="c" * SUBJECT_CUSTOMER_ID_LENGTH), console_url="https://x")
    assert email.subject.endswith("customer " + "c" * SUBJECT_CUSTOMER_ID_LENGTH)


def test_customer_controlled_text_cannot_inject_headers_or_markup() -> None:
    # Given an id with a line break and a cause with markup
    alert = _alert(customerId="c-1\r\nBcc: attacker@example.com", cause="<script>alert(1)</script>")

    # When it is rendered
    email = render_alert_email(alert, execution_console_url(alert.execution_arn))

    # Then the subject stays one line and the HTML shows the markup as text
    assert "\r" not in email.subject
    assert "\n" not in email.subject
    assert "<script>" not in email.html
    assert "&lt;script&gt;" in email.html


def test_a_lambda_error_in_the_cause_shows_its_type_and_message_but_never_its_stack_trace() -> None:
    # Given a cause that embeds the ledger function's error document, as the state machine builds it
    lambda_error = {
        "errorMessage": "value too long for type character varying(256)",
        "errorType": "DataError",
        "requestId": "5b8e5a2c-0000-4000-8000-000000000001",
        "stackTrace": [
            '  File "/var/task/functions/consent_deletion/ledger_tasks/handler.py", line 40, in handler\n'
            "    return run(command)\n"
        ]
        * 10,
    }
    cause = f"The ledger could not record the step: DataError: {json.dumps(lambda_error)}"
    alert = _alert(kind="DELETION_FAILED", error="LedgerWriteFailed", cause=cause)

    # When it is rendered
    email = render_alert_email(alert, execution_console_url(alert.execution_arn))

    # Then both bodies carry the error type and message, and nothing of the stack trace or the files
    for body in (email.text, email.html):
        assert "The ledger could not record the step: DataError: value too long for type" in body
        for leaked in ("stackTrace", "/var/task", "handler.py", "requestId", "return run(command)"):
            assert leaked not in body


def test_settings_split_and_check_the_recipients() -> None:
    # Given comma-separated recipients with spaces and an empty console base
    environ = {
        "ALERT_RECIPIENTS": " ops@example.com, oncall@example.org ,",
        "ALERT_SENDER": "alerts@example.com",
        "CONSOLE_BASE_URL": "",
    }

    # When the settings are read
    settings = MailerSettings.from_environ(environ)

    # Then each address is kept, trimmed, and the console falls back to AWS's
    assert settings.recipients == ("ops@example.com", "oncall@example.org")
    assert settings.console_base_url is None


@pytest.mark.parametrize("recipients", ["", "not-an-address", "ops@example.com;dev@example.com"])
def test_settings_refuse_recipients_that_are_not_addresses(recipients: str) -> None:
    # Given a recipient list without valid addresses / When read / Then the settings are refused
    with pytest.raises(SettingsError, match="ALERT_RECIPIENTS"):
        MailerSettings.from_environ({"ALERT_RECIPIENTS": recipients, "ALERT_SENDER": "a@example.com"})


def test_sns_event_parses_into_alerts() -> None:
    # Given an SNS event carrying one alert
    message = _alert().model_dump_json(by_alias=True)

    # When parsed / Then the alert comes back intact
    assert parse_alerts(_sns_event(message)) == [_alert()]


@pytest.mark.parametrize(
    "message",
    [
        pytest.param("this is not JSON", id="not-json"),
        pytest.param(json.dumps({"kind": "DELETION_TIMED_OUT"}), id="missing-fields"),
        pytest.param(
            _alert().model_dump_json(by_alias=True).replace("DELETION_TIMED_OUT", "SOMETHING_ELSE"),
            id="unknown-kind",
        ),
        pytest.param(
            json.dumps(_alert().model_dump(mode="json", by_alias=True) | {"requestedAt": "2024-05-01T12:00"}),
            id="time-without-offset",
        ),
    ],
)
def test_malformed_message_is_refused_not_dropped(message: str) -> None:
    # Given an SNS event whose message breaks the alert contract
    # When parsed / Then a named error is raised so the invocation fails and is retried
    with pytest.raises(MalformedAlertMessage):
        parse_alerts(_sns_event(message))


def test_event_that_is_not_from_sns_is_refused() -> None:
    # Given an event that is not an SNS notification / When parsed / Then it is refused
    with pytest.raises(MalformedAlertMessage):
        parse_alerts({"Records": []})
    with pytest.raises(MalformedAlertMessage):
        parse_alerts({"hello": "world"})
    with pytest.raises(MalformedAlertMessage, match="not an SNS notification"):
        parse_alerts({"Records": [{"eventSource": "aws:sqs", "body": "{}"}]})
