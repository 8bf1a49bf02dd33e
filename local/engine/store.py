"""What the engine persists and the interface every store implements.

An execution's step is committed atomically: its record, its frame (progress), the new history events,
its next timer and the task tokens it waits on. A store also keeps where a virtual or skip clock stands,
so that an engine restarted on it continues from that moment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol


@dataclass
class StateMachineRecord:
    """A state machine as CreateStateMachine stored it."""

    arn: str
    name: str
    type: str
    definition: str
    role_arn: str
    creation_date: float
    status: str = "ACTIVE"
    logging_configuration: dict[str, Any] = field(default_factory=dict)
    tracing_configuration: dict[str, Any] = field(default_factory=dict)
    revision_id: str = ""
    update_date: float | None = None
    description: str = ""
    # The highest version number ever published: numbers are not reused after a version is deleted.
    latest_version_number: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return dict(vars(self))


@dataclass
class VersionRecord:
    """A published version: an immutable snapshot of a state machine's revision."""

    arn: str
    state_machine_arn: str
    number: int
    definition: str
    role_arn: str
    creation_date: float
    revision_id: str
    description: str = ""
    logging_configuration: dict[str, Any] = field(default_factory=dict)
    tracing_configuration: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return dict(vars(self))


@dataclass
class AliasRecord:
    """An alias: a name that routes executions to one or two versions by weight."""

    arn: str
    state_machine_arn: str
    name: str
    routing_configuration: list[dict[str, Any]]
    creation_date: float
    description: str = ""
    update_date: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return dict(vars(self))


@dataclass
class ActivityRecord:
    """An activity as CreateActivity stored it."""

    arn: str
    name: str
    creation_date: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return dict(vars(self))


@dataclass
class ActivityTask:
    """A task an activity Task state scheduled, waiting for a worker's GetActivityTask."""

    token: str
    activity_arn: str
    execution_arn: str
    input: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return dict(vars(self))


@dataclass
class ExecutionRecord:
    """An execution's externally visible facts."""

    arn: str
    state_machine_arn: str
    name: str
    status: str
    start_date: float
    input: str
    role_arn: str
    type: str = "STANDARD"
    stop_date: float | None = None
    output: str | None = None
    error: str | None = None
    cause: str | None = None
    redrive_count: int = 0
    redrive_date: float | None = None
    mock_test_case: str | None = None
    definition_hash: str = ""
    state_machine_version_arn: str | None = None
    state_machine_alias_arn: str | None = None
    # A child execution of a Distributed Map: its Map Run, and how many items its input holds.
    map_run_arn: str | None = None
    item_count: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return dict(vars(self))


@dataclass
class MapRunRecord:
    """A Map Run: one run of a Distributed Map state, whose items its child executions process."""

    arn: str
    execution_arn: str  # the execution whose Map state started it
    state_machine_arn: str  # the children's state machine (`MACHINE/LABEL`)
    start_date: float
    item_count: int
    execution_count: int  # children in all (batches, when the Map batches its items)
    max_concurrency: int = 0  # 0: as many at once as the service allows
    tolerated_failure_count: int = 0
    tolerated_failure_percentage: float = 0.0
    status: str = "RUNNING"
    stop_date: float | None = None
    redrive_count: int = 0
    redrive_date: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return dict(vars(self))


@dataclass(frozen=True)
class ChildCount:
    """How many of a Map Run's children have one status, and how many items they process."""

    executions: int
    items: int


@dataclass
class ExecutionCommit:
    """Everything one step of an execution changes, applied atomically."""

    record: ExecutionRecord
    frame: str | None
    events: list[dict[str, Any]]
    due: float | None = None
    skippable_due: float | None = None
    runnable: bool = False
    # The task tokens the execution holds after the step (token -> execution ARN), in place of those it
    # held; None when the step left them as they were.
    tokens: dict[str, str] | None = None
    new: bool = False
    # A clock position not saved yet, saved in the same transaction (never moves the saved one back).
    clock_position: datetime | None = None
    # Map Runs changed by the step (aborted when their Map state was dropped), put in the same transaction.
    map_runs: list[MapRunRecord] = field(default_factory=list)


