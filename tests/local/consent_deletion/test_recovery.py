"""Recovery on the local engine: a redriven execution writes nothing twice; a ledger outage still alerts."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from functions.consent_deletion.alert_mailer.models import AlertKind
from functions.consent_deletion.ledger import DeletionState, EventType, engine_for_url
from local.third_party_fake import Behaviour, Outcome
from tests.local.consent_deletion.conftest import REVOKED_AT, MakeWorkflow, only_alert, start_waiting


def test_a_stopped_and_redriven_deletion_completes_without_duplicate_records(
    make_workflow: MakeWorkflow,
) -> None:
    # Given a deletion stopped by an operator after its first check, while it waited for the second
    workflow, execution_arn = start_waiting(make_workflow, Behaviour(after_checks=3))
    workflow.engine.advance(90)
    workflow.engine.stop_execution(execution_arn, error="OperatorStopped", cause="paused for maintenance")
    assert workflow.describe(execution_arn)["status"] == "ABORTED"

    # When it is redriven and given time to finish
    workflow.engine.redrive_execution(execution_arn)
    workflow.engine.advance(timedelta(hours=6).total_seconds())

    # Then it completed, and the ledger holds each step once, the checks counted exactly
    assert workflow.describe(execution_arn)["status"] == "SUCCEEDED"
    record = workflow.record(execution_arn)
    assert (record.state, record.check_count, record.last_status) == (DeletionState.COMPLETED, 3, "COMPLETED")
    assert [event.event_type for event in workflow.audit(execution_arn)] == [
        EventType.DELETION_REQUESTED,
        EventType.OPERATION_RECORDED,
        EventType.STATUS_CHECKED,
        EventType.STATUS_CHECKED,
        EventType.STATUS_CHECKED,
        EventType.DELETION_COMPLETED,
    ]
    assert len(workflow.vendor.operations()) == 1


def test_a_ledger_that_stays_unusable_still_alerts(make_workflow: MakeWorkflow) -> None:
    # Given a deletion waiting for its first check, and then a ledger whose pending table has gone
    workflow = make_workflow("skip")
    workflow.vendor.set_behaviour(Behaviour(outcome=Outcome.NEVER))
    execution_arn = workflow.start("customer-42")
    workflow.engine.advance(30)
    broken = engine_for_url(workflow.ledger_url)
    with broken.begin() as connection:
        connection.execute(text("ALTER TABLE pending_deletion RENAME TO pending_deletion_lost"))
    broken.dispose()

    # When the workflow runs on
    described = workflow.run_to_end(execution_arn)

    # Then, its retries spent, it still alerts the contact, saying the failure is not in the ledger
    assert (described["status"], described["error"]) == ("FAILED", "LedgerWriteFailed")
    alert = only_alert(workflow)
    assert (alert.kind, alert.error, alert.requested_at) == (
        AlertKind.DELETION_FAILED,
        "LedgerWriteFailed",
        REVOKED_AT,
    )
    assert alert.cause is not None
    assert "LedgerUnavailable" in alert.cause and "not recorded in the ledger" in alert.cause
    retried = [event for event in workflow.history(execution_arn) if event["type"] == "TaskFailed"]
    assert len(retried) >= 2 * 6
