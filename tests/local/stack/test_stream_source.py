"""A table stream feeding a function like a Lambda event source mapping: filters, batches, retries."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from moto.dynamodbstreams.models import dynamodbstreams_backends

from catalog.model import StreamSource
from local.engine import VirtualClock
from local.stack.aws_services import EmbeddedAwsServices
from local.stack.config import ACCOUNT_ID
from local.stack.functions import FunctionError
from local.stack.triggers.stream_source import StreamSourceDelivery
from tests.local.stack.fakes import RecordingFunction, StubServices, StubSqs, StubStreams

STREAM_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/T/stream/2026-01-01T00:00:00.000"
ONLY_REMOVALS = ({"eventName": ["REMOVE"]},)
STACK_START = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def position_file(tmp_path: Path) -> Path:
    return tmp_path / "stream-position.json"


def _record(sequence: int, event_name: str = "REMOVE", created: datetime = STACK_START) -> dict[str, Any]:
    return {
        "eventID": f"event-{sequence}",
        "eventName": event_name,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "dynamodb": {
            "ApproximateCreationDateTime": created,
            "Keys": {"customerId": {"S": f"C-{sequence}"}},
            "SequenceNumber": str(sequence),
            "SizeBytes": 10,
            "StreamViewType": "NEW_AND_OLD_IMAGES",
        },
    }


def _delivery(
    records: list[dict[str, Any]],
    function: RecordingFunction,
    position_file: Path,
    *,
    batch_size: int = 10,
    retries: int = 2,
    clock: VirtualClock | None = None,
) -> tuple[StreamSourceDelivery, StubSqs]:
    sqs = StubSqs()
    source = StreamSource(
        table="T",
        function="F",
        filter_patterns=ONLY_REMOVALS,
        failure_queue="Q",
        batch_size=batch_size,
        maximum_retry_attempts=retries,
    )
    delivery = StreamSourceDelivery(
        source=source,
        stream_arn=STREAM_ARN,
        function=function,  # type: ignore[arg-type]
        failure_queue_url="http://queue",
        services=StubServices({"dynamodbstreams": StubStreams(records), "sqs": sqs}),  # type: ignore[arg-type]
        clock=clock or VirtualClock(start=STACK_START),
        position_file=position_file,
    )
    return delivery, sqs


def _sequences(event: dict[str, Any]) -> list[str]:
    return [record["dynamodb"]["SequenceNumber"] for record in event["Records"]]


def test_only_matching_records_are_delivered_in_batches_shaped_like_lambda_events(
    position_file: Path,
) -> None:
    # Given three removals and a modification, and batches of two
    function = RecordingFunction()
    records = [_record(1), _record(2, "MODIFY"), _record(3), _record(4)]
    delivery, sqs = _delivery(records, function, position_file, batch_size=2)

    # When the stream is polled
    delivery.poll()

    # Then the removals arrive in order, two per invocation, as Lambda shapes them
    assert [_sequences(event) for event in function.events] == [["1", "3"], ["4"]]
    first = function.events[0]["Records"][0]
    assert first["eventSourceARN"] == STREAM_ARN
    assert isinstance(first["dynamodb"]["ApproximateCreationDateTime"], float)
    json.dumps(function.events)  # what a handler gets is plain JSON
    assert sqs.sent == []


def test_a_reported_item_failure_is_retried_from_that_record_on(position_file: Path) -> None:
    # Given a function that reports record 2 as failed once
    def fail_record_2_once(event: dict[str, Any]) -> dict[str, Any]:
        if _sequences(event)[:2] == ["1", "2"]:
            return {"batchItemFailures": [{"itemIdentifier": "2"}]}
        return {"batchItemFailures": []}

    function = RecordingFunction(answer=fail_record_2_once)
    delivery, sqs = _delivery([_record(1), _record(2), _record(3)], function, position_file)

    # When the stream is polled
    delivery.poll()

    # Then the retry starts at record 2, and nothing is given up
    assert [_sequences(event) for event in function.events] == [["1", "2", "3"], ["2", "3"]]
    assert sqs.sent == []


def test_a_record_that_always_fails_is_noted_in_the_failure_queue_after_the_retries(
    position_file: Path,
) -> None:
    # Given a function that always raises
    def always_fail(event: dict[str, Any]) -> None:
        raise FunctionError("Test-Function", "RuntimeError", "boom")

    function = RecordingFunction(answer=always_fail)
    delivery, sqs = _delivery([_record(7)], function, position_file, retries=2)

    # When the stream is polled
    delivery.poll()

    # Then it was tried once and retried twice, then noted (shard and sequence numbers) in the failure queue
    assert len(function.events) == 3
    assert len(sqs.sent) == 1
    note = json.loads(sqs.sent[0]["MessageBody"])
    assert note["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert note["DDBStreamBatchInfo"]["startSequenceNumber"] == "7"
    assert note["DDBStreamBatchInfo"]["streamArn"] == STREAM_ARN


def test_a_batch_whose_invocation_raises_is_split_in_half(position_file: Path) -> None:
    # Given a function that raises whenever record 2 is in the batch
    def fail_with_record_2(event: dict[str, Any]) -> None:
        if "2" in _sequences(event):
            raise FunctionError("Test-Function", "RuntimeError", "poison record")

    function = RecordingFunction(answer=fail_with_record_2)
    delivery, sqs = _delivery([_record(1), _record(2)], function, position_file, retries=0)

    # When the stream is polled
    delivery.poll()

    # Then the halves are tried on their own: record 1 goes through, record 2 alone is given up
    assert [_sequences(event) for event in function.events] == [["1", "2"], ["1"], ["2"]]
    assert [
        json.loads(message["MessageBody"])["DDBStreamBatchInfo"]["startSequenceNumber"]
        for message in sqs.sent
    ] == ["2"]


def test_a_restarted_delivery_resumes_after_the_last_record_it_finished(position_file: Path) -> None:
    # Given a delivery that has dealt with records 1 to 3 (one of them filtered out)
    first = RecordingFunction()
    delivery, _ = _delivery([_record(1), _record(2, "MODIFY"), _record(3)], first, position_file)
    delivery.poll()

    # When a new delivery (a restarted stack) reads the same stream from its start, with one more record
    second = RecordingFunction()
    records = [_record(1), _record(2, "MODIFY"), _record(3), _record(4)]
    restarted, _ = _delivery(records, second, position_file)
    restarted.poll()

    # Then only the record it had not finished is delivered
    assert [_sequences(event) for event in first.events] == [["1", "3"]]
    assert [_sequences(event) for event in second.events] == [["4"]]


def test_a_failing_record_is_given_up_once_it_is_too_old_on_the_stack_clock(position_file: Path) -> None:
    # Given a function that always fails, many retries allowed, and a record created at the stack's start
    def always_fail(event: dict[str, Any]) -> None:
        raise FunctionError("Test-Function", "RuntimeError", "boom")

    clock = VirtualClock(start=STACK_START)
    function = RecordingFunction(answer=always_fail)
    delivery, sqs = _delivery([_record(5)], function, position_file, retries=10_000, clock=clock)

    # When the stack's clock is two days past the record's creation (the catalog's maximum age is less)
    clock.advance(timedelta(days=2).total_seconds())
    delivery.poll()

    # Then it is given up after its first attempt, although the wall clock has barely moved
    assert len(function.events) == 1
    note = json.loads(sqs.sent[0]["MessageBody"])
    assert note["DDBStreamBatchInfo"]["startSequenceNumber"] == "5"
    assert note["timestamp"].startswith("2026-01-03")


def test_polling_a_real_stream_keeps_one_shard_iterator_however_long_it_runs(position_file: Path) -> None:
    # Given the embedded AWS services with a table whose stream has one change, and a delivery reading it
    services = EmbeddedAwsServices(host="127.0.0.1", port=0, clock=VirtualClock(start=STACK_START).now)
    services.start()
    try:
        dynamodb = services.client("dynamodb")
        stream_arn = dynamodb.create_table(
            TableName="T",
            KeySchema=[{"AttributeName": "customerId", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "customerId", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        )["TableDescription"]["LatestStreamArn"]
        dynamodb.put_item(TableName="T", Item={"customerId": {"S": "C-1"}})
        dynamodb.delete_item(TableName="T", Key={"customerId": {"S": "C-1"}})
        function = RecordingFunction()
        delivery = StreamSourceDelivery(
            source=StreamSource(table="T", function="F", filter_patterns=ONLY_REMOVALS, failure_queue="Q"),
            stream_arn=stream_arn,
            function=function,  # type: ignore[arg-type]
            failure_queue_url="http://queue",
            services=services,
            clock=VirtualClock(start=STACK_START),
            position_file=position_file,
        )

        # When it polls a hundred times, as a stack that runs for a while does
        for _ in range(100):
            delivery.poll()

        # Then the removal was delivered once, and moto holds only the iterator of the next read
        delivered = [record["eventName"] for event in function.events for record in event["Records"]]
        assert delivered == ["REMOVE"]
        held = [len(backend.shard_iterators) for backend in dynamodbstreams_backends[ACCOUNT_ID].values()]
        assert sum(held) == 1
    finally:
        services.close()
