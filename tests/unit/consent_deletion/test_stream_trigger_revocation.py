"""The revocation rule, its Lambda filter patterns, and how a stream record becomes an execution."""

from __future__ import annotations

import itertools
import json
from decimal import Decimal
from typing import Any

import pytest
from aws_lambda_powertools.utilities.parser.models import DynamoDBStreamRecordModel
from moto.events.models import EventPattern

from functions.consent_deletion.revocation import RevocationReason
from functions.consent_deletion.stream_trigger.errors import (
    ExecutionAlreadyExists,
    ExecutionNameConflict,
    UnparseableRecord,
)
from functions.consent_deletion.stream_trigger.execution_name import VALID_EXECUTION_NAME
from functions.consent_deletion.stream_trigger.logic import (
    REVOCATION_FILTER_CRITERIA,
    REVOCATION_FILTER_PATTERNS,
    is_revocation,
    revocation_execution_name,
    revocation_reason,
    start_deletion,
)
from functions.consent_deletion.stream_trigger.models import CustomerChange, StartOutcome

STREAM_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/Customers/stream/2024-01-01T00:00:00.000"
ABSENT = object()

# Every way an item can hold analyticsConsent, as DynamoDB JSON and as deserialised Python.
CONSENT_VALUES: dict[str, tuple[dict[str, Any] | object, object]] = {
    "true": ({"BOOL": True}, True),
    "false": ({"BOOL": False}, False),
    "absent": (ABSENT, ABSENT),
    "null": ({"NULL": True}, None),
    "string-true": ({"S": "true"}, "true"),
    "number-one": ({"N": "1"}, Decimal(1)),
}
NOT_CONSENTING = [name for name in CONSENT_VALUES if name != "true"]

# (eventName, consent in the old image, consent in the new image); None means no such image.
Shape = tuple[str, str | None, str | None]

# The specification: these changes, and only these, revoke consent.
REVOCATIONS: dict[Shape, RevocationReason] = {
    ("MODIFY", "true", new): RevocationReason.CONSENT_REVOKED for new in NOT_CONSENTING
} | {("REMOVE", "true", None): RevocationReason.CUSTOMER_DELETED}


def _stream_shapes() -> list[Shape]:
    """Every (eventName, old consent, new consent) a NEW_AND_OLD_IMAGES stream can produce."""
    inserts: list[Shape] = [("INSERT", None, new) for new in CONSENT_VALUES]
    modifies: list[Shape] = [
        ("MODIFY", old, new) for old, new in itertools.product(CONSENT_VALUES, CONSENT_VALUES)
    ]
    removes: list[Shape] = [("REMOVE", old, None) for old in CONSENT_VALUES]
    return inserts + modifies + removes


def _python_image(consent: str | None) -> dict[str, Any] | None:
    if consent is None:
        return None
    value = CONSENT_VALUES[consent][1]
    return {"customerId": "c-1"} | ({} if value is ABSENT else {"analyticsConsent": value})


def _dynamodb_image(consent: str) -> dict[str, Any]:
    value = CONSENT_VALUES[consent][0]
    return {"customerId": {"S": "c-1"}} | ({} if value is ABSENT else {"analyticsConsent": value})


