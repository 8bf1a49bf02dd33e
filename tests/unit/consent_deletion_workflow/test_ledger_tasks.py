"""Ledger tasks: each command over a real (in-memory SQLite) ledger, retries, and the handler's boundary."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError

from functions.common.parsing import parse_event
from functions.consent_deletion.ledger import (
    DeletionState,
    EventType,
    FailureKind,
    RevocationReason,
    SqlDeletionLedger,
)
from functions.consent_deletion.ledger_tasks import handler as ledger_handler
from functions.consent_deletion.ledger_tasks.adapters import database_errors_as_ledger_unavailable
from functions.consent_deletion.ledger_tasks.errors import InvalidLedgerCommand, LedgerUnavailable
from functions.consent_deletion.ledger_tasks.logic import apply_ledger_command
from functions.consent_deletion.ledger_tasks.models import LEDGER_COMMAND
from tests.unit.consent_deletion_workflow.fakes import T0, LambdaContextStub, in_memory_ledger

EXECUTION = "customer-7-0123456789abcdef0123456789abcdef"


@pytest.fixture
def ledger() -> SqlDeletionLedger:
    return in_memory_ledger()[0]


def run(ledger: SqlDeletionLedger, command: dict[str, Any]) -> dict[str, Any]:
    return apply_ledger_command(LEDGER_COMMAND.validate_python(command), ledger).model_dump(mode="json")


def requested(
    at: str = "2026-03-02T08:00:00Z", recorded_at: str = "2026-03-02T08:00:00.250Z"
) -> dict[str, Any]:
    """RecordDeletionRequested's payload: the revocation from the execution input, and the state's time."""
    return {
        "command": "RECORD_REQUESTED",
        "executionName": EXECUTION,
        "customerId": "customer-7",
        "requestedAt": at,
        "reason": "CUSTOMER_DELETED",
        "sourceEventId": "stream-event-7",
        "recordedAt": recorded_at,
    }


def operation(recorded_at: str = "2026-03-02T08:00:01.500Z") -> dict[str, Any]:
    return {
        "command": "RECORD_OPERATION",
        "executionName": EXECUTION,
        "operationId": "op-1",
        "recordedAt": recorded_at,
    }


def check(status: str, at: str, recorded_at: str | None = None) -> dict[str, Any]:
    return {
        "command": "RECORD_CHECK",
        "executionName": EXECUTION,
        "status": status,
        "checkedAt": at,
        "recordedAt": recorded_at or at,
    }


def test_the_happy_sequence_leaves_one_completed_row_and_one_event_per_step(
    ledger: SqlDeletionLedger,
) -> None:
    # Given a deletion requested, its operation recorded and two checks
    run(ledger, requested())
    run(ledger, operation())
    run(ledger, check("PENDING", "2026-03-02T08:01:00.000Z"))
    after_checks = run(ledger, check("COMPLETED", "2026-03-02T08:03:00.000Z"))

    # When it is completed
    result = run(
        ledger,
        {
            "command": "RECORD_COMPLETED",
            "executionName": EXECUTION,
            "completedAt": "2026-03-02T08:03:00.120Z",
            "recordedAt": "2026-03-02T08:03:00.120Z",
        },
    )

    # Then the result describes the row and the audit trail has every step in order
    assert after_checks == {
        "executionName": EXECUTION,
        "state": "PENDING",
        "operationId": "op-1",
        "checkCount": 2,
        "lastStatus": "COMPLETED",
    }
    assert result["state"] == "COMPLETED"
    record = ledger.find(EXECUTION)
    assert record is not None and record.completed_at == T0 + timedelta(minutes=3, milliseconds=120)
    assert [event.event_type for event in ledger.events(EXECUTION)] == [
        EventType.DELETION_REQUESTED,
        EventType.OPERATION_RECORDED,
        EventType.STATUS_CHECKED,
        EventType.STATUS_CHECKED,
        EventType.DELETION_COMPLETED,
    ]


@pytest.mark.parametrize(
    "command",
    [
        requested(),
        operation(),
        check("RUNNING", "2026-03-02T08:01:00.000Z"),
    ],
    ids=["requested", "operation", "check"],
)
def test_a_retried_command_changes_nothing(ledger: SqlDeletionLedger, command: dict[str, Any]) -> None:
    # Given the steps up to and including the command, applied once
    run(ledger, requested())
    run(ledger, operation())
    first = run(ledger, check("RUNNING", "2026-03-02T08:01:00.000Z"))
    events_before = ledger.events(EXECUTION)

    # When the state machine retries one of them (same input, as Retry and redrive resend it)
    again = run(ledger, command)

    # Then neither the row nor the audit trail changes
    assert again == first
    assert ledger.events(EXECUTION) == events_before


def test_nothing_to_delete_is_completed_with_its_note(ledger: SqlDeletionLedger) -> None:
    # Given a deletion for which the vendor had nothing
    run(ledger, requested())

    # When it is completed with a note
    note = "NOTHING_TO_DELETE: the vendor holds no data for this customer"
    run(
        ledger,
        {
            "command": "RECORD_COMPLETED",
            "executionName": EXECUTION,
            "completedAt": "2026-03-02T08:00:01Z",
            "note": note,
            "recordedAt": "2026-03-02T08:00:01Z",
        },
    )

    # Then the completed row and its event carry the note
    record = ledger.find(EXECUTION)
    assert record is not None and record.state is DeletionState.COMPLETED and record.note == note
    assert ledger.events(EXECUTION)[-1].detail == {"note": note}


def test_a_failure_moves_the_row_with_its_kind_and_reason(ledger: SqlDeletionLedger) -> None:
    # Given a pending deletion
    run(ledger, requested())

    # When it fails as timed out
    result = run(
        ledger,
        {
            "command": "RECORD_FAILED",
            "executionName": EXECUTION,
            "kind": "TIMED_OUT",
            "reason": "not completed by the deadline",
            "failedAt": "2026-03-05T08:00:00.000Z",
            "recordedAt": "2026-03-05T08:00:00.180Z",
        },
    )

    # Then the row is in deletion_failure with the kind, reason and time given
    assert result["state"] == "FAILED"
    record = ledger.find(EXECUTION)
    assert record is not None
    assert (record.failure_kind, record.failure_reason, record.failed_at) == (
        FailureKind.TIMED_OUT,
        "not completed by the deadline",
        T0 + timedelta(days=3),
    )


def failed(kind: str, failed_at: str = "2026-03-05T08:00:00.000Z") -> dict[str, Any]:
    return {
        "command": "RECORD_FAILED",
        "executionName": EXECUTION,
        "kind": kind,
        "reason": "something went wrong",
        "failedAt": failed_at,
        "recordedAt": failed_at,
    }


def changed(command: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """`command` with some fields replaced, or removed where the change is None."""
    return {key: value for key, value in (command | changes).items() if value is not None}


def test_every_time_in_the_audit_trail_is_the_one_the_state_machine_sent(ledger: SqlDeletionLedger) -> None:
    # Given commands whose step times and Record* entered times all differ (none of them is "now")
    run(ledger, requested(at="2026-03-02T08:00:00Z", recorded_at="2026-03-02T08:00:00.250Z"))
    run(ledger, operation(recorded_at="2026-03-02T08:00:01.500Z"))
    run(ledger, check("RUNNING", "2026-03-02T08:01:00.000Z", recorded_at="2026-03-02T08:01:00.800Z"))

    # When the deletion fails
    run(ledger, changed(failed("INTERNAL_ERROR", "2026-03-02T08:01:02Z"), recordedAt="2026-03-02T08:01:03Z"))

    # Then each event occurred and was recorded exactly when the commands say
    times = [(event.occurred_at, event.recorded_at) for event in ledger.events(EXECUTION)]
    ms = timedelta(milliseconds=1)
    assert times == [
        (T0, T0 + 250 * ms),
        (T0 + 1500 * ms, T0 + 1500 * ms),
        (T0 + timedelta(minutes=1), T0 + timedelta(minutes=1) + 800 * ms),
        (T0 + timedelta(minutes=1, seconds=2), T0 + timedelta(minutes=1, seconds=3)),
    ]


def test_the_revocation_cause_is_recorded_and_kept_when_the_deletion_fails(ledger: SqlDeletionLedger) -> None:
    # Given a deletion opened for a deleted customer from a given stream record
    opened = run(ledger, requested())

    # When one of our own steps fails and the failure is recorded as an internal error
    run(ledger, failed("INTERNAL_ERROR"))

    # Then the failed row still names the reason and the stream record, and the kind is ours, not the vendor's
    record = ledger.find(EXECUTION)
    assert opened["state"] == "PENDING" and record is not None
    assert (record.revocation_reason, record.source_event_id) == (
        RevocationReason.CUSTOMER_DELETED,
        "stream-event-7",
    )
    assert (record.state, record.failure_kind) == (DeletionState.FAILED, FailureKind.INTERNAL_ERROR)
    assert ledger.events(EXECUTION)[0].detail == {
        "requested_at": "2026-03-02T08:00:00+00:00",
        "reason": "CUSTOMER_DELETED",
        "source_event_id": "stream-event-7",
    }


@pytest.mark.parametrize(
    "event",
    [
        {"command": "RECORD_EVERYTHING", "executionName": EXECUTION},
        changed(requested(), requestedAt="2026-03-02T08:00:00"),
        changed(failed("TIMED_OUT"), kind="BORED"),
        changed(operation(), executionName=""),
        changed(operation(), recordedAt=None),
        changed(check("RUNNING", "2026-03-02T08:01:00Z"), recordedAt="2026-03-02T08:01:00"),
        changed(requested(), reason="CHANGED_MIND"),
        changed(requested(), sourceEventId=None),
    ],
    ids=[
        "unknown-command",
        "naive-time",
        "unknown-kind",
        "empty-name",
        "no-recorded-at",
        "naive-recorded-at",
        "unknown-reason",
        "no-source-event",
    ],
)
def test_the_handler_refuses_malformed_commands_by_name(
    ledger: SqlDeletionLedger, monkeypatch: pytest.MonkeyPatch, event: dict[str, Any]
) -> None:
    # Given the handler on an in-memory ledger
    monkeypatch.setattr(ledger_handler, "deletion_ledger", lambda: ledger)

    # When it receives a malformed command, Then it raises the error the state machine catches
    with pytest.raises(InvalidLedgerCommand):
        ledger_handler.handler(event, LambdaContextStub())


def test_the_handler_applies_a_command_and_returns_json(
    ledger: SqlDeletionLedger, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the handler on an in-memory ledger
    monkeypatch.setattr(ledger_handler, "deletion_ledger", lambda: ledger)

    # When the state machine records a request
    output = ledger_handler.handler(requested(), LambdaContextStub())

    # Then the output is the JSON description of the new pending row
    assert output == {
        "executionName": EXECUTION,
        "state": "PENDING",
        "operationId": None,
        "checkCount": 0,
        "lastStatus": None,
    }


def test_connection_trouble_becomes_ledger_unavailable() -> None:
    # Given a database that cannot be reached, When a command runs into it, Then the retried error is raised
    with pytest.raises(LedgerUnavailable), database_errors_as_ledger_unavailable():
        raise OperationalError("SELECT 1", {}, ConnectionRefusedError("refused"))


def test_integrity_errors_keep_their_own_name() -> None:
    # Given an error no retry can fix, When it happens, Then it is not disguised as a transient one
    with pytest.raises(IntegrityError), database_errors_as_ledger_unavailable():
        raise IntegrityError("INSERT", {}, ValueError("duplicate"))


@pytest.mark.parametrize(
    "customer_id", ["c" * 2048, "\u00e9" * 1024], ids=["2048-ascii", "2048-bytes-2-byte"]
)
def test_a_customer_id_as_long_as_a_dynamodb_key_is_recorded(
    ledger: SqlDeletionLedger, customer_id: str
) -> None:
    # Given a revocation of a customer whose id is 2,048 bytes, DynamoDB's limit for a key
    # When the request and the vendor's longest operation id are recorded
    run(ledger, {**requested(), "customerId": customer_id})
    run(ledger, {**operation(), "operationId": "o" * 512})

    # Then the ledger holds the deletion under that customer
    record = ledger.find(EXECUTION)
    assert record is not None and record.customer_id == customer_id


@pytest.mark.parametrize("customer_id", ["c" * 2049, "\u00e9" * 1024 + "c"], ids=["2049-ascii", "2049-bytes"])
def test_a_customer_id_longer_than_a_dynamodb_key_is_refused_by_name(
    ledger: SqlDeletionLedger, monkeypatch: pytest.MonkeyPatch, customer_id: str
) -> None:
    # Given the handler on an in-memory ledger
    monkeypatch.setattr(ledger_handler, "deletion_ledger", lambda: ledger)

    # When it is asked to record a customer id no DynamoDB key can hold, Then it refuses the command
    with pytest.raises(InvalidLedgerCommand, match="2048 bytes"):
        ledger_handler.handler({**requested(), "customerId": customer_id}, LambdaContextStub())


@pytest.fixture
def ledger_log() -> Iterator[Callable[[], list[dict[str, Any]]]]:
    """The ledger tasks logger's lines since the last read, parsed (it writes to stdout otherwise)."""
    handler = ledger_handler.logger.registered_handler
    assert isinstance(handler, logging.StreamHandler)
    original = handler.setStream(io.StringIO())

    def read() -> list[dict[str, Any]]:
        text = handler.setStream(io.StringIO()).getvalue()
        return [json.loads(line) for line in text.splitlines() if line.startswith("{")]

    yield read
    handler.setStream(original)


