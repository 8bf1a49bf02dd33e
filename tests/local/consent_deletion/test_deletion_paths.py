"""Every path of the ConsentDeletion state machine on the local engine, with the real handlers."""

from __future__ import annotations

from datetime import timedelta

from functions.consent_deletion.alert_mailer.models import AlertKind
from functions.consent_deletion.ledger import DeletionState, EventType, FailureKind
from local.third_party_fake import Behaviour, Endpoint, Fault, Outcome, SchemaDrift
from tests.local.consent_deletion.conftest import (
    DEADLINE_SECONDS,
    REVOKED_AT,
    MakeWorkflow,
    only_alert,
    run_to_end,
    start_waiting,
)

REQUESTED, OPERATION, CHECKED, COMPLETED, FAILED = (
    EventType.DELETION_REQUESTED,
    EventType.OPERATION_RECORDED,
    EventType.STATUS_CHECKED,
    EventType.DELETION_COMPLETED,
    EventType.DELETION_FAILED,
)
DEADLINE = REVOKED_AT + timedelta(seconds=DEADLINE_SECONDS)
HISTORY_EVENT_BUDGET = 2_000


def test_completes_at_the_first_check(make_workflow: MakeWorkflow) -> None:
    # Given a vendor that completes at the first check
    workflow, execution_arn = run_to_end(make_workflow, Behaviour(after_checks=1))

    # Then the execution succeeded after one check, one minute in, and nobody was alerted
    assert workflow.describe(execution_arn)["status"] == "SUCCEEDED"
    record = workflow.record(execution_arn)
    assert (record.state, record.check_count, record.last_status) == (DeletionState.COMPLETED, 1, "COMPLETED")
    assert record.operation_id == workflow.vendor.operations()[0]["operationId"]
    assert record.completed_at == REVOKED_AT + timedelta(minutes=1)
    assert [event.event_type for event in workflow.audit(execution_arn)] == [
        REQUESTED,
        OPERATION,
        CHECKED,
        COMPLETED,
    ]
    assert workflow.alerts.messages() == []


def test_a_customer_id_as_long_as_a_dynamodb_key_is_deleted(make_workflow: MakeWorkflow) -> None:
    # Given a customer whose id is 2,048 bytes of UTF-8, the most a DynamoDB key holds
    customer_id = "customer-\U0001f600" + "x" * 2035
    assert len(customer_id.encode()) == 2048
    workflow = make_workflow("skip")

    # When their deletion runs to its end
    execution_arn = workflow.start(customer_id)
    workflow.run_to_end(execution_arn)

    # Then the vendor was asked for that customer and the ledger completed the deletion under the whole id
    assert workflow.describe(execution_arn)["status"] == "SUCCEEDED"
    assert [operation["customerId"] for operation in workflow.vendor.operations()] == [customer_id]
    record = workflow.record(execution_arn)
    assert (record.state, record.customer_id) == (DeletionState.COMPLETED, customer_id)
    assert workflow.alerts.messages() == []


def test_completes_after_two_days(make_workflow: MakeWorkflow) -> None:
    # Given a vendor that needs two days
    two_days = timedelta(days=2)
    workflow, execution_arn = run_to_end(make_workflow, Behaviour(after_seconds=two_days.total_seconds()))

    # Then it completed at the first check after two days, checked at most an hour later
    assert workflow.describe(execution_arn)["status"] == "SUCCEEDED"
    record = workflow.record(execution_arn)
    assert record.state is DeletionState.COMPLETED and record.completed_at is not None
    assert two_days <= record.completed_at - REVOKED_AT <= two_days + timedelta(hours=1)
    checks = [event for event in workflow.audit(execution_arn) if event.event_type is CHECKED]
    assert [check.detail["status"] for check in checks[:2]] == ["PENDING", "RUNNING"]
    assert checks[-1].detail["status"] == "COMPLETED" and record.check_count == len(checks)
    assert workflow.alerts.messages() == []


def test_never_completes_alerts_at_the_deadline_and_not_before(make_workflow: MakeWorkflow) -> None:
    # Given a vendor whose operation never finishes, on a clock that moves only when told
    workflow, execution_arn = start_waiting(make_workflow, Behaviour(outcome=Outcome.NEVER))

    # When the clock reaches one second before the deadline
    workflow.engine.advance(DEADLINE_SECONDS - 1)

    # Then the execution still runs, the row is pending and nobody has been alerted
    assert workflow.describe(execution_arn)["status"] == "RUNNING"
    assert workflow.record(execution_arn).state is DeletionState.PENDING
    assert workflow.alerts.messages() == []

    # When the deadline passes
    workflow.engine.advance(2)

    # Then the execution fails as timed out, the ledger says so at the deadline, and the contact is alerted
    described = workflow.describe(execution_arn)
    assert (described["status"], described["error"]) == ("FAILED", "DeletionTimedOut")
    record = workflow.record(execution_arn)
    assert (record.state, record.failure_kind, record.failed_at) == (
        DeletionState.FAILED,
        FailureKind.TIMED_OUT,
        DEADLINE,
    )
    assert record.last_checked_at == DEADLINE and record.last_status == "RUNNING"
    audit = workflow.audit(execution_arn)
    assert [event.event_type for event in audit] == [REQUESTED, OPERATION] + [
        CHECKED
    ] * record.check_count + [FAILED]
    alert = only_alert(workflow)
    assert (alert.kind, alert.error) == (AlertKind.DELETION_TIMED_OUT, "DeletionTimedOut")
    assert (alert.customer_id, alert.operation_id) == ("customer-42", record.operation_id)
    assert (alert.execution_arn, alert.requested_at, alert.detected_at) == (
        execution_arn,
        REVOKED_AT,
        DEADLINE,
    )
    assert len(workflow.history(execution_arn)) < HISTORY_EVENT_BUDGET