def _lambda_record(
    event_name: str, old: str | None, new: str | None, *, event_id: str = "event-1"
) -> dict[str, Any]:
    change: dict[str, Any] = {
        "ApproximateCreationDateTime": 1700000000.0,
        "Keys": {"customerId": {"S": "c-1"}},
        "SequenceNumber": "100",
        "SizeBytes": 60,
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    if old is not None:
        change["OldImage"] = _dynamodb_image(old)
    if new is not None:
        change["NewImage"] = _dynamodb_image(new)
    return {
        "eventID": event_id,
        "eventName": event_name,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "eventSourceARN": STREAM_ARN,
        "dynamodb": change,
    }


def _change(record: dict[str, Any]) -> CustomerChange:
    return CustomerChange.from_stream_record(DynamoDBStreamRecordModel.model_validate(record))


@pytest.mark.parametrize(("event_name", "old", "new"), _stream_shapes())
def test_predicate_matches_the_specification(event_name: str, old: str | None, new: str | None) -> None:
    # Given a change of one of the shapes the stream produces
    old_image, new_image = _python_image(old), _python_image(new)

    # When the predicate classifies it
    reason = revocation_reason(event_name, old_image, new_image)

    # Then it is a revocation exactly when the specification lists it, for the listed reason
    expected = REVOCATIONS.get((event_name, old, new))
    assert reason == expected
    assert is_revocation(event_name, old_image, new_image) is (expected is not None)


@pytest.mark.parametrize(("event_name", "old", "new"), _stream_shapes())
def test_filter_patterns_agree_with_the_predicate(event_name: str, old: str | None, new: str | None) -> None:
    # Given the Lambda-shaped stream record of the change
    record = _lambda_record(event_name, old, new)

    # When Lambda's filter (EventBridge pattern syntax, as moto evaluates it) and the handler's
    # predicate each judge the record
    patterns = [EventPattern.load(json.dumps(pattern)) for pattern in REVOCATION_FILTER_PATTERNS]
    passes_filter = any(pattern.matches_event(record) for pattern in patterns)  # type: ignore[arg-type]
    change = _change(record)

    # Then they agree: the filter lets through exactly the revocations
    assert passes_filter is is_revocation(change.event_name, change.old_image, change.new_image)


def test_filter_criteria_is_the_event_source_mapping_shape_of_the_patterns() -> None:
    # Given the FilterCriteria constant
    filters = REVOCATION_FILTER_CRITERIA["Filters"]

    # Then each filter's Pattern is the JSON text of one pattern, within Lambda's default quota of 5
    assert [json.loads(item["Pattern"]) for item in filters] == list(REVOCATION_FILTER_PATTERNS)
    assert 0 < len(filters) <= 5


class RecordingStarter:
    """An ExecutionStarter that remembers what it started and can pretend a name is taken."""

    def __init__(self, existing: dict[str, str | None] | None = None) -> None:
        self.existing = dict(existing or {})
        self.started: list[tuple[str, str]] = []

    def start(self, name: str, execution_input: str) -> str:
        arn = f"arn:aws:states:us-east-1:123456789012:execution:ConsentDeletion:{name}"
        if name in self.existing:
            raise ExecutionAlreadyExists(arn, self.existing[name])
        self.started.append((name, execution_input))
        return arn


def test_revocation_starts_one_execution_with_the_contract_input() -> None:
    # Given a record that revokes consent
    change = _change(_lambda_record("MODIFY", "true", "false", event_id="evt-42"))
    starter = RecordingStarter()

    # When the deletion is started
    outcome = start_deletion(change, starter)

    # Then one execution starts, named from customer and event, with the documented input
    assert outcome is StartOutcome.STARTED
    [(name, execution_input)] = starter.started
    assert name == revocation_execution_name("c-1", "evt-42")
    assert VALID_EXECUTION_NAME.fullmatch(name)
    assert json.loads(execution_input) == {
        "customerId": "c-1",
        "revokedAt": "2023-11-14T22:13:20Z",  # epoch 1700000000
        "reason": "CONSENT_REVOKED",
        "sourceEventId": "evt-42",
    }


def test_revoked_at_drops_fractions_of_a_second() -> None:
    # Given a record whose creation time has a fraction of a second
    record = _lambda_record("REMOVE", "true", None)
    record["dynamodb"]["ApproximateCreationDateTime"] = 1700000000.987
    starter = RecordingStarter()

    # When the deletion is started
    start_deletion(_change(record), starter)

    # Then revokedAt is whole seconds in UTC
    assert json.loads(starter.started[0][1])["revokedAt"] == "2023-11-14T22:13:20Z"


def test_change_that_is_no_revocation_starts_nothing() -> None:
    # Given a record that grants consent
    starter = RecordingStarter()

    # When it is handled
    outcome = start_deletion(_change(_lambda_record("MODIFY", "false", "true")), starter)

    # Then it is skipped
    assert outcome is StartOutcome.SKIPPED
    assert starter.started == []


def test_existing_execution_with_the_same_input_counts_as_started() -> None:
    # Given the execution for this record exists already (stored JSON formatted differently)
    change = _change(_lambda_record("REMOVE", "true", None, event_id="evt-7"))
    same_input = {
        "sourceEventId": "evt-7",
        "reason": "CUSTOMER_DELETED",
        "revokedAt": "2023-11-14T22:13:20Z",
        "customerId": "c-1",
    }
    name = revocation_execution_name("c-1", "evt-7")
    starter = RecordingStarter(existing={name: json.dumps(same_input, indent=2)})

    # When the redelivered record is handled
    outcome = start_deletion(change, starter)

    # Then it is a success and nothing new starts
    assert outcome is StartOutcome.ALREADY_STARTED
    assert starter.started == []


@pytest.mark.parametrize("existing_input", ['{"customerId": "someone-else"}', None, "not json"])
def test_existing_execution_with_another_input_is_a_conflict(existing_input: str | None) -> None:
    # Given an execution of the same name whose input is not this record's (or cannot be read)
    change = _change(_lambda_record("MODIFY", "true", "absent", event_id="evt-9"))
    starter = RecordingStarter(existing={revocation_execution_name("c-1", "evt-9"): existing_input})

    # When the record is handled / Then it fails with a named conflict
    with pytest.raises(ExecutionNameConflict):
        start_deletion(change, starter)


@pytest.mark.parametrize(
    "corrupt",
    [
        pytest.param(lambda record: record["dynamodb"].pop("ApproximateCreationDateTime"), id="no-time"),
        pytest.param(lambda record: record["dynamodb"].update(Keys={"customerId": {"N": "7"}}), id="number"),
        pytest.param(lambda record: record["dynamodb"].update(Keys={"id": {"S": "c-1"}}), id="other-key"),
        pytest.param(lambda record: record["dynamodb"].update(StreamViewType="KEYS_ONLY"), id="keys-only"),
    ],
)
def test_record_not_from_the_customers_stream_is_unparseable(corrupt: Any) -> None:
    # Given a revocation record with one part the Customers stream never produces
    record = _lambda_record("MODIFY", "true", "false")
    corrupt(record)
    parsed = DynamoDBStreamRecordModel.model_validate(record)

    # When it is turned into a change / Then it is refused with a named error
    with pytest.raises(UnparseableRecord):
        CustomerChange.from_stream_record(parsed)
