"""Reconciler: which pending deletions it alerts on, and the alert it builds."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from functions.consent_deletion.alert_mailer.models import AlertKind, DeletionAlert
from functions.consent_deletion.ledger import FailureKind, SqlDeletionLedger
from functions.consent_deletion.reconciler.logic import execution_arn_for, reconcile
from functions.consent_deletion.reconciler.models import ExecutionStatus, ReconcilerSettings
from tests.unit.consent_deletion_workflow.fakes import (
    STATE_MACHINE_ARN,
    T0,
    FakeExecutions,
    RecordingPublisher,
    in_memory_ledger,
    request_deletion,
)

NOW = T0 + timedelta(hours=6)
STALE_AFTER = timedelta(hours=1)


@pytest.fixture
def ledger() -> SqlDeletionLedger:
    return in_memory_ledger()[0]


def arn(name: str) -> str:
    return execution_arn_for(STATE_MACHINE_ARN, name)


def run(
    ledger: SqlDeletionLedger, executions: FakeExecutions, publisher: RecordingPublisher, max_rows: int = 10
):
    return reconcile(
        ledger,
        executions,
        publisher,
        state_machine_arn=STATE_MACHINE_ARN,
        now=NOW,
        stale_after=STALE_AFTER,
        max_rows=max_rows,
    )


def test_only_pending_rows_whose_execution_stopped_are_alerted(ledger: SqlDeletionLedger) -> None:
    # Given pending rows whose executions are running, aborted, awaiting redrive, or gone,
    # and rows that are finished or too young to judge
    for name in ("running", "aborted", "redriving", "gone", "finished"):
        request_deletion(ledger, name, f"customer-{name}", T0)
    request_deletion(ledger, "young", "customer-young", NOW - timedelta(minutes=10))
    ledger.record_failed(
        "finished", FailureKind.TIMED_OUT, "late", T0 + timedelta(days=3), recorded_at=T0 + timedelta(days=3)
    )
    ledger.record_operation("aborted", "op-aborted", recorded_at=T0)
    ledger.record_check(
        "aborted", "RUNNING", T0 + timedelta(minutes=1), recorded_at=T0 + timedelta(minutes=1)
    )
    executions = FakeExecutions(
        {
            arn("running"): ExecutionStatus.RUNNING,
            arn("aborted"): ExecutionStatus.ABORTED,
            arn("redriving"): ExecutionStatus.PENDING_REDRIVE,
            arn("young"): ExecutionStatus.FAILED,
        }
    )
    publisher = RecordingPublisher()

    # When the reconciler runs
    report = run(ledger, executions, publisher)

    # Then it alerts exactly on the aborted and the vanished execution
    assert sorted(report.alerted) == ["aborted", "gone"]
    assert sorted(alert.execution_name for alert in publisher.published) == ["aborted", "gone"]
    assert (report.examined, report.still_running, report.row_limit_reached) == (4, 2, False)
    assert arn("young") not in executions.described


def test_the_alert_is_what_the_mailer_reads(ledger: SqlDeletionLedger) -> None:
    # Given an aborted execution whose row is still pending after two checks
    request_deletion(ledger, "aborted", "customer-9", T0)
    ledger.record_operation("aborted", "op-9", recorded_at=T0)
    ledger.record_check(
        "aborted", "RUNNING", T0 + timedelta(minutes=3), recorded_at=T0 + timedelta(minutes=3)
    )
    publisher = RecordingPublisher()

    # When the reconciler alerts on it
    run(ledger, FakeExecutions({arn("aborted"): ExecutionStatus.ABORTED}), publisher)

    # Then the published JSON parses as the mailer's alert, with every field filled from the ledger
    [alert] = publisher.published
    parsed = DeletionAlert.model_validate(json.loads(alert.model_dump_json(exclude_none=True)))
    assert parsed.kind is AlertKind.STALE_PENDING
    assert (parsed.customer_id, parsed.operation_id, parsed.execution_name) == (
        "customer-9",
        "op-9",
        "aborted",
    )
    assert parsed.execution_arn == arn("aborted")
    assert (parsed.requested_at, parsed.detected_at) == (T0, NOW)
    assert parsed.error == "ExecutionNotRunning"
    assert parsed.cause is not None and "ABORTED" in parsed.cause and "1 status checks" in parsed.cause


def test_a_full_batch_is_reported(ledger: SqlDeletionLedger) -> None:
    # Given more stale rows than one run examines
    for index in range(3):
        request_deletion(ledger, f"gone-{index}", f"customer-{index}", T0 + timedelta(seconds=index))

    # When the reconciler runs with a limit of two rows
    report = run(ledger, FakeExecutions(), RecordingPublisher(), max_rows=2)

    # Then it handles the oldest two and says more may be waiting
    assert report.alerted == ["gone-0", "gone-1"]
    assert report.row_limit_reached


def test_execution_arns_are_derived_from_the_state_machine_arn() -> None:
    # Given a state machine ARN, When an execution ARN is derived, Then it names the execution of that machine
    assert arn("n-1") == "arn:aws:states:eu-west-1:123456789012:execution:ConsentDeletion:n-1"
    with pytest.raises(ValueError, match="not a state machine ARN"):
        execution_arn_for("arn:aws:sns:eu-west-1:123456789012:topic", "n-1")


def test_settings_read_the_environment_with_defaults() -> None:
    # Given only the required variables, When the settings are read, Then the defaults apply
    settings = ReconcilerSettings.from_environ(
        {
            "STATE_MACHINE_ARN": STATE_MACHINE_ARN,
            "ALERT_TOPIC_ARN": "arn:aws:sns:eu-west-1:123456789012:alerts",
        }
    )
    assert (settings.stale_after_seconds, settings.max_rows_per_run) == (3_600, 500)


def test_a_deletion_that_completes_while_its_status_is_looked_up_is_not_alerted(
    ledger: SqlDeletionLedger,
) -> None:
    # Given a stale pending row whose execution completes the deletion just as the reconciler looks it up
    request_deletion(ledger, "finishing", "customer-finishing", T0)

    class CompletingWhileDescribed(FakeExecutions):
        def status(self, execution_arn: str) -> ExecutionStatus:
            ledger.record_completed("finishing", NOW, recorded_at=NOW)
            super().status(execution_arn)
            return ExecutionStatus.SUCCEEDED

    publisher = RecordingPublisher()

    # When the reconciler runs
    report = run(ledger, CompletingWhileDescribed(), publisher)

    # Then the row it read as pending is no longer pending, and no one is alerted
    assert report.alerted == []
    assert publisher.published == []