def test_vendor_reports_failed(make_workflow: MakeWorkflow) -> None:
    # Given a vendor that reports the operation as FAILED at the second check
    workflow, execution_arn = run_to_end(make_workflow, Behaviour(outcome=Outcome.FAILED, after_checks=2))

    # Then the deletion failed with the vendor's reason, and the contact is alerted
    described = workflow.describe(execution_arn)
    assert (described["status"], described["error"]) == ("FAILED", "DeletionFailed")
    record = workflow.record(execution_arn)
    assert (record.state, record.failure_kind, record.check_count) == (
        DeletionState.FAILED,
        FailureKind.FAILED,
        2,
    )
    assert record.failure_reason is not None and "told to fail" in record.failure_reason
    assert [event.event_type for event in workflow.audit(execution_arn)] == [
        REQUESTED,
        OPERATION,
        CHECKED,
        CHECKED,
        FAILED,
    ]
    alert = only_alert(workflow)
    assert (alert.kind, alert.operation_id) == (AlertKind.DELETION_FAILED, record.operation_id)
    assert alert.detected_at == record.failed_at == record.last_checked_at


def test_schema_drift_at_the_request_is_a_contract_change(make_workflow: MakeWorkflow) -> None:
    # Given a vendor that renamed operationId in its answer to the deletion request
    workflow, execution_arn = run_to_end(make_workflow, Behaviour(schema_drift=SchemaDrift.RENAMED_FIELD))

    # Then the deletion failed as a contract error without any retry, and the contact is alerted
    described = workflow.describe(execution_arn)
    assert (described["status"], described["error"]) == ("FAILED", "VendorContractChanged")
    record = workflow.record(execution_arn)
    assert (record.state, record.failure_kind, record.operation_id) == (
        DeletionState.FAILED,
        FailureKind.CONTRACT_ERROR,
        None,
    )
    assert [event.event_type for event in workflow.audit(execution_arn)] == [REQUESTED, FAILED]
    assert len(workflow.vendor.requests()) == 1
    alert = only_alert(workflow)
    assert (alert.kind, alert.operation_id) == (AlertKind.VENDOR_CONTRACT_CHANGED, None)
    assert alert.cause is not None and "ThirdPartyContractError" in alert.cause


def test_schema_drift_while_checking_is_a_contract_change(make_workflow: MakeWorkflow) -> None:
    # Given a deletion the vendor accepted, waiting for its first check
    workflow, execution_arn = start_waiting(make_workflow, Behaviour(outcome=Outcome.NEVER))

    # When the vendor's status answers change shape before the check
    workflow.vendor.set_behaviour(Behaviour(outcome=Outcome.NEVER, schema_drift=SchemaDrift.RENAMED_FIELD))
    workflow.engine.advance(60)

    # Then the check fails the deletion as a contract error, alerting with the operation id
    assert workflow.describe(execution_arn)["error"] == "VendorContractChanged"
    record = workflow.record(execution_arn)
    assert (record.failure_kind, record.check_count) == (FailureKind.CONTRACT_ERROR, 0)
    assert [event.event_type for event in workflow.audit(execution_arn)] == [REQUESTED, OPERATION, FAILED]
    alert = only_alert(workflow)
    assert (alert.kind, alert.operation_id) == (AlertKind.VENDOR_CONTRACT_CHANGED, record.operation_id)


def test_vendor_rejects_the_request(make_workflow: MakeWorkflow) -> None:
    # Given a vendor that refuses the deletion request with a 400
    fault = Fault(status=400, endpoints=frozenset({Endpoint.DELETION}))
    workflow, execution_arn = run_to_end(make_workflow, Behaviour(fault=fault))

    # Then the deletion failed as rejected, was not retried, and the contact is alerted
    described = workflow.describe(execution_arn)
    assert (described["status"], described["error"]) == ("FAILED", "VendorRejected")
    record = workflow.record(execution_arn)
    assert (record.state, record.failure_kind) == (DeletionState.FAILED, FailureKind.REJECTED)
    assert [event.event_type for event in workflow.audit(execution_arn)] == [REQUESTED, FAILED]
    assert [request["status"] for request in workflow.vendor.requests()] == [400]
    assert only_alert(workflow).kind is AlertKind.VENDOR_REJECTED


def test_unknown_customer_has_nothing_to_delete(make_workflow: MakeWorkflow) -> None:
    # Given a vendor that does not know the customer
    workflow, execution_arn = run_to_end(make_workflow, Behaviour(unknown_customer=True))

    # Then the deletion is complete at once, noted as such, with no operation and no check
    assert workflow.describe(execution_arn)["status"] == "SUCCEEDED"
    record = workflow.record(execution_arn)
    assert (record.state, record.operation_id, record.check_count) == (DeletionState.COMPLETED, None, 0)
    assert record.note is not None and record.note.startswith("NOTHING_TO_DELETE")
    assert record.completed_at == REVOKED_AT
    audit = workflow.audit(execution_arn)
    assert [event.event_type for event in audit] == [REQUESTED, COMPLETED]
    assert audit[-1].detail == {"note": record.note}
    assert workflow.alerts.messages() == []
