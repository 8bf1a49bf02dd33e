"""What the ledger records on the local engine: times from the engine's clock, the revocation's cause, and
our own failures kept apart from the vendor's."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from functions.consent_deletion.alert_mailer.models import AlertKind
from functions.consent_deletion.ledger import DeletionState, FailureKind, RevocationReason
from functions.consent_deletion.ledger_tasks.handler import handler as ledger_tasks_handler
from local.third_party_fake import Behaviour, Outcome
from tests.local.consent_deletion.conftest import (
    FUNCTIONS,
    REVOKED_AT,
    DeletionWorkflow,
    MakeWorkflow,
    only_alert,
    start_waiting,
)

LEDGER_TASKS_FUNCTION = FUNCTIONS["LedgerTasksFunctionArn"][0]
CHECK_STATUS_FUNCTION = FUNCTIONS["CheckDeletionStatusFunctionArn"][0]


class OperationTableDropped(Exception):
    """Stands for a ledger write that fails in a way no retry can fix."""


def entered_times(workflow: DeletionWorkflow, execution_arn: str) -> dict[str, list[datetime]]:
    """When each state was entered, every time it was, from the execution history."""
    entered: dict[str, list[datetime]] = {}
    for event in workflow.history(execution_arn):
        details = event.get("stateEnteredEventDetails")
        if details is not None:
            timestamp = event["timestamp"]
            moment = timestamp if isinstance(timestamp, datetime) else datetime.fromisoformat(timestamp)
            entered.setdefault(details["name"], []).append(moment)
    return entered


def test_the_audit_trail_runs_on_the_engine_clock(make_workflow: MakeWorkflow) -> None:
    # Given a deletion the vendor completes at the second check, on a virtual clock far from the wall clock
    workflow, execution_arn = start_waiting(make_workflow, Behaviour(after_checks=2))

    # When the clock is moved on until it has finished
    workflow.engine.advance(timedelta(hours=1).total_seconds())

    # Then every audit time is one the state machine gave: the revocation, the checks' and the Record*
    # states' entered times
    assert workflow.describe(execution_arn)["status"] == "SUCCEEDED"
    entered = entered_times(workflow, execution_arn)
    checks, check_records = entered["CheckDeletionStatus"], entered["RecordCheck"]
    completed = entered["RecordDeletionCompleted"][0]
    assert [(event.occurred_at, event.recorded_at) for event in workflow.audit(execution_arn)] == [
        (REVOKED_AT, entered["RecordDeletionRequested"][0]),
        (entered["RecordOperation"][0], entered["RecordOperation"][0]),
        (checks[0], check_records[0]),
        (checks[1], check_records[1]),
        (completed, completed),
    ]
    assert checks == [REVOKED_AT + timedelta(minutes=1), REVOKED_AT + timedelta(minutes=3)]
    assert workflow.record(execution_arn).completed_at == completed


def test_the_revocation_reason_and_source_event_are_kept_with_the_deletion(
    make_workflow: MakeWorkflow,
) -> None:
    # Given a deletion started because a consenting customer was deleted
    workflow = make_workflow("skip")
    workflow.vendor.set_behaviour(Behaviour(after_checks=1))
    execution_arn = workflow.start("customer-42", reason="CUSTOMER_DELETED")
    execution_input: dict[str, Any] = json.loads(workflow.describe(execution_arn)["input"])

    # When it runs to completion
    workflow.run_to_end(execution_arn)

    # Then the completed row says why it was deleted and which stream record asked for it
    record = workflow.record(execution_arn)
    assert (record.state, record.revocation_reason, record.source_event_id) == (
        DeletionState.COMPLETED,
        RevocationReason.CUSTOMER_DELETED,
        execution_input["sourceEventId"],
    )


def test_a_failing_task_of_ours_is_recorded_as_an_internal_error(make_workflow: MakeWorkflow) -> None:
    # Given a status-check function with a bug
    workflow = make_workflow("skip")
    workflow.vendor.set_behaviour(Behaviour(outcome=Outcome.NEVER))

    def broken_check(event: dict[str, Any], _context: Any) -> dict[str, Any]:
        raise KeyError("operationId")

    workflow.engine.register_lambda(CHECK_STATUS_FUNCTION, broken_check)

    # When a deletion reaches its first check
    execution_arn = workflow.start("customer-42")
    described = workflow.run_to_end(execution_arn)

    # Then the ledger blames our task, not the vendor, at the engine's time, and the contact is alerted
    assert (described["status"], described["error"]) == ("FAILED", "DeletionTaskFailed")
    record = workflow.record(execution_arn)
    assert (record.state, record.failure_kind) == (DeletionState.FAILED, FailureKind.INTERNAL_ERROR)
    assert record.failure_reason is not None and record.failure_reason.startswith("KeyError")
    assert record.failed_at == REVOKED_AT + timedelta(minutes=1)
    alert = only_alert(workflow)
    assert (alert.kind, alert.error) == (AlertKind.DELETION_FAILED, "DeletionTaskFailed")


def test_a_ledger_write_that_fails_is_recorded_as_an_internal_error(make_workflow: MakeWorkflow) -> None:
    # Given a ledger that refuses to record the vendor's operation, and records everything else
    workflow = make_workflow("skip")
    workflow.vendor.set_behaviour(Behaviour(outcome=Outcome.NEVER))

    def refusing_operations(event: dict[str, Any], context: Any) -> Any:
        if event.get("command") == "RECORD_OPERATION":
            raise OperationTableDropped("relation operation does not exist")
        return ledger_tasks_handler(event, context)

    workflow.engine.register_lambda(LEDGER_TASKS_FUNCTION, refusing_operations)

    # When a deletion runs
    execution_arn = workflow.start("customer-42")
    described = workflow.run_to_end(execution_arn)

    # Then the failure is recorded as ours, naming the step that could not be written
    assert (described["status"], described["error"]) == ("FAILED", "LedgerWriteFailed")
    record = workflow.record(execution_arn)
    assert (record.state, record.failure_kind, record.operation_id) == (
        DeletionState.FAILED,
        FailureKind.INTERNAL_ERROR,
        None,
    )
    assert record.failure_reason is not None and "OperationTableDropped" in record.failure_reason
    assert only_alert(workflow).error == "LedgerWriteFailed"