def test_the_handler_does_not_label_the_next_invocation_with_the_previous_command(
    ledger: SqlDeletionLedger,
    monkeypatch: pytest.MonkeyPatch,
    ledger_log: Callable[[], list[dict[str, Any]]],
) -> None:
    # Given the handler on an in-memory ledger, logging a line as each command arrives (as Powertools' event
    # log or a library's warning would, before the handler has read the command's execution)
    monkeypatch.setattr(ledger_handler, "deletion_ledger", lambda: ledger)

    def parse_after_logging_the_arrival(*args: Any, **kwargs: Any) -> Any:
        ledger_handler.logger.info("Ledger command received")
        return parse_event(*args, **kwargs)

    monkeypatch.setattr(ledger_handler, "parse_event", parse_after_logging_the_arrival)
    # And an invocation that recorded a request, its lines labelled with the execution and the command
    ledger_handler.handler(requested(), LambdaContextStub())
    first = ledger_log()
    assert (first[-1]["correlation_id"], first[-1]["command"]) == (EXECUTION, "RECORD_REQUESTED")

    # When the next invocation in the same environment receives a command without its execution
    with pytest.raises(InvalidLedgerCommand):
        ledger_handler.handler({"command": "RECORD_OPERATION"}, LambdaContextStub())

    # Then none of its lines speaks for the previous execution or command
    second = ledger_log()
    assert [line["message"] for line in second] == ["Ledger command received"]
    assert [(line.get("correlation_id"), line.get("command")) for line in second] == [(None, None)]
