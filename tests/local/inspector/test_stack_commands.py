"""`python -m local schedule`, `consent revoke` and `outbox` against a `python -m local up --clock virtual`
child, as a person at another terminal would use them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from local.sfn_api.clock_control import format_rfc3339
from tests.local.inspector.conftest import CliResult, one_error_line, run_cli
from tests.local.stack.conftest import client, clock_now
from tests.local.stack.http_json import call
from tests.local.stack.up_process import UpProcess
from tests.local.stack.waiting import eventually

Capsys = pytest.CaptureFixture[str]
CONSENT_DELETION_ARN = "arn:aws:states:us-east-1:123456789012:stateMachine:ConsentDeletion"


@pytest.fixture(scope="module")
def up(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UpProcess]:
    directory: Path = tmp_path_factory.mktemp("inspector-up")
    process = UpProcess(directory / "state", directory / "up.log").start()
    yield process
    process.interrupt()


def fields(result: CliResult) -> dict[str, str]:
    """`Label:  value` lines as a dict."""
    pairs = (line.split(":", 1) for line in result.lines if ":  " in line)
    return {label.strip(): value.strip() for label, value in pairs}


def deletions_of(up: UpProcess, customer: str) -> list[dict[str, Any]]:
    executions = client("stepfunctions", up.stepfunctions).list_executions(
        stateMachineArn=CONSENT_DELETION_ARN
    )
    return [
        execution for execution in executions["executions"] if execution["name"].startswith(f"{customer}-")
    ]


def test_schedule_counts_a_relative_time_from_the_stack_clock(up: UpProcess, capsys: Capsys) -> None:
    # Given the stack's (virtual) now
    now = clock_now(up.api)
    # When
    result = run_cli(
        capsys, "schedule", "--endpoint", up.api, "--at", "+90m", "--payload", '{"orderId": "A-7"}'
    )
    # Then it printed the API's answer
    assert result.code == 0, result.err
    printed = fields(result)
    assert printed["Status"] == "SCHEDULED"
    assert printed["Trigger at"] == format_rfc3339((now + timedelta(minutes=90)).replace(microsecond=0))
    assert printed["Execution"].endswith(f":execution:ScheduledRequest:{printed['Schedule ID']}")
    # Then the Schedule API knows it
    read = call("GET", f"{up.api}/schedules/{printed['Schedule ID']}")
    assert (read.status, read.body["status"], read.body["triggerAt"]) == (
        200,
        "SCHEDULED",
        printed["Trigger at"],
    )


def test_schedule_refused_by_the_api_is_one_line(up: UpProcess, capsys: Capsys) -> None:
    # Given / When
    result = run_cli(
        capsys, "schedule", "--endpoint", up.api, "--at", "2020-01-01T00:00:00Z", "--payload", "{}"
    )
    # Then
    line = one_error_line(result)
    assert "refused the request: HTTP 400 TRIGGER_AT_IN_PAST" in line
    assert "(field triggerAt)" in line


def test_consent_revoke_starts_one_deletion(up: UpProcess, capsys: Capsys) -> None:
    # Given a customer the Customers table does not hold yet
    customer = "C-INSPECT-1"
    # When consent is revoked, twice
    first = run_cli(capsys, "consent", "--aws-endpoint", up.aws, "revoke", customer)
    second = run_cli(capsys, "consent", "revoke", customer, "--aws-endpoint", up.aws)
    # Then the first added a consenting customer and revoked it, which started a deletion
    assert first.code == 0, first.err
    table = "ConsentDeletion-CustomersTable"
    assert first.lines[:2] == [
        f"{customer} was not in {table}: added as consenting (analyticsConsent = true)",
        f"{customer}: analyticsConsent true -> false in {table}",
    ]
    assert len(eventually(lambda: deletions_of(up, customer))) == 1
    # Then the second had nothing to revoke
    assert second.code == 0, second.err
    assert second.lines == [
        f"{customer} does not consent (analyticsConsent is not true): nothing to revoke, no deletion starts"
    ]
    item = client("dynamodb", up.aws).get_item(
        TableName="ConsentDeletion-CustomersTable", Key={"customerId": {"S": customer}}
    )
    assert item["Item"]["analyticsConsent"] == {"BOOL": False}


def test_outbox_shows_the_alert_of_a_deletion_that_timed_out(up: UpProcess, capsys: Capsys) -> None:
    # Given nothing e-mailed yet, and a customer whose deletion the vendor never finishes
    empty = run_cli(capsys, "outbox", "--aws-endpoint", up.aws)
    assert (empty.code, empty.lines) == (0, [f"No e-mails sent yet by the stack at {up.aws}."])
    customer = "C-INSPECT-2"
    call("POST", f"{up.third_party}/_control/behaviour", {"customerId": customer, "outcome": "NEVER"})
    assert run_cli(capsys, "consent", "--aws-endpoint", up.aws, "revoke", customer).code == 0
    assert eventually(lambda: deletions_of(up, customer))
    # When three days and an hour pass
    call("POST", f"{up.api}/_local/clock", {"advanceSeconds": (3 * 24 + 1) * 3600})
    # Then the technical contacts' e-mail is in the outbox

    def outbox_with_mail() -> CliResult | None:
        result = run_cli(capsys, "outbox", "--aws-endpoint", up.aws, "--lines", "3")
        return result if result.lines[:1] != empty.lines else None

    result = eventually(outbox_with_mail)  # the alert goes through SNS to the mailer in the background
    assert result is not None
    assert result.lines[:4] == [
        "E-mail 1 of 1",
        "From:     consent-deletion-alerts@example.com",
        "To:       privacy-oncall@example.com",
        f"Subject:  [Consent deletion] Deletion timed out: customer {customer}",
    ]
    assert result.lines[4:7] == [
        "    Deletion timed out",
        "    The vendor did not report the deletion as completed before the deadline. "
        "The customer's data may still be held by the vendor.",
        f"    Customer id: {customer}",
    ]
    assert result.lines[7].startswith("    ... (")