class Store(Protocol):
    """Persistence for state machines (with their versions and aliases), activities and their queued tasks,
    tags, executions, histories, timers, task tokens and Map Runs."""

    def put_state_machine(self, record: StateMachineRecord) -> None:
        """Insert or replace a state machine."""
        ...

    def get_state_machine(self, arn: str) -> StateMachineRecord | None:
        """A state machine by ARN."""
        ...

    def list_state_machines(self) -> list[StateMachineRecord]:
        """All state machines, oldest first (in the order they were created, among equal creation dates)."""
        ...

    def list_state_machine_entries(self) -> list[tuple[int, StateMachineRecord]]:
        """All state machines, oldest first, each with the sequence number the store gave it when it was
        created: unique among the state machines, and unchanged by updates."""
        ...

    def delete_state_machine(self, arn: str) -> None:
        """Remove a state machine with its versions and aliases (its executions stay)."""
        ...

    def put_version(self, record: VersionRecord) -> None:
        """Insert a published version."""
        ...

    def get_version(self, arn: str) -> VersionRecord | None:
        """A version by ARN."""
        ...

    def list_versions(self, state_machine_arn: str) -> list[VersionRecord]:
        """The versions of a state machine, newest (highest number) first."""
        ...

    def delete_version(self, arn: str) -> None:
        """Remove a version."""
        ...

    def put_alias(self, record: AliasRecord) -> None:
        """Insert or replace an alias."""
        ...

    def get_alias(self, arn: str) -> AliasRecord | None:
        """An alias by ARN."""
        ...

    def list_aliases(self, state_machine_arn: str) -> list[AliasRecord]:
        """The aliases of a state machine, oldest first."""
        ...

    def delete_alias(self, arn: str) -> None:
        """Remove an alias."""
        ...

    def put_activity(self, record: ActivityRecord) -> None:
        """Insert an activity."""
        ...

    def get_activity(self, arn: str) -> ActivityRecord | None:
        """An activity by ARN."""
        ...

    def list_activity_entries(self) -> list[tuple[int, ActivityRecord]]:
        """All activities, oldest first, each with the sequence number the store gave it at creation."""
        ...

    def delete_activity(self, arn: str) -> None:
        """Remove an activity (with its tags)."""
        ...

    def put_activity_task(self, task: ActivityTask) -> None:
        """Queue a task for the workers of its activity (again with the same token: no change)."""
        ...

    def activity_tasks(self, activity_arn: str) -> list[ActivityTask]:
        """The tasks queued for an activity, in the order they were queued."""
        ...

    def delete_activity_task(self, token: str) -> None:
        """Remove a queued task (a worker took it, or it no longer waits)."""
        ...

    def put_definition(self, digest: str, definition: str) -> None:
        """Keep a definition by its digest (executions run the definition they started with)."""
        ...

    def get_definition(self, digest: str) -> str | None:
        """A definition by digest."""
        ...

    def set_tags(self, arn: str, tags: dict[str, str]) -> None:
        """Replace the tags of a resource."""
        ...

    def get_tags(self, arn: str) -> dict[str, str]:
        """Tags of a resource."""
        ...

    def commit(self, change: ExecutionCommit) -> None:
        """Apply one execution step atomically."""
        ...

    def get_execution(self, arn: str) -> ExecutionRecord | None:
        """An execution by ARN."""
        ...

    def list_executions(
        self, state_machine_arn: str | None, status: str | None = None
    ) -> list[ExecutionRecord]:
        """Executions (of one state machine, or all; optionally with one status), newest first."""
        ...

    def list_execution_entries(
        self, state_machine_arn: str, status: str | None = None
    ) -> list[tuple[int, ExecutionRecord]]:
        """The executions of one state machine (optionally with one status), each with the sequence number
        the store gave it when it was first committed: an execution started later has a larger one."""
        ...

    def load_frame(self, arn: str) -> str | None:
        """The persisted progress of a running execution."""
        ...

    def get_execution_and_frame(self, arn: str) -> tuple[ExecutionRecord, str | None] | None:
        """An execution by ARN and its persisted progress, read together (what advancing it starts from)."""
        ...

    def put_map_run(self, record: MapRunRecord) -> None:
        """Insert or replace a Map Run."""
        ...

    def get_map_run(self, arn: str) -> MapRunRecord | None:
        """A Map Run by ARN."""
        ...

    def list_map_run_entries(self, execution_arn: str | None) -> list[tuple[int, MapRunRecord]]:
        """The Map Runs of one execution (or all), oldest first, each with the sequence number the store gave
        it when it was first put."""
        ...

    def list_map_run_children(
        self, map_run_arn: str, status: str | None = None
    ) -> list[tuple[int, ExecutionRecord]]:
        """The child executions of a Map Run (optionally with one status), newest first, each with its
        sequence number (as `list_execution_entries` gives it); found without reading other executions."""
        ...

    def count_map_run_children(self, map_run_arn: str) -> dict[str, ChildCount]:
        """A Map Run's children counted by status (an Express child a redrive of the run started anew counts
        instead of the one it replaced), without reading them."""
        ...

    def get_events(self, arn: str) -> list[dict[str, Any]]:
        """The full history of an execution, oldest first."""
        ...

    def due_executions(self, now: float) -> list[str]:
        """Running executions whose next timer is due."""
        ...

    def next_due(self, *, skippable: bool) -> float | None:
        """Earliest pending timer (only those a skip clock may jump to, when `skippable`)."""
        ...

    def runnable_executions(self) -> list[str]:
        """Running executions with work that needs no timer (used after a restart)."""
        ...

    def token_owner(self, token: str) -> str | None:
        """ARN of the execution a task token belongs to."""
        ...

    def save_clock_position(self, moment: datetime) -> None:
        """Keep where a virtual or skip clock stands (a restarted engine continues from there); an
        earlier moment than the one saved is ignored."""
        ...

    def load_clock_position(self) -> datetime | None:
        """The clock position saved last, if any."""
        ...

    def close(self) -> None:
        """Release resources."""
        ...
