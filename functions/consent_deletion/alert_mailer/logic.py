"""Turns a deletion alert into the e-mail a technical contact reads, and delivers it.

The alert's cause may embed a Lambda function's error document with its stack trace; the e-mail shows
each error's type and message only (the execution history, linked from the e-mail, has the rest).
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Final, Protocol
from urllib.parse import quote

from functions.common.error_cause import summarize_cause
from functions.consent_deletion.alert_mailer.models import AlertEmail, AlertKind, DeletionAlert


class AlertSender(Protocol):
    """Sends one e-mail to all ``recipients``; returns the provider's message id."""

    def send(self, recipients: Sequence[str], email: AlertEmail) -> str: ...


_HEADLINES: Final[dict[AlertKind, str]] = {
    AlertKind.DELETION_TIMED_OUT: "Deletion timed out",
    AlertKind.DELETION_FAILED: "Deletion failed",
    AlertKind.VENDOR_CONTRACT_CHANGED: "Vendor API contract changed",
    AlertKind.VENDOR_REJECTED: "Vendor rejected the deletion",
    AlertKind.STALE_PENDING: "Pending deletion has no running execution",
}

_EXPLANATIONS: Final[dict[AlertKind, str]] = {
    AlertKind.DELETION_TIMED_OUT: (
        "The vendor did not report the deletion as completed before the deadline. "
        "The customer's data may still be held by the vendor."
    ),
    AlertKind.DELETION_FAILED: "The vendor reported that the deletion failed.",
    AlertKind.VENDOR_CONTRACT_CHANGED: (
        "The vendor's API answered in a shape this system does not recognise, so the deletion "
        "was stopped rather than retried. The vendor may have changed its API without notice."
    ),
    AlertKind.VENDOR_REJECTED: "The vendor rejected the deletion request; it was not retried.",
    AlertKind.STALE_PENDING: (
        "The ledger records this deletion as pending, but its execution is no longer running."
    ),
}

_CONTROL_CHARACTERS: Final = re.compile(r"[\x00-\x1f\x7f]+")
SUBJECT_CUSTOMER_ID_LENGTH: Final = 64
"""How much of the customer id the subject shows (ids reach 2,048 bytes; the body has the whole id)."""


def execution_console_url(execution_arn: str, base_url: str | None = None) -> str:
    """Link to the execution: ``base_url`` + ARN, by default the Step Functions console of its region."""
    if base_url is None:
        region = execution_arn.split(":")[3]
        base_url = (
            f"https://{region}.console.aws.amazon.com/states/home?region={region}#/v2/executions/details/"
        )
    return base_url + quote(execution_arn, safe=":")


def describe_elapsed(elapsed: timedelta) -> str:
    """Say how long ``elapsed`` is in the two largest units, e.g. ``3 days 0 hours``."""
    total_minutes = max(0, int(elapsed.total_seconds()) // 60)
    days, remainder = divmod(total_minutes, 24 * 60)
    hours, minutes = divmod(remainder, 60)
    if days:
        return f"{_count(days, 'day')} {_count(hours, 'hour')}"
    if hours:
        return f"{_count(hours, 'hour')} {_count(minutes, 'minute')}"
    return _count(minutes, "minute") if minutes else "less than a minute"


def render_alert_email(alert: DeletionAlert, console_url: str) -> AlertEmail:
    """Render ``alert`` as an e-mail; the elapsed time runs from the request to the detection."""
    headline = _HEADLINES[alert.kind]
    facts = _facts(alert)
    return AlertEmail(
        subject=_single_line(f"[Consent deletion] {headline}: customer {_shortened(alert.customer_id)}"),
        text=_render_text(headline, alert.kind, facts, console_url),
        html=_render_html(headline, alert.kind, facts, console_url),
    )


def deliver_alert(
    alert: DeletionAlert, recipients: Sequence[str], console_base_url: str | None, sender: AlertSender
) -> str:
    """Render ``alert`` and send it to ``recipients``; return the message id."""
    email = render_alert_email(alert, execution_console_url(alert.execution_arn, console_base_url))
    return sender.send(recipients, email)


def _facts(alert: DeletionAlert) -> list[tuple[str, str]]:
    facts = [
        ("Customer id", alert.customer_id),
        ("Operation id", alert.operation_id or "none (the vendor returned no operation id)"),
        ("Elapsed since the request", describe_elapsed(alert.detected_at - alert.requested_at)),
        ("Requested at", _utc(alert.requested_at)),
        ("Detected at", _utc(alert.detected_at)),
    ]
    if alert.error:
        facts.append(("Error", alert.error))
    if alert.cause:
        facts.append(("Cause", summarize_cause(alert.cause)))
    facts.append(("Execution", alert.execution_name))
    return facts


def _render_text(headline: str, kind: AlertKind, facts: list[tuple[str, str]], console_url: str) -> str:
    rows = [*facts, ("Console", console_url)]
    width = max(len(label) for label, _ in rows) + 2
    lines = [f"{headline}.", "", _EXPLANATIONS[kind], ""]
    lines.extend(f"{label + ':':<{width}}{value}" for label, value in rows)
    lines.extend(["", f"Alert kind: {kind.value}"])
    return "\n".join(lines) + "\n"


def _render_html(headline: str, kind: AlertKind, facts: list[tuple[str, str]], console_url: str) -> str:
    rows = "".join(
        f'<tr><th align="left">{html.escape(label)}</th><td>{html.escape(value)}</td></tr>\n'
        for label, value in facts
    )
    link = f'<a href="{html.escape(console_url)}">Open the execution in the console</a>'
    return (
        "<!DOCTYPE html>\n<html><body>\n"
        f"<h2>{html.escape(headline)}</h2>\n"
        f"<p>{html.escape(_EXPLANATIONS[kind])}</p>\n"
        f"<table>\n{rows}</table>\n"
        f"<p>{link}</p>\n"
        f"<p>Alert kind: {html.escape(kind.value)}</p>\n"
        "</body></html>\n"
    )


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _count(number: int, unit: str) -> str:
    return f"{number} {unit}" if number == 1 else f"{number} {unit}s"


def _shortened(customer_id: str) -> str:
    """The customer id, cut to `SUBJECT_CUSTOMER_ID_LENGTH` characters and marked as cut if longer."""
    if len(customer_id) <= SUBJECT_CUSTOMER_ID_LENGTH:
        return customer_id
    return f"{customer_id[:SUBJECT_CUSTOMER_ID_LENGTH]}…"


def _single_line(text: str) -> str:
    # A subject is a mail header: line breaks in a customer id must not reach it.
    return _CONTROL_CHARACTERS.sub(" ", text).strip()
