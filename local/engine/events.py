"""History events in GetExecutionHistory's shape, and the log that numbers and chains them.

Every event carries `previousEventId`. Step Functions chains events per "thread" of control (the top
level, each Map iteration, each Parallel branch): a thread keeps a pointer to its latest event and
some events (ExecutionStarted, MapIterationSucceeded, MapStateSucceeded, ...) do not move it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from local.engine.frame import Thread
from local.engine.timestamps import to_epoch

NOT_TRUNCATED = {"truncated": False}


_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, check_circular=False)


def to_json(value: Any) -> str:
    """Compact JSON for event payloads."""
    return _ENCODER.encode(value)


class EventLog:
    """Numbers new events of one execution and keeps them until they are committed."""

    def __init__(self, last_event_id: int, now: Callable[[], Any]) -> None:
        self.last_event_id = last_event_id
        self._now = now
        self.pending: list[dict[str, Any]] = []

    def add(
        self,
        previous: int,
        event_type: str,
        details_key: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> int:
        """Append an event whose previousEventId is `previous`; returns its id."""
        self.last_event_id += 1
        event: dict[str, Any] = {
            "id": self.last_event_id,
            "previousEventId": previous,
            "timestamp": to_epoch(self._now()),
            "type": event_type,
        }
        if details_key is not None:
            event[details_key] = details if details is not None else {}
        self.pending.append(event)
        return self.last_event_id

    def emit(
        self,
        thread: Thread,
        event_type: str,
        details_key: str | None = None,
        details: dict[str, Any] | None = None,
        *,
        move: bool = True,
    ) -> int:
        """Append an event on a thread's chain; `move=False` leaves the thread's pointer where it was."""
        event_id = self.add(thread["src"], event_type, details_key, details)
        if move:
            thread["src"] = event_id
        return event_id

    def drain(self) -> list[dict[str, Any]]:
        """Hand over the pending events (for a commit)."""
        events, self.pending = self.pending, []
        return events


# ------------------------------------------------------------------ detail builders


def execution_started(input_json: str, role_arn: str) -> dict[str, Any]:
    """executionStartedEventDetails."""
    return {"input": input_json, "inputDetails": dict(NOT_TRUNCATED), "roleArn": role_arn}


def state_entered(name: str, value: Any) -> dict[str, Any]:
    """stateEnteredEventDetails."""
    return {"name": name, "input": to_json(value), "inputDetails": dict(NOT_TRUNCATED)}


def state_exited(name: str, value: Any, assigned: dict[str, Any] | None) -> dict[str, Any]:
    """stateExitedEventDetails (with assignedVariables when the state assigned any)."""
    details: dict[str, Any] = {"name": name, "output": to_json(value), "outputDetails": dict(NOT_TRUNCATED)}
    if assigned:
        details["assignedVariables"] = {key: to_json(item) for key, item in assigned.items()}
        details["assignedVariablesDetails"] = dict(NOT_TRUNCATED)
    return details


def output_details(value: Any) -> dict[str, Any]:
    """{output, outputDetails} as used by succeeded events."""
    return {"output": to_json(value), "outputDetails": dict(NOT_TRUNCATED)}


def error_details(error: str | None, cause: str | None) -> dict[str, Any]:
    """{error, cause} without the keys that are absent."""
    details: dict[str, Any] = {}
    if error is not None:
        details["error"] = error
    if cause is not None:
        details["cause"] = cause
    return details


def iteration(name: str, index: int) -> dict[str, Any]:
    """mapIteration*EventDetails."""
    return {"name": name, "index": index}
