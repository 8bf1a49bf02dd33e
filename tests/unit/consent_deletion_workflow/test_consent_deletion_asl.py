"""The ConsentDeletion definition's structure: substitutions, Retry and Catch, failure paths, the alert."""

from __future__ import annotations

import json
from typing import Any

import jsonata
import pytest

from functions.consent_deletion.alert_mailer.models import AlertKind, DeletionAlert
from functions.consent_deletion.ledger import FailureKind
from tests.unit.consent_deletion_workflow.asl_model import (
    LAMBDA_SERVICE_ERRORS,
    PLACEHOLDER,
    SUBSTITUTIONS,
    definition,
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
    failures = [
        assign["failure"]
        for state in STATES.values()
        for holder in [state, *state.get("Choices", []), *state.get("Catch", [])]
        for assign in [holder.get("Assign", {})]
        if isinstance(assign.get("failure"), dict)
    ]
    assert len(failures) >= 10
    for failure in failures:
        assert AlertKind(failure["alertKind"])
        assert failure.get("kind") is None or FailureKind(failure["kind"])
        assert failure["error"] in STATES and STATES[failure["error"]]["Type"] == "Fail"


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
