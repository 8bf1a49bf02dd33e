"""Transient vendor errors on the local engine: retried at the request, absorbed by the check loop."""

from __future__ import annotations

from datetime import timedelta

from functions.consent_deletion.ledger import DeletionState, EventType
from local.third_party_fake import Behaviour, Endpoint, Fault
from tests.local.consent_deletion.conftest import DeletionWorkflow, MakeWorkflow, run_to_end


def checks(workflow: DeletionWorkflow, execution_arn: str) -> list[tuple[str, timedelta]]:
    """Each recorded check's status and time since the first check."""
    events = [
        event for event in workflow.audit(execution_arn) if event.event_type is EventType.STATUS_CHECKED
    ]
    return [(event.detail["status"], event.occurred_at - events[0].occurred_at) for event in events]


def test_an_unavailable_vendor_is_retried_at_the_request(make_workflow: MakeWorkflow) -> None:
    # Given a vendor that answers the deletion request with 503 twice, naming a Retry-After
    fault = Fault(status=503, retry_after_seconds=20, times=2, endpoints=frozenset({Endpoint.DELETION}))
    workflow, execution_arn = run_to_end(make_workflow, Behaviour(fault=fault))

    # Then the task's Retry got through on the third attempt and the deletion completed, recorded once
    assert workflow.describe(execution_arn)["status"] == "SUCCEEDED"
    deletion_requests = [r["status"] for r in workflow.vendor.requests() if r["endpoint"] == "deletion"]
    assert deletion_requests == [503, 503, 202]
    assert [event.event_type for event in workflow.audit(execution_arn)] == [
        EventType.DELETION_REQUESTED,
        EventType.OPERATION_RECORDED,
        EventType.STATUS_CHECKED,
        EventType.DELETION_COMPLETED,
    ]
    assert workflow.alerts.messages() == []


def test_a_check_answered_with_retry_after_counts_as_pending_and_waits_that_long(
    make_workflow: MakeWorkflow,
) -> None:
    # Given a vendor that throttles the first status check for ten minutes, then completes
    fault = Fault(status=429, retry_after_seconds=600, times=1, endpoints=frozenset({Endpoint.OPERATION}))
    workflow, execution_arn = run_to_end(make_workflow, Behaviour(after_checks=1, fault=fault))

    # Then the throttled check was recorded as UNAVAILABLE and the next came ten minutes later, not two
    assert workflow.describe(execution_arn)["status"] == "SUCCEEDED"
    assert checks(workflow, execution_arn) == [
        ("UNAVAILABLE", timedelta(0)),
        ("COMPLETED", timedelta(minutes=10)),
    ]
    assert workflow.record(execution_arn).state is DeletionState.COMPLETED


def test_a_brief_outage_during_a_check_is_retried_by_the_task(make_workflow: MakeWorkflow) -> None:
    # Given a vendor whose status endpoint fails once with a 502 and no Retry-After
    fault = Fault(status=502, times=1, endpoints=frozenset({Endpoint.OPERATION}))
    workflow, execution_arn = run_to_end(make_workflow, Behaviour(after_checks=1, fault=fault))

    # Then the task's own Retry made the same check succeed: one check recorded, two requests made
    assert workflow.describe(execution_arn)["status"] == "SUCCEEDED"
    assert checks(workflow, execution_arn) == [("COMPLETED", timedelta(0))]
    assert [r["status"] for r in workflow.vendor.requests() if r["endpoint"] == "operation"] == [502, 200]


def test_a_longer_outage_during_a_check_counts_as_pending(make_workflow: MakeWorkflow) -> None:
    # Given a vendor whose status endpoint fails three times in a row, naming no Retry-After
    fault = Fault(status=503, times=3, endpoints=frozenset({Endpoint.OPERATION}))
    workflow, execution_arn = run_to_end(make_workflow, Behaviour(after_checks=1, fault=fault))

    # Then after the task's retries the check counted as UNAVAILABLE, and the loop's next check completed
    assert workflow.describe(execution_arn)["status"] == "SUCCEEDED"
    [(first_status, _), (second_status, gap)] = checks(workflow, execution_arn)
    assert (first_status, second_status) == ("UNAVAILABLE", "COMPLETED")
    assert gap >= timedelta(minutes=2)
    assert workflow.alerts.messages() == []
