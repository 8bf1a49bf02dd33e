"""One clock: on `python -m local up --clock virtual`, everything that reads "now" reads the stack's clock:
the stream records a revocation makes, the deadline the deletion derives from them, the front door's
`triggerAt` window, the processor's `processedAt`, the reconciler and its hourly schedule.

Each test first moves the clock days away from the wall clock, so a reader of the wall clock would
give itself away (a deadline already past, a schedule refused or run at once).
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from local.sfn_api.clock_control import format_rfc3339, parse_rfc3339
from tests.local.stack.conftest import client
from tests.local.stack.consent import revoke_consent
from tests.local.stack.http_json import call
from tests.local.stack.up_process import UpProcess
from tests.local.stack.waiting import eventually

pytestmark = pytest.mark.xdist_group("one-clock")

DAY = 86_400


@pytest.fixture(scope="module")
def up(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UpProcess]:
    directory = tmp_path_factory.mktemp("one-clock")
    process = UpProcess(directory / "state", directory / "up.log").start()
    try:
        yield process
    finally:
        process.interrupt()


def _advance(up: UpProcess, seconds: float) -> datetime:
    moved = call("POST", f"{up.api}/_local/clock", {"advanceSeconds": seconds})
    assert moved.status == 200, moved.body
    return parse_rfc3339(moved.body["now"])


def _deletion_of(up: UpProcess, customer_id: str) -> dict[str, Any]:
    """The one ConsentDeletion execution of `customer_id`, described, once the stream has started it."""
    sfn = client("stepfunctions", up.stepfunctions)
    machine = next(
        m["stateMachineArn"]
        for m in sfn.list_state_machines()["stateMachines"]
        if m["name"] == "ConsentDeletion"
    )

    def started() -> list[dict[str, Any]]:
        executions = sfn.list_executions(stateMachineArn=machine)["executions"]
        return [e for e in executions if e["name"].startswith(f"{customer_id}-")]

    executions = eventually(started)
    assert len(executions) == 1, executions
    return dict(sfn.describe_execution(executionArn=executions[0]["executionArn"]))


def _emails_about(up: UpProcess, customer_id: str) -> list[dict[str, Any]]:
    """The e-mails SES has sent that name `customer_id` (from moto's data dump)."""
    with urllib.request.urlopen(f"{up.aws}/moto-api/data.json", timeout=30) as response:
        messages = json.load(response).get("ses", {}).get("Message", [])
    return [message for message in messages if customer_id in message["subject"] + message["body"]]


def _set_vendor_behaviour(up: UpProcess, customer_id: str, **behaviour: object) -> None:
    answer = call("POST", f"{up.third_party}/_control/behaviour", {"customerId": customer_id, **behaviour})
    assert answer.status == 200, answer.body


def test_a_revocation_after_three_virtual_days_has_its_deadline_three_days_after_it(up: UpProcess) -> None:
    # Given a stack three virtual days ahead, and a vendor that completes this deletion 2.5 days after it
    # is asked (so a deadline counted from the wall clock would already be past)
    customer = "late-revoker"
    _set_vendor_behaviour(up, customer, afterSeconds=int(2.5 * DAY))
    revoked_from = _advance(up, 3 * DAY)

    # When the customer revokes consent
    revoke_consent(client("dynamodb", up.aws), customer)
    deletion = _deletion_of(up, customer)

    # Then the revocation is dated on the stack's clock
    revoked_at = parse_rfc3339(json.loads(deletion["input"])["revokedAt"])
    assert revoked_from - timedelta(seconds=1) <= revoked_at <= revoked_from + timedelta(seconds=1)

    # And two virtual days later the deletion still waits for the vendor, without an alert
    _advance(up, 2 * DAY)
    assert _deletion_of(up, customer)["status"] == "RUNNING"

    # And once the vendor completes, the deletion completes, and no one was alerted
    _advance(up, 1 * DAY)
    assert _deletion_of(up, customer)["status"] == "SUCCEEDED"
    assert _emails_about(up, customer) == []


def test_a_schedule_one_virtual_hour_ahead_is_accepted_and_processed_at_that_virtual_time(
    up: UpProcess,
) -> None:
    # Given a stack ten virtual days ahead
    now = _advance(up, 10 * DAY)
    trigger_at = format_rfc3339((now + timedelta(hours=1)).replace(microsecond=0))

    # When a schedule is posted for one (virtual) hour later
    created = call("POST", f"{up.api}/schedules", {"triggerAt": trigger_at, "payload": {"n": 1}})

    # Then it is accepted, and waits while the clock has not reached it
    assert created.status == 202, created.body
    schedule = f"{up.api}/schedules/{created.body['scheduleId']}"
    _advance(up, 30 * 60)
    assert call("GET", schedule).body["status"] == "SCHEDULED"

    # And once the clock passes it, it has run, at the virtual time it was due
    _advance(up, 31 * 60)
    read = call("GET", schedule).body
    assert read["status"] == "SUCCEEDED"
    assert parse_rfc3339(read["result"]["processedAt"]) == parse_rfc3339(trigger_at)


def test_the_reconciler_finds_a_pending_deletion_whose_execution_stopped_an_hour_ago(up: UpProcess) -> None:
    # Given a deletion waiting for a vendor that never finishes, whose execution an operator stopped
    customer = "stopped-by-hand"
    _set_vendor_behaviour(up, customer, outcome="NEVER")
    revoke_consent(client("dynamodb", up.aws), customer)
    deletion = _deletion_of(up, customer)
    _advance(up, 5 * 60)
    client("stepfunctions", up.stepfunctions).stop_execution(executionArn=deletion["executionArn"])

    # When two virtual hours pass (the reconciler runs every virtual hour)
    _advance(up, 2 * 3600)

    # Then the reconciler found the row still pending and the technical contact was e-mailed about it
    emails = eventually(lambda: _emails_about(up, customer))
    assert emails, "no e-mail about the stale pending deletion"
    assert all("Pending deletion has no running execution" in email["subject"] for email in emails)
