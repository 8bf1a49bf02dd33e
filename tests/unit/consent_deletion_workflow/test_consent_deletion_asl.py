"""The ConsentDeletion definition's structure: substitutions, Retry and Catch, failure paths, the alert."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import jsonata
import pytest

from functions.consent_deletion.alert_mailer.models import AlertKind, DeletionAlert
from functions.consent_deletion.ledger import FailureKind
from functions.consent_deletion.ledger_tasks.models import LEDGER_COMMAND, RecordRequested
from functions.consent_deletion.revocation import RevocationReason
from functions.consent_deletion.stream_trigger.models import ConsentDeletionInput
from tests.unit.consent_deletion_workflow.asl_model import (
    LAMBDA_SERVICE_ERRORS,
    PLACEHOLDER,
    SUBSTITUTIONS,
    definition,
    evaluate_template,
    expressions,
    raw_text,
    reachable,
)

DEFINITION = definition()
STATES: dict[str, Any] = DEFINITION["States"]
TASKS = {name: state for name, state in STATES.items() if state["Type"] == "Task"}
FAILURE_ENTRY_STATES = ("RecordDeletionFailed", "RecordDeletionTimedOut", "AlertTechnicalContact")
# How far past the deadline the execution must be allowed to run: the last check, the ledger write and
# the alert, each with their retries, with room to spare.
TIMEOUT_MARGIN_SECONDS = 12 * 3600
RECORD_STATES = sorted(
    name
    for name, state in TASKS.items()
    if state["Arguments"].get("FunctionName") == SUBSTITUTIONS["LedgerTasksFunctionArn"]
)
# The ledger's failure kind for each way the execution can fail. Our own faults are INTERNAL_ERROR, so the
# ledger never blames the vendor for them; None where no failure row is written (nothing to fail, or the
# vendor already completed the deletion).
FAILURE_KIND_BY_ERROR: dict[str, set[FailureKind | None]] = {
    "DeletionFailed": {FailureKind.FAILED},
    "DeletionTimedOut": {FailureKind.TIMED_OUT},
    "VendorRejected": {FailureKind.REJECTED},
    "VendorContractChanged": {FailureKind.CONTRACT_ERROR},
    "VendorUnavailable": {FailureKind.UNAVAILABLE},
    "DeletionTaskFailed": {FailureKind.INTERNAL_ERROR},
    "LedgerWriteFailed": {FailureKind.INTERNAL_ERROR, None},
}


def test_every_substitution_is_used_and_no_other_exists() -> None:
    # Given the committed definition, When its placeholders are collected, Then they are the documented ones
    assert set(PLACEHOLDER.findall(raw_text())) == set(SUBSTITUTIONS)


def test_the_definition_uses_jsonata_and_times_out_after_the_deadline() -> None:
    # Given the substituted definition, Then it is JSONata and its timeout leaves room after the deadline
    assert DEFINITION["QueryLanguage"] == "JSONata"
    deadline = int(SUBSTITUTIONS["DeletionDeadlineSeconds"])
    assert DEFINITION["TimeoutSeconds"] >= deadline + TIMEOUT_MARGIN_SECONDS


def test_every_state_is_reachable_and_every_target_exists() -> None:
    # Given the states, When the graph is walked from StartAt, Then it reaches all of them
    assert reachable(STATES, DEFINITION["StartAt"]) == set(STATES)


def test_every_jsonata_expression_compiles() -> None:
    # Given every {% %} expression of the substituted definition, When compiled, Then none is malformed
    found = list(expressions(DEFINITION))
    assert len(found) > 40
    for expression in found:
        jsonata.Jsonata(expression)


@pytest.mark.parametrize("name", sorted(TASKS))
def test_every_task_retries_with_full_jitter_and_catches_everything(name: str) -> None:
    # Given a Task state
    state = TASKS[name]

    # Then it retries with backoff and full jitter, and its last catcher takes every error
    assert state["Retry"], f"{name} has no Retry"
    for retrier in state["Retry"]:
        assert retrier["JitterStrategy"] == "FULL"
        assert retrier["BackoffRate"] > 1 and retrier["MaxDelaySeconds"] >= retrier["IntervalSeconds"]
    assert state["Catch"][-1]["ErrorEquals"] == ["States.ALL"]


@pytest.mark.parametrize(
    "name", sorted(n for n, s in TASKS.items() if s["Resource"].endswith(":lambda:invoke"))
)
def test_every_lambda_task_retries_lambda_service_errors(name: str) -> None:
    # Given a Lambda task, Then its first retrier covers Lambda's own transient errors and throttling
    assert set(TASKS[name]["Retry"][0]["ErrorEquals"]) == LAMBDA_SERVICE_ERRORS


@pytest.mark.parametrize("name", ["RequestDeletion", "CheckDeletionStatus"])
def test_vendor_rejections_and_contract_errors_are_caught_never_retried(name: str) -> None:
    # Given a vendor task
    state = TASKS[name]
    retried = {error for retrier in state["Retry"] for error in retrier["ErrorEquals"]}
    caught = {error: catcher for catcher in state["Catch"] for error in catcher["ErrorEquals"]}

    # Then rejections and contract errors go straight to the failure path with their own kinds
    assert not retried & {"ThirdPartyRejected", "ThirdPartyContractError", "States.ALL", "States.TaskFailed"}
    assert "ThirdPartyUnavailable" in retried
    for error, kind, alert in [
        ("ThirdPartyRejected", FailureKind.REJECTED, AlertKind.VENDOR_REJECTED),
        ("ThirdPartyContractError", FailureKind.CONTRACT_ERROR, AlertKind.VENDOR_CONTRACT_CHANGED),
    ]:
        failure = caught[error]["Assign"]["failure"]
        assert caught[error]["Next"] == "RecordDeletionFailed"
        assert (failure["kind"], failure["alertKind"]) == (kind.value, alert.value)


def test_every_fail_state_has_a_literal_error_named_like_the_state() -> None:
    # Given the Fail states, Then each names its error plainly (no expression) after itself
    fails = {name: state for name, state in STATES.items() if state["Type"] == "Fail"}
    assert "DeletionTimedOut" in fails
    for name, state in fails.items():
        assert state["Error"] == name


def test_failure_paths_end_only_in_fail_states() -> None:
    # Given every state a failure can enter by, and every catch-all catcher's target
    entries = list(FAILURE_ENTRY_STATES)
    entries += [state["Catch"][-1]["Next"] for state in TASKS.values()]

    # When everything reachable from them is collected, Then no Succeed is among it and every end is a Fail
    for entry in entries:
        ends = {name for name in reachable(STATES, entry) if STATES[name]["Type"] in ("Succeed", "Fail")}
        assert ends and all(STATES[name]["Type"] == "Fail" for name in ends), entry


def test_every_failure_kind_recorded_is_one_the_ledger_knows() -> None:
    # Given every failure assigned anywhere, Then its ledger kind and alert kind exist
    failures = _assigned_failures()
    assert len(failures) >= 10
    for failure in failures:
        assert AlertKind(failure["alertKind"])
        assert failure.get("kind") is None or FailureKind(failure["kind"])
        assert failure["error"] in STATES and STATES[failure["error"]]["Type"] == "Fail"


def _assigned_failures() -> list[dict[str, Any]]:
    return [
        assign["failure"]
        for state in STATES.values()
        for holder in [state, *state.get("Choices", []), *state.get("Catch", [])]
        for assign in [holder.get("Assign", {})]
        if isinstance(assign.get("failure"), dict)
    ]


def test_our_own_failures_are_recorded_as_internal_errors_and_the_vendors_by_their_kind() -> None:
    # Given every failure assigned anywhere, with the Fail state ChooseFailure will end in
    failures = _assigned_failures()

    # Then the kind RecordDeletionFailed passes to the ledger is the one that failure calls for
    assert {failure["error"] for failure in failures} == set(FAILURE_KIND_BY_ERROR)
    for failure in failures:
        kind = FailureKind(failure["kind"]) if "kind" in failure else None
        assert kind in FAILURE_KIND_BY_ERROR[failure["error"]], failure
    # And every failure that goes to RecordDeletionFailed has a kind to record
    to_record = [
        catcher["Assign"]["failure"]
        for state in TASKS.values()
        for catcher in state.get("Catch", [])
        if catcher["Next"] == "RecordDeletionFailed"
    ]
    assert to_record and all("kind" in failure for failure in to_record)


def _record_state_bindings() -> dict[str, Any]:
    """What a Record* state sees: the execution, its own entered time, and the workflow variables."""
    execution_input = {
        "customerId": "c-7",
        "revokedAt": "2026-03-02T08:00:00Z",
        "reason": "CONSENT_REVOKED",
        "sourceEventId": "stream-event-7",
    }
    return {
        "states": {
            "input": execution_input,
            "context": {
                "Execution": {"Name": "c-7-abc", "Input": execution_input},
                "State": {"EnteredTime": "2026-03-02T08:05:00.123Z"},
            },
        },
        "operationId": "op-1",
        "check": {"status": "IN_PROGRESS", "vendorStatus": "RUNNING", "checkedAt": "2026-03-02T08:04:59.9Z"},
        "completionNote": None,
        "failure": {"kind": "INTERNAL_ERROR", "cause": "boom", "detectedAt": "2026-03-02T08:04:59Z"},
    }


@pytest.mark.parametrize("name", RECORD_STATES)
def test_every_ledger_command_carries_the_state_machines_own_time(name: str) -> None:
    # Given a Record* state's payload, evaluated as the state would evaluate it
    payload = evaluate_template(TASKS[name]["Arguments"]["Payload"], _record_state_bindings())

    # When the ledger tasks function parses it
    command = LEDGER_COMMAND.validate_python(payload)

    # Then it is a valid command whose recording time is the state's entered time (the same on every retry)
    assert command.recorded_at.isoformat() == "2026-03-02T08:05:00.123000+00:00"
    assert command.execution_name == "c-7-abc"


@pytest.mark.parametrize("reason", list(RevocationReason))
def test_the_requested_command_carries_the_revocation_the_stream_trigger_starts_with(
    reason: RevocationReason,
) -> None:
    # Given an execution input exactly as the stream trigger builds it
    execution_input = json.loads(
        ConsentDeletionInput(
            customer_id="c-7",
            revoked_at=datetime(2026, 3, 2, 8, 0, tzinfo=UTC),
            reason=reason,
            source_event_id="stream-event-7",
        ).to_json()
    )
    bindings = _record_state_bindings()
    bindings["states"] |= {"input": execution_input}

    # When RecordDeletionRequested's payload is evaluated and parsed by the ledger tasks function
    payload = evaluate_template(TASKS["RecordDeletionRequested"]["Arguments"]["Payload"], bindings)
    command = LEDGER_COMMAND.validate_python(payload)

    # Then the ledger is told the same reason and stream event
    assert isinstance(command, RecordRequested)
    assert (command.reason.value, command.source_event_id) == (reason.value, "stream-event-7")


def test_the_alert_message_is_what_the_mailer_reads() -> None:
    # Given the values AlertTechnicalContact sees on the timeout path
    arguments = STATES["AlertTechnicalContact"]["Arguments"]
    bindings = {
        "states": {
            "input": {},
            "context": {
                "Execution": {
                    "Id": "arn:aws:states:eu-west-1:123456789012:execution:ConsentDeletion:c-7-abc",
                    "Name": "c-7-abc",
                    "Input": {"customerId": "c-7", "revokedAt": "2026-03-02T08:00:00Z"},
                }
            },
        },
        "operationId": "op-1",
        "failure": {
            "error": "DeletionTimedOut",
            "kind": "TIMED_OUT",
            "alertKind": "DELETION_TIMED_OUT",
            "cause": "not done",
            "detectedAt": "2026-03-05T08:00:00.000Z",
        },
    }

    # When the message expression is evaluated
    message = jsonata.Jsonata(next(expressions(arguments["Message"]))).evaluate(None, bindings)

    # Then it is exactly the mailer's alert, and the topic is the substituted one
    alert = DeletionAlert.model_validate(json.loads(message))
    assert set(json.loads(message)) == {
        "kind",
        "customerId",
        "operationId",
        "executionArn",
        "executionName",
        "requestedAt",
        "detectedAt",
        "error",
        "cause",
    }
    assert (alert.kind, alert.operation_id, alert.error) == (
        AlertKind.DELETION_TIMED_OUT,
        "op-1",
        "DeletionTimedOut",
    )
    assert arguments["TopicArn"] == SUBSTITUTIONS["AlertTopicArn"]
