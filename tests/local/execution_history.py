"""Reading executions as a client does: what their histories and names say."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def successful_runs(history: Iterable[dict[str, Any]], state: str) -> int:
    """How many times a Task in `state` succeeded in a GetExecutionHistory event list."""
    current, succeeded = None, 0
    for event in history:
        if event["type"].endswith("StateEntered"):
            current = event["stateEnteredEventDetails"]["name"]
        elif event["type"] == "TaskSucceeded" and current == state:
            succeeded += 1
    return succeeded


def by_customer(deletions: Iterable[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """ConsentDeletion executions (ListExecutions entries) by customer: a name is the customer id, a dash
    and a digest of the stream record."""
    grouped: dict[str, list[dict[str, Any]]] = {}
    for execution in deletions:
        grouped.setdefault(execution["name"].rsplit("-", 1)[0], []).append(execution)
    return grouped
