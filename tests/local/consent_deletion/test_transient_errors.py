"""Transient vendor errors on the local engine: retried at the request, absorbed by the check loop."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

import pytest

from functions.consent_deletion.ledger import DeletionState, EventType
from local.third_party_fake import Behaviour, Endpoint, Fault
from local.third_party_fake.vendor import Reply
from tests.local.consent_deletion.conftest import DeletionWorkflow, MakeWorkflow, only_alert, run_to_end


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


def deletion_requests(workflow: DeletionWorkflow) -> list[tuple[int, datetime]]:
    """Each deletion request the vendor answered: its status and when it came."""
    return [
        (request["status"], datetime.fromisoformat(request["at"]))
        for request in workflow.vendor.requests()
        if request["endpoint"] == "deletion"
    ]


def test_a_request_answered_with_retry_after_is_repeated_no_sooner_than_that(
    make_workflow: MakeWorkflow,
) -> None:
    # Given a vendor that throttles the deletion request for ten minutes, once
    fault = Fault(status=429, retry_after_seconds=600, times=1, endpoints=frozenset({Endpoint.DELETION}))
    workflow, execution_arn = run_to_end(make_workflow, Behaviour(fault=fault))

    # Then the request was repeated ten minutes later, not seconds later, and the deletion completed
    assert workflow.describe(execution_arn)["status"] == "SUCCEEDED"
    [(first_status, first_at), (second_status, second_at)] = deletion_requests(workflow)
    assert (first_status, second_status) == (429, 202)
    assert second_at - first_at >= timedelta(seconds=600)
    assert workflow.alerts.messages() == []


def test_a_vendor_that_keeps_naming_a_retry_after_fails_the_request_as_unavailable(
    make_workflow: MakeWorkflow,
) -> None:
    # Given a vendor that throttles every deletion request for ten minutes
    fault = Fault(status=429, retry_after_seconds=600, endpoints=frozenset({Endpoint.DELETION}))
    workflow, execution_arn = run_to_end(make_workflow, Behaviour(fault=fault))

    # Then the request was made eleven times, ten minutes apart, then the deletion failed as unavailable
    described = workflow.describe(execution_arn)
    assert (described["status"], described["error"]) == ("FAILED", "VendorUnavailable")
    requests = deletion_requests(workflow)
    assert [status for status, _ in requests] == [429] * 11
    gaps = [later - earlier for (_, earlier), (_, later) in itertools.pairwise(requests)]
    assert all(gap >= timedelta(seconds=600) for gap in gaps)
    assert workflow.record(execution_arn).state is DeletionState.FAILED
    assert only_alert(workflow).error == "VendorUnavailable"


def test_a_retry_after_past_the_deadline_fails_the_request_at_once(make_workflow: MakeWorkflow) -> None:
    # Given a vendor that throttles the deletion request for four days, longer than the deadline allows
    fault = Fault(status=503, retry_after_seconds=4 * 86_400, endpoints=frozenset({Endpoint.DELETION}))
    workflow, execution_arn = run_to_end(make_workflow, Behaviour(fault=fault))

    # Then the deletion failed as VendorUnavailable after the one request, with a single alert
    assert workflow.describe(execution_arn)["error"] == "VendorUnavailable"
    assert [status for status, _ in deletion_requests(workflow)] == [503]
    assert "asked for 345600 s more" in (only_alert(workflow).cause or "")


def test_a_request_whose_answer_came_too_late_is_retried_without_a_second_operation(
    make_workflow: MakeWorkflow, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a vendor that starts the operation but answers the first request after the client's read timeout
    monkeypatch.setenv("THIRD_PARTY_READ_TIMEOUT_SECONDS", "0.2")
    workflow = make_workflow("skip")
    workflow.vendor.set_behaviour(Behaviour(delay_seconds=1.0))
    answer = workflow.vendor.handle

    def answer_then_recover(*request: Any) -> Reply:
        reply = answer(*request)
        workflow.vendor.set_behaviour(Behaviour())
        return reply

    monkeypatch.setattr(workflow.vendor, "handle", answer_then_recover)

    # When a deletion runs to its end
    execution_arn = workflow.start("customer-42")
    workflow.run_to_end(execution_arn)

    # Then the task's retry was answered with the operation the first request started, the only one there is
    assert workflow.describe(execution_arn)["status"] == "SUCCEEDED"
    assert len(deletion_requests(workflow)) == 2
    [operation] = workflow.vendor.operations()
    assert workflow.record(execution_arn).operation_id == operation["operationId"]


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
