"""Stand-ins for the stack's collaborators in unit tests of its triggers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class RecordingFunction:
    """Looks like a `CatalogFunction`: records each event and answers with `answer(event)`."""

    answer: Callable[[dict[str, Any]], Any] = lambda event: None
    name: str = "Test-Function"
    arn: str = "arn:aws:lambda:us-east-1:123456789012:function:Test-Function"
    events: list[dict[str, Any]] = field(default_factory=list)

    def __call__(self, event: dict[str, Any]) -> Any:
        self.events.append(event)
        return self.answer(event)


@dataclass
class StubStreams:
    """One shard whose next read returns `records` (then nothing)."""

    records: list[dict[str, Any]]

    def describe_stream(self, StreamArn: str) -> dict[str, Any]:
        return {"StreamDescription": {"Shards": [{"ShardId": "shard-1"}]}}

    def get_shard_iterator(self, **_: Any) -> dict[str, Any]:
        return {"ShardIterator": "iterator-0"}

    def get_records(self, ShardIterator: str, Limit: int) -> dict[str, Any]:
        records, self.records = self.records, []
        return {"Records": records, "NextShardIterator": "iterator-1"}


@dataclass
class StubSqs:
    sent: list[dict[str, Any]] = field(default_factory=list)

    def send_message(self, **message: Any) -> dict[str, Any]:
        self.sent.append(message)
        return {"MessageId": str(len(self.sent))}


@dataclass
class StubServices:
    """Looks like `EmbeddedAwsServices`: hands out the stub clients."""

    clients: dict[str, Any]

    def client(self, service: str) -> Any:
        return self.clients[service]

    def discard_shard_iterator(self, iterator: str) -> None:
        pass
