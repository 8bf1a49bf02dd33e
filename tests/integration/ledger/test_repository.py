"""The ledger operations the ConsentDeletion tasks call: idempotent, monotonic, queryable."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta, timezone

import pytest
from sqlalchemy import Engine, select

from functions.consent_deletion.ledger import (
    DeletionNotFound,
    DeletionRecord,
    DeletionState,
    EventType,
    ExecutionNameConflict,
    FailureKind,
    NaiveDatetimeError,
    RevocationReason,
    SqlDeletionLedger,
)
from functions.consent_deletion.ledger.schema import deletion_failure
from tests.integration.ledger.helpers import T0, request_deletion, row_counts

MINUTE = timedelta(minutes=1)
SECOND = timedelta(seconds=1)

LedgerTask = Callable[[SqlDeletionLedger], DeletionRecord]

# Each task of the workflow, in the order an execution calls them, as the ASL would retry them.
WORKFLOW_TASKS: list[tuple[str, LedgerTask]] = [
    ("requested", lambda ledger: request_deletion(ledger, "exec-1", "customer-1", T0)),
    ("operation", lambda ledger: ledger.record_operation("exec-1", "op-1", recorded_at=T0 + SECOND)),
    ("check", lambda ledger: ledger.record_check("exec-1", "RUNNING", T0 + MINUTE, recorded_at=T0 + MINUTE)),
    (
        "completed",
        lambda ledger: ledger.record_completed("exec-1", T0 + 2 * MINUTE, recorded_at=T0 + 2 * MINUTE),
    ),
]


def _pending_with_operation(ledger: SqlDeletionLedger, execution_name: str = "exec-1") -> None:
    request_deletion(ledger, execution_name, "customer-1", T0)
    ledger.record_operation(execution_name, "op-1", recorded_at=T0 + SECOND)


@pytest.mark.parametrize("repeated", [name for name, _ in WORKFLOW_TASKS])
def test_a_repeated_task_writes_one_row_and_one_audit_event(
    ledger: SqlDeletionLedger, engine: Engine, repeated: str
) -> None:
    # Given an execution that has run every task up to the one under test
    tasks = dict(WORKFLOW_TASKS)
    for name, task in WORKFLOW_TASKS:
        if name == repeated:
            break
        task(ledger)
    events_before = len(ledger.events("exec-1"))

    # When that task runs twice, as a retried Lambda invocation would
    first = tasks[repeated](ledger)
    second = tasks[repeated](ledger)

    # Then both calls report the same state, the deletion is in exactly one table and one event was added
    assert first == second
    counts = row_counts(engine, "exec-1")
    assert counts["pending_deletion"] + counts["completed_deletion"] + counts["deletion_failure"] == 1
    assert counts["deletion_event"] == events_before + 1


def test_a_full_run_with_every_task_retried_leaves_one_event_per_step(ledger: SqlDeletionLedger) -> None:
    # Given every task of a successful run, each delivered twice
    for _, task in WORKFLOW_TASKS:
        task(ledger)
        task(ledger)

    # Then the deletion is completed with the operation and the check it saw
    record = ledger.find("exec-1")
    assert record is not None
    assert (record.state, record.operation_id, record.check_count) == (DeletionState.COMPLETED, "op-1", 1)
    assert record.last_status == "RUNNING"
    assert record.completed_at == T0 + 2 * MINUTE
    # And the audit trail holds each step once, in order
    assert [event.event_type for event in ledger.events("exec-1")] == [
        EventType.DELETION_REQUESTED,
        EventType.OPERATION_RECORDED,
        EventType.STATUS_CHECKED,
        EventType.DELETION_COMPLETED,
    ]


def test_checks_are_counted_once_each_and_the_latest_status_wins(ledger: SqlDeletionLedger) -> None:
    # Given a pending deletion
    _pending_with_operation(ledger)

    # When three distinct checks are recorded, the last one delivered twice and one arriving late
    ledger.record_check("exec-1", "PENDING", T0 + MINUTE, recorded_at=T0 + MINUTE)
    ledger.record_check("exec-1", "COMPLETED", T0 + 3 * MINUTE, recorded_at=T0 + 3 * MINUTE)
    ledger.record_check("exec-1", "COMPLETED", T0 + 3 * MINUTE, recorded_at=T0 + 3 * MINUTE)
    record = ledger.record_check("exec-1", "RUNNING", T0 + 2 * MINUTE, recorded_at=T0 + 2 * MINUTE)

    # Then each distinct check counts once, and the late check does not roll the status back
    assert record.check_count == 3
    assert (record.last_status, record.last_checked_at) == ("COMPLETED", T0 + 3 * MINUTE)
    checks = [event for event in ledger.events("exec-1") if event.event_type is EventType.STATUS_CHECKED]
    assert [event.detail["status"] for event in checks] == ["PENDING", "COMPLETED", "RUNNING"]


def test_completion_moves_the_row_and_keeps_its_progress(ledger: SqlDeletionLedger, engine: Engine) -> None:
    # Given a pending deletion that has been checked
    _pending_with_operation(ledger)
    ledger.record_check("exec-1", "PENDING", T0 + MINUTE, recorded_at=T0 + MINUTE)

    # When the vendor reports it unknown and the task completes it with a note
    record = ledger.record_completed(
        "exec-1", T0 + 2 * MINUTE, note="nothing to delete at vendor", recorded_at=T0 + 2 * MINUTE
    )

    # Then it left pending_deletion for completed_deletion with everything it had
    counts = row_counts(engine, "exec-1")
    assert (counts["pending_deletion"], counts["completed_deletion"], counts["deletion_failure"]) == (0, 1, 0)
    assert record.state is DeletionState.COMPLETED
    assert (record.customer_id, record.requested_at, record.operation_id) == ("customer-1", T0, "op-1")
    assert (record.check_count, record.last_status) == (1, "PENDING")
    assert record.note == "nothing to delete at vendor"
    assert ledger.events("exec-1")[-1].detail == {"note": "nothing to delete at vendor"}


def test_failure_moves_the_row_with_its_kind_and_reason(ledger: SqlDeletionLedger, engine: Engine) -> None:
    # Given a pending deletion
    _pending_with_operation(ledger)

    # When the deadline passes
    record = ledger.record_failed(
        "exec-1", FailureKind.TIMED_OUT, "still RUNNING after 3 days", T0 + MINUTE, recorded_at=T0 + MINUTE
    )

    # Then it is recorded as a failure, and nowhere else
    assert record.state is DeletionState.FAILED
    assert (record.failure_kind, record.failure_reason) == (
        FailureKind.TIMED_OUT,
        "still RUNNING after 3 days",
    )
    assert (record.failed_at, record.operation_id) == (T0 + MINUTE, "op-1")
    counts = row_counts(engine, "exec-1")
    assert (counts["pending_deletion"], counts["completed_deletion"], counts["deletion_failure"]) == (0, 0, 1)


def test_a_completed_deletion_stays_completed(ledger: SqlDeletionLedger, engine: Engine) -> None:
    # Given a completed deletion
    _pending_with_operation(ledger)
    completed = ledger.record_completed("exec-1", T0 + MINUTE, recorded_at=T0 + MINUTE)

    # When late or replayed tasks arrive for it
    ledger.record_failed(
        "exec-1", FailureKind.FAILED, "late failure", T0 + 2 * MINUTE, recorded_at=T0 + 2 * MINUTE
    )
    ledger.record_check("exec-1", "FAILED", T0 + 3 * MINUTE, recorded_at=T0 + 3 * MINUTE)
    ledger.record_operation("exec-1", "op-2", recorded_at=T0 + 4 * MINUTE)
    request_deletion(ledger, "exec-1", "customer-1", T0 + 4 * MINUTE)
    ledger.record_completed("exec-1", T0 + 5 * MINUTE, note="second completion", recorded_at=T0 + 5 * MINUTE)

    # Then it is still completed exactly as it was, and never pending or failed
    assert ledger.find("exec-1") == completed
    counts = row_counts(engine, "exec-1")
    assert (counts["pending_deletion"], counts["completed_deletion"], counts["deletion_failure"]) == (0, 1, 0)
    # And the audit trail shows the late tasks as ignored
    late = [event for event in ledger.events("exec-1") if "ignored" in event.detail]
    assert [event.event_type for event in late] == [
        EventType.DELETION_FAILED,
        EventType.STATUS_CHECKED,
        EventType.OPERATION_RECORDED,
    ]


def test_every_audit_time_is_the_callers_never_the_clock(ledger: SqlDeletionLedger) -> None:
    # Given a run whose step times and recording times all differ, a year before this test runs
    ledger.record_deletion_requested(
        "exec-1",
        "customer-1",
        T0,
        reason=RevocationReason.CONSENT_REVOKED,
        source_event_id="event-1",
        recorded_at=T0 + 2 * SECOND,
    )
    ledger.record_operation("exec-1", "op-1", recorded_at=T0 + 5 * SECOND)
    ledger.record_check("exec-1", "RUNNING", T0 + MINUTE, recorded_at=T0 + MINUTE + SECOND)
    ledger.record_failed(
        "exec-1", FailureKind.TIMED_OUT, "3 days", T0 + 3 * MINUTE, recorded_at=T0 + 4 * MINUTE
    )

    # When the audit trail is read
    events = ledger.events("exec-1")

    # Then every event occurred and was recorded at the times it was given: the operation when it was
    # recorded, the rest at their own step's time
    assert [(event.occurred_at, event.recorded_at) for event in events] == [
        (T0, T0 + 2 * SECOND),
        (T0 + 5 * SECOND, T0 + 5 * SECOND),
        (T0 + MINUTE, T0 + MINUTE + SECOND),
        (T0 + 3 * MINUTE, T0 + 4 * MINUTE),
    ]


def test_a_task_redriven_later_keeps_the_times_of_its_first_write(ledger: SqlDeletionLedger) -> None:
    # Given a check recorded once
    _pending_with_operation(ledger)
    first = ledger.record_check("exec-1", "RUNNING", T0 + MINUTE, recorded_at=T0 + MINUTE + SECOND)

    # When a redrive records the same check again, entering RecordCheck an hour later
    again = ledger.record_check("exec-1", "RUNNING", T0 + MINUTE, recorded_at=T0 + 61 * MINUTE)

    # Then nothing changed: the event keeps the times of the first write
    assert again == first
    [check] = [event for event in ledger.events("exec-1") if event.event_type is EventType.STATUS_CHECKED]
    assert (check.occurred_at, check.recorded_at) == (T0 + MINUTE, T0 + MINUTE + SECOND)


@pytest.mark.parametrize(
    ("finish", "expected_state"),
    [
        pytest.param(lambda ledger: None, DeletionState.PENDING, id="pending"),
        pytest.param(
            lambda ledger: ledger.record_completed("exec-1", T0 + MINUTE, recorded_at=T0 + MINUTE),
            DeletionState.COMPLETED,
            id="completed",
        ),
        pytest.param(
            lambda ledger: ledger.record_failed(
                "exec-1", FailureKind.REJECTED, "400", T0 + MINUTE, recorded_at=T0 + MINUTE
            ),
            DeletionState.FAILED,
            id="failed",
        ),
    ],
)
def test_the_revocation_cause_stays_with_the_deletion_in_every_table(
    ledger: SqlDeletionLedger, finish: Callable[[SqlDeletionLedger], object], expected_state: DeletionState
) -> None:
    # Given a deletion opened because the customer was deleted, by stream record "event-77"
    ledger.record_deletion_requested(
        "exec-1",
        "customer-1",
        T0,
        reason=RevocationReason.CUSTOMER_DELETED,
        source_event_id="event-77",
        recorded_at=T0,
    )

    # When it stays pending, completes or fails
    finish(ledger)

    # Then wherever it is, it still says what asked for it, and so does its first audit event
    [record] = ledger.find_by_customer("customer-1")
    assert (record.state, record.revocation_reason, record.source_event_id) == (
        expected_state,
        RevocationReason.CUSTOMER_DELETED,
        "event-77",
    )
    assert ledger.events("exec-1")[0].detail == {
        "requested_at": T0.isoformat(),
        "reason": "CUSTOMER_DELETED",
        "source_event_id": "event-77",
    }


def test_an_internal_error_is_recorded_as_its_own_kind(ledger: SqlDeletionLedger, engine: Engine) -> None:
    # Given a pending deletion
    _pending_with_operation(ledger)

    # When one of our own steps fails and the workflow records it
    record = ledger.record_failed(
        "exec-1",
        FailureKind.INTERNAL_ERROR,
        "LedgerUnavailable: the ledger database is unavailable",
        T0 + MINUTE,
        recorded_at=T0 + MINUTE,
    )

    # Then the database holds it as INTERNAL_ERROR, not as a vendor failure
    assert (record.state, record.failure_kind) == (DeletionState.FAILED, FailureKind.INTERNAL_ERROR)
    with engine.connect() as connection:
        stored = connection.scalar(
            select(deletion_failure.c.failure_kind).where(deletion_failure.c.execution_name == "exec-1")
        )
    assert stored == "INTERNAL_ERROR"


def test_a_redriven_execution_that_succeeds_moves_from_failed_to_completed(ledger: SqlDeletionLedger) -> None:
    # Given a deletion that failed because the vendor was unreachable
    _pending_with_operation(ledger)
    ledger.record_failed(
        "exec-1", FailureKind.UNAVAILABLE, "503 after all retries", T0 + MINUTE, recorded_at=T0 + MINUTE
    )

    # When the execution is redriven and the deletion completes
    record = ledger.record_completed("exec-1", T0 + 10 * MINUTE, recorded_at=T0 + 10 * MINUTE)

    # Then it is completed, and the audit trail still shows the failure
    assert (record.state, record.completed_at, record.operation_id) == (
        DeletionState.COMPLETED,
        T0 + 10 * MINUTE,
        "op-1",
    )
    assert [event.event_type for event in ledger.events("exec-1")][-2:] == [
        EventType.DELETION_FAILED,
        EventType.DELETION_COMPLETED,
    ]


def test_a_later_failure_replaces_an_earlier_one_but_an_older_one_does_not(ledger: SqlDeletionLedger) -> None:
    # Given a failed deletion
    _pending_with_operation(ledger)
    ledger.record_failed(
        "exec-1", FailureKind.UNAVAILABLE, "503", T0 + 2 * MINUTE, recorded_at=T0 + 2 * MINUTE
    )

    # When a redrive fails later for another reason, and an older failure arrives late
    ledger.record_failed(
        "exec-1", FailureKind.REJECTED, "400 invalid customer", T0 + 3 * MINUTE, recorded_at=T0 + 3 * MINUTE
    )
    record = ledger.record_failed(
        "exec-1", FailureKind.CONTRACT_ERROR, "renamed field", T0 + MINUTE, recorded_at=T0 + MINUTE
    )

    # Then the ledger shows the latest failure, and the audit trail all three
    assert (record.failure_kind, record.failure_reason, record.failed_at) == (
        FailureKind.REJECTED,
        "400 invalid customer",
        T0 + 3 * MINUTE,
    )
    failures = [event for event in ledger.events("exec-1") if event.event_type is EventType.DELETION_FAILED]
    assert [event.detail["kind"] for event in failures] == ["UNAVAILABLE", "REJECTED", "CONTRACT_ERROR"]


@pytest.mark.parametrize(
    "task",
    [
        pytest.param(
            lambda ledger: ledger.record_operation("unknown", "op-1", recorded_at=T0), id="operation"
        ),
        pytest.param(
            lambda ledger: ledger.record_check("unknown", "RUNNING", T0, recorded_at=T0), id="check"
        ),
        pytest.param(lambda ledger: ledger.record_completed("unknown", T0, recorded_at=T0), id="completed"),
        pytest.param(
            lambda ledger: ledger.record_failed("unknown", FailureKind.FAILED, "x", T0, recorded_at=T0),
            id="failed",
        ),
    ],
)
def test_tasks_for_an_unknown_execution_raise_deletion_not_found(
    ledger: SqlDeletionLedger, engine: Engine, task: LedgerTask
) -> None:
    # Given an execution the ledger has never seen
    # When a later task arrives for it, Then it is a named error and nothing is written
    with pytest.raises(DeletionNotFound) as raised:
        task(ledger)
    assert raised.value.execution_name == "unknown"
    assert row_counts(engine, "unknown") == dict.fromkeys(row_counts(engine, "unknown"), 0)


def test_an_execution_name_cannot_change_customer(ledger: SqlDeletionLedger) -> None:
    # Given a deletion requested for one customer
    request_deletion(ledger, "exec-1", "customer-1", T0)

    # When the same execution name is requested for another customer, Then it is refused
    with pytest.raises(ExecutionNameConflict):
        request_deletion(ledger, "exec-1", "customer-2", T0)
    found = ledger.find("exec-1")
    assert found is not None
    assert found.customer_id == "customer-1"


def test_timestamps_come_back_in_utc_and_naive_ones_are_refused(ledger: SqlDeletionLedger) -> None:
    # Given a request time in another zone
    berlin = timezone(timedelta(hours=1))
    requested_at = T0.astimezone(berlin)

    # When it is recorded, Then it comes back as the same instant in UTC
    record = request_deletion(ledger, "exec-1", "customer-1", requested_at)
    assert record.requested_at == T0
    assert record.requested_at.utcoffset() == timedelta(0)

    # And a naive timestamp, of the step or of its recording, is refused rather than guessed
    with pytest.raises(NaiveDatetimeError):
        ledger.record_check("exec-1", "RUNNING", T0.replace(tzinfo=None), recorded_at=T0)
    with pytest.raises(NaiveDatetimeError):
        ledger.record_operation("exec-1", "op-1", recorded_at=T0.replace(tzinfo=None))
    with pytest.raises(NaiveDatetimeError):
        ledger.record_completed("exec-1", T0, recorded_at=T0.replace(tzinfo=None))
    # And none of the refused calls left anything behind
    assert [event.event_type for event in ledger.events("exec-1")] == [EventType.DELETION_REQUESTED]


def test_find_by_customer_returns_each_of_their_deletions_newest_first(ledger: SqlDeletionLedger) -> None:
    # Given one customer with a completed, a failed and a pending deletion, and another customer
    request_deletion(ledger, "exec-old", "customer-1", T0)
    ledger.record_completed("exec-old", T0 + MINUTE, recorded_at=T0 + MINUTE)
    request_deletion(ledger, "exec-mid", "customer-1", T0 + 10 * MINUTE)
    ledger.record_failed(
        "exec-mid", FailureKind.REJECTED, "400", T0 + 11 * MINUTE, recorded_at=T0 + 11 * MINUTE
    )
    request_deletion(ledger, "exec-new", "customer-1", T0 + 20 * MINUTE)
    request_deletion(ledger, "exec-other", "customer-2", T0 + 30 * MINUTE)

    # When the customer's deletions are looked up
    found = ledger.find_by_customer("customer-1")

    # Then all three come back, newest first, each in its state
    assert [(record.execution_name, record.state) for record in found] == [
        ("exec-new", DeletionState.PENDING),
        ("exec-mid", DeletionState.FAILED),
        ("exec-old", DeletionState.COMPLETED),
    ]
    assert ledger.find_by_customer("nobody") == []


def test_stale_pending_lists_old_pending_deletions_oldest_first(ledger: SqlDeletionLedger) -> None:
    # Given pending deletions requested at different times, and an old one that already completed
    for minutes in (30, 5, 20, 60):
        request_deletion(ledger, f"exec-{minutes}", f"customer-{minutes}", T0 + minutes * MINUTE)
    request_deletion(ledger, "exec-done", "customer-done", T0)
    ledger.record_completed("exec-done", T0 + MINUTE, recorded_at=T0 + MINUTE)

    # When the reconciler asks for those requested before T0 + 30 minutes
    stale = ledger.stale_pending(older_than=T0 + 30 * MINUTE)

    # Then it gets the older pending ones only, oldest first
    assert [record.execution_name for record in stale] == ["exec-5", "exec-20"]
    assert all(record.state is DeletionState.PENDING for record in stale)
    # And a limit bounds the scan
    limited = ledger.stale_pending(older_than=T0 + 90 * MINUTE, limit=3)
    assert [record.execution_name for record in limited] == ["exec-5", "exec-20", "exec-30"]


@pytest.mark.parametrize(
    "customer_id",
    [
        pytest.param("c" * 2048, id="2048-ascii-characters"),
        pytest.param("\U0001f600" * 512, id="2048-bytes-of-4-byte-characters"),
    ],
)
def test_the_longest_customer_and_operation_ids_are_kept_through_a_whole_deletion(
    ledger: SqlDeletionLedger, customer_id: str
) -> None:
    # Given a customer id as long as a DynamoDB key can be, and an operation id as long as the client accepts
    operation_id = "o" * 512
    request_deletion(ledger, "exec-1", customer_id, T0)

    # When the deletion goes through every step
    ledger.record_operation("exec-1", operation_id, recorded_at=T0 + SECOND)
    ledger.record_check("exec-1", "COMPLETED", T0 + MINUTE, recorded_at=T0 + MINUTE)
    record = ledger.record_completed("exec-1", T0 + 2 * MINUTE, recorded_at=T0 + 2 * MINUTE)

    # Then the ledger kept both ids whole, and finds the deletion by the customer
    assert (record.state, record.customer_id, record.operation_id) == (
        DeletionState.COMPLETED,
        customer_id,
        operation_id,
    )
    assert [found.execution_name for found in ledger.find_by_customer(customer_id)] == ["exec-1"]
    assert {event.customer_id for event in ledger.events("exec-1")} == {customer_id}
