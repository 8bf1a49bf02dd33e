"""Reads an execution history the way the Step Functions console does: which state each event belongs to
(its "step"), the resource a task called, and the path taken: every state visited, when it was entered and
left, its attempts, the errors it retried and the error it caught or failed with.

Events are followed along their `previousEventId` chains, as Step Functions links them per thread of
control (the top level, each Map iteration, each Parallel branch), so the states of concurrent branches
and iterations are told apart.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# The events that start an attempt of a state: a retry starts another one.
_ATTEMPT_STARTS = frozenset(
    {
        "TaskScheduled",
        "LambdaFunctionScheduled",
        "ActivityScheduled",
        "MapStateStarted",
        "ParallelStateStarted",
    }
)
_RESOURCE_EVENT_PREFIXES = ("Task", "LambdaFunction", "Activity")
_STATE_ENTERED = "StateEntered"
_STATE_EXITED = "StateExited"
_OUTCOME_OF_UNFINISHED = {"ABORTED": "aborted", "TIMED_OUT": "timed out", "FAILED": "failed"}


@dataclass
class StateFailure:
    """An error a state's attempt ended with."""

    error: str
    cause: str
    retried: bool = False


@dataclass
class StateVisit:
    """One time the execution was in a state."""

    name: str
    state_type: str
    """`Task`, `Wait`, `Choice`, ... (from the event type)."""
    entered_at: datetime
    parent: StateVisit | None
    """The Map or Parallel state this one ran inside, if any."""
    iteration: int | None
    """The Map iteration it ran in, if any."""
    exited_at: datetime | None = None
    attempts: int = 0
    failures: list[StateFailure] = field(default_factory=list)
    resource: str = ""

    @property
    def depth(self) -> int:
        """0 at the top level, 1 inside a Map or Parallel state, ..."""
        return 0 if self.parent is None else self.parent.depth + 1

    @property
    def retries(self) -> int:
        """Errors that were retried."""
        return sum(1 for failure in self.failures if failure.retried)

    def took(self, execution_stopped_at: datetime | None) -> float | None:
        """Seconds from entering to leaving the state (or to the end of the execution); None while running."""
        end = self.exited_at or execution_stopped_at
        return None if end is None else (end - self.entered_at).total_seconds()

    def outcome(self, execution_status: str) -> str:
        """`succeeded`, `caught ERROR`, `failed ERROR`, `running`, `aborted` or `timed out`, with retries."""
        unretried = [failure for failure in self.failures if not failure.retried]
        retries = self.retries
        suffix = f" ({retries} {'retry' if retries == 1 else 'retries'})" if retries else ""
        if self.exited_at is not None:
            return (f"caught {unretried[-1].error}" if unretried else "succeeded") + suffix
        if execution_status == "RUNNING":
            return "running" + suffix
        if unretried:
            return f"failed {unretried[-1].error}" + suffix
        return _OUTCOME_OF_UNFINISHED.get(execution_status, execution_status.lower()) + suffix


@dataclass(frozen=True)
class EventRow:
    """One line of the event table, as the AWS console shows it."""

    event_id: int
    event_type: str
    step: str
    resource: str
    since_start: float
    """Seconds since the execution started."""
    timestamp: datetime


@dataclass(frozen=True)
class _Context:
    """Where an event leaves its thread: inside which state visit, in which Map iteration."""

    visit: StateVisit | None = None
    iteration: int | None = None


class HistoryWalk:
    """Consumes history events oldest first (all at once or as they arrive) and keeps the path taken."""

    def __init__(self) -> None:
        self.visits: list[StateVisit] = []
        self._contexts: dict[int, _Context] = {}
        self._started_at: datetime | None = None

    def add(self, event: dict[str, Any]) -> EventRow:
        """Follow one event; returns its row of the event table."""
        kind: str = event["type"]
        timestamp: datetime = event["timestamp"]
        if self._started_at is None:
            self._started_at = timestamp
        details = _details(event)
        context = self._contexts.get(event.get("previousEventId", 0), _Context())
        if kind.endswith(_STATE_ENTERED):
            step, after = self._enter(details["name"], kind.removesuffix(_STATE_ENTERED), timestamp, context)
        elif kind.endswith(_STATE_EXITED):
            step, after = details["name"], self._exit(details["name"], timestamp, context)
        elif kind.startswith("Execution"):
            step, after = "", _Context()
            if kind == "ExecutionFailed" and context.visit is not None and context.visit.state_type == "Fail":
                context.visit.failures.append(
                    StateFailure(details.get("error", ""), details.get("cause", ""))
                )
        else:
            step = context.visit.name if context.visit is not None else ""
            after = _Context(context.visit, details.get("index", context.iteration))
            if context.visit is not None:
                _record(context.visit, kind, details)
        self._contexts[event["id"]] = after
        resource = ""
        if context.visit is not None and kind.startswith(_RESOURCE_EVENT_PREFIXES) and "State" not in kind:
            resource = context.visit.resource
        return EventRow(
            event_id=event["id"],
            event_type=kind,
            step=step,
            resource=resource,
            since_start=(timestamp - self._started_at).total_seconds(),
            timestamp=timestamp,
        )

    def _enter(
        self, name: str, state_type: str, timestamp: datetime, context: _Context
    ) -> tuple[str, _Context]:
        visit = StateVisit(name, state_type, timestamp, parent=context.visit, iteration=context.iteration)
        self.visits.append(visit)
        return name, _Context(visit)

    def _exit(self, name: str, timestamp: datetime, context: _Context) -> _Context:
        visit = _open_visit_named(name, context.visit) or next(
            (v for v in reversed(self.visits) if v.name == name and v.exited_at is None), None
        )
        if visit is None:
            return _Context()
        visit.exited_at = timestamp
        return _Context(visit.parent, visit.iteration)


def _open_visit_named(name: str, visit: StateVisit | None) -> StateVisit | None:
    while visit is not None:
        if visit.name == name and visit.exited_at is None:
            return visit
        visit = visit.parent
    return None


def _record(visit: StateVisit, kind: str, details: dict[str, Any]) -> None:
    """What an event inside a state says about it: an attempt started, or an attempt failed."""
    if kind in _ATTEMPT_STARTS:
        for failure in visit.failures:
            failure.retried = True
        visit.attempts += 1
        visit.resource = visit.resource or _resource_name(details)
    elif kind.endswith(("Failed", "TimedOut")) and not kind.startswith("MapIteration"):
        visit.failures.append(StateFailure(details.get("error", ""), details.get("cause", "")))


def _resource_name(details: dict[str, Any]) -> str:
    """What a task called: the Lambda function's name, else `resourceType:resource` or the resource ARN."""
    try:
        parameters = json.loads(details.get("parameters") or "{}")
    except ValueError:
        parameters = {}
    function = parameters.get("FunctionName") if isinstance(parameters, dict) else None
    resource = str(details.get("resource", ""))
    if isinstance(function, str):
        return function.rsplit(":function:", 1)[-1]
    if ":function:" in resource:
        return resource.rsplit(":function:", 1)[-1]
    resource_type = details.get("resourceType")
    return f"{resource_type}:{resource}" if resource_type else resource


def _details(event: dict[str, Any]) -> dict[str, Any]:
    """The event's `...EventDetails` object (empty when it has none)."""
    for key, value in event.items():
        if key.endswith("EventDetails") and isinstance(value, dict):
            return value
    return {}
