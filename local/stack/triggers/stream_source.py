"""A table's change stream feeding a function, as a Lambda event source mapping does it.

Records are read from the embedded DynamoDB Streams API, kept only when one of the filter patterns
matches (EventBridge pattern syntax, evaluated by moto's matcher), and delivered in batches of
`batch_size`. A batch whose invocation raises is split in half and retried; one whose answer lists
`batchItemFailures` is retried from the first failed record. After `maximum_retry_attempts` retries,
or once a record is older than `maximum_record_age_seconds` on the stack's clock, a note of the batch
goes to the failure queue (as Lambda's on-failure destination writes it) and the stream moves on.

Where the stream was read up to is kept in a file, written once the records read have been dealt with:
a restarted stack resumes after the last record it finished, so a record is never skipped, and one the
crash interrupted is delivered again (at-least-once, as Lambda's event source mappings do).
"""

from __future__ import annotations

import base64
import json
import logging
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from moto.events.models import EventPattern

from catalog.model import StreamSource
from local.durable_file import read_json, write_json_atomically
from local.engine.clock import Clock
from local.stack.aws_services import EmbeddedAwsServices
from local.stack.config import REGION
from local.stack.functions import CatalogFunction, FunctionError

if TYPE_CHECKING:
    from moto.events.models import EventMessageType

logger = logging.getLogger(__name__)
_MAX_RECORDS_PER_READ = 1000


class StreamSourceDelivery:
    """Polls one stream and invokes one function; `poll` is called by a `PollingLoop`."""

    def __init__(
        self,
        *,
        source: StreamSource,
        stream_arn: str,
        function: CatalogFunction,
        failure_queue_url: str,
        services: EmbeddedAwsServices,
        clock: Clock,
        position_file: Path,
    ) -> None:
        self._source = source
        self._clock = clock
        self._position_file = position_file
        self._finished_up_to: dict[str, int] = read_json(position_file) or {}
        """Shard id -> the sequence number of the last record dealt with."""
        self._stream_arn = stream_arn
        self._function = function
        self._failure_queue_url = failure_queue_url
        self._services = services
        self._streams = services.client("dynamodbstreams")
        self._sqs = services.client("sqs")
        self._patterns = [EventPattern.load(json.dumps(pattern)) for pattern in source.filter_patterns]
        self._iterators: dict[str, str] = {}

    def poll(self) -> None:
        """Read what each shard has gained since the last poll and deliver the matching records."""
        for shard_id in self._shard_ids():
            iterator = (
                self._iterators.get(shard_id)
                or self._streams.get_shard_iterator(
                    StreamArn=self._stream_arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON"
                )["ShardIterator"]
            )
            response = self._streams.get_records(ShardIterator=iterator, Limit=_MAX_RECORDS_PER_READ)
            self._services.discard_shard_iterator(iterator)
            self._iterators[shard_id] = response["NextShardIterator"]
            finished = self._finished_up_to.get(shard_id, -1)
            records = [
                _lambda_record(record, self._stream_arn)
                for record in response["Records"]
                if int(record["dynamodb"]["SequenceNumber"]) > finished
            ]
            matching = [record for record in records if self._matches(record)]
            size = self._source.batch_size
            for start in range(0, len(matching), size):
                self._deliver(shard_id, matching[start : start + size], attempt=1)
            if records:
                self._finish(shard_id, int(records[-1]["dynamodb"]["SequenceNumber"]))

    def _finish(self, shard_id: str, sequence_number: int) -> None:
        self._finished_up_to[shard_id] = sequence_number
        write_json_atomically(self._position_file, self._finished_up_to)

    def _shard_ids(self) -> list[str]:
        description = self._streams.describe_stream(StreamArn=self._stream_arn)["StreamDescription"]
        return [shard["ShardId"] for shard in description["Shards"]]

    def _matches(self, record: dict[str, Any]) -> bool:
        event = cast("EventMessageType", record)
        return not self._patterns or any(pattern.matches_event(event) for pattern in self._patterns)

    def _deliver(self, shard_id: str, batch: list[dict[str, Any]], attempt: int) -> None:
        while batch:
            failed_from: int | None = 0
            try:
                answer = self._function({"Records": batch})
            except FunctionError as error:  # the function's own logs have the details
                logger.error("A batch of %d stream record(s) was not processed: %s", len(batch), error)
                if len(batch) > 1:
                    middle = len(batch) // 2
                    self._deliver(shard_id, batch[:middle], attempt + 1)
                    self._deliver(shard_id, batch[middle:], attempt + 1)
                    return
            else:
                failed_from = _first_failure(batch, answer)
            if failed_from is None:
                return
            batch = batch[failed_from:]
            if attempt > self._source.maximum_retry_attempts or self._too_old(batch[0]):
                self._give_up(shard_id, batch, attempt)
                return
            attempt += 1

    def _too_old(self, record: dict[str, Any]) -> bool:
        now = self._clock.now().timestamp()
        created = record["dynamodb"].get("ApproximateCreationDateTime", now)
        return now - float(created) > self._source.maximum_record_age_seconds

    def _give_up(self, shard_id: str, batch: list[dict[str, Any]], attempts: int) -> None:
        first, last = batch[0]["dynamodb"], batch[-1]["dynamodb"]
        note = {
            "requestContext": {
                "requestId": str(uuid.uuid4()),
                "functionArn": self._function.arn,
                "condition": "RetryAttemptsExhausted",
                "approximateInvokeCount": attempts,
            },
            "responseContext": {
                "statusCode": 200,
                "executedVersion": "$LATEST",
                "functionError": "Unhandled",
            },
            "version": "1.0",
            "timestamp": self._clock.now().astimezone(UTC).isoformat(),
            "DDBStreamBatchInfo": {
                "shardId": shard_id,
                "startSequenceNumber": first["SequenceNumber"],
                "endSequenceNumber": last["SequenceNumber"],
                "batchSize": len(batch),
                "streamArn": self._stream_arn,
            },
        }
        self._sqs.send_message(QueueUrl=self._failure_queue_url, MessageBody=json.dumps(note))


def _first_failure(batch: list[dict[str, Any]], answer: Any) -> int | None:
    """Index of the first record the function reported as failed (ReportBatchItemFailures), if any."""
    failures = answer.get("batchItemFailures") if isinstance(answer, dict) else None
    if not failures:
        return None
    failed = {failure.get("itemIdentifier") for failure in failures if isinstance(failure, dict)}
    positions = [
        index for index, record in enumerate(batch) if record["dynamodb"]["SequenceNumber"] in failed
    ]
    # An identifier that names no record of the batch fails the whole batch, as Lambda does.
    return min(positions) if len(positions) == len(failed) else 0


def _lambda_record(record: dict[str, Any], stream_arn: str) -> dict[str, Any]:
    """A DynamoDB Streams record as Lambda delivers it: epoch-second timestamps, the stream ARN added."""
    document: dict[str, Any] = json.loads(json.dumps(record, default=_json_value))
    document.setdefault("awsRegion", REGION)
    document["eventSourceARN"] = stream_arn
    return document


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"cannot put {type(value).__name__} in a stream event")
