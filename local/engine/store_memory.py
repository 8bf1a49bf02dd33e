"""An in-memory store (tests, demos): the same contract as SqliteStore, nothing survives the process."""

from __future__ import annotations

import heapq
import json
import threading
from dataclasses import replace
from datetime import datetime
from typing import Any

from local.engine.store import (
    ActivityRecord,
    ActivityTask,
    AliasRecord,
    ChildCount,
    ExecutionCommit,
    ExecutionRecord,
    MapRunRecord,
    StateMachineRecord,
    VersionRecord,
)


class _TimerIndex:
    """Earliest-due lookup with lazy invalidation (an execution has at most one live entry)."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, str]] = []
        self._current: dict[str, float] = {}

    def set(self, arn: str, due: float | None) -> None:
        if due is None:
            self._current.pop(arn, None)
            return
        if self._current.get(arn) == due:
            return
        self._current[arn] = due
        heapq.heappush(self._heap, (due, arn))

    def _clean_top(self) -> None:
        while self._heap and self._current.get(self._heap[0][1]) != self._heap[0][0]:
            heapq.heappop(self._heap)

    def earliest(self) -> float | None:
        self._clean_top()
        return self._heap[0][0] if self._heap else None

    def due(self, now: float) -> list[str]:
        found: list[str] = []
        self._clean_top()
        while self._heap and self._heap[0][0] <= now:
            due, arn = heapq.heappop(self._heap)
            if self._current.get(arn) == due:
                found.append(arn)
                del self._current[arn]
            self._clean_top()
        return found


class MemoryStore:
    """Keeps everything in dictionaries (events and frames as compact JSON text to stay small)."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._machines: dict[str, StateMachineRecord] = {}
        self._machine_sequence: dict[str, int] = {}
        self._machines_created = 0
        self._versions: dict[str, VersionRecord] = {}
        self._aliases: dict[str, AliasRecord] = {}
        self._tags: dict[str, dict[str, str]] = {}
        self._definitions: dict[str, str] = {}
        self._executions: dict[str, ExecutionRecord] = {}
        self._sequence: dict[str, int] = {}
        self._frames: dict[str, str] = {}
        self._events: dict[str, list[str]] = {}
        self._timers = _TimerIndex()
        self._skippable = _TimerIndex()
        self._runnable: set[str] = set()
        self._activities: dict[str, tuple[int, ActivityRecord]] = {}
        self._activities_created = 0
        self._activity_tasks: dict[str, ActivityTask] = {}  # by token, in the order queued
        self._tokens: dict[str, str] = {}
        self._tokens_by_execution: dict[str, set[str]] = {}
        self._clock_position: datetime | None = None
        self._map_runs: dict[str, tuple[int, MapRunRecord]] = {}
        # Each Map Run's children by name (the latest started under it), and every child it started.
        self._current_children: dict[str, dict[str, str]] = {}
        self._all_children: dict[str, list[str]] = {}
        # Each Map Run's current children counted by status, kept as they change (DescribeMapRun reads them).
        self._child_counts: dict[str, dict[str, ChildCount]] = {}

    def put_state_machine(self, record: StateMachineRecord) -> None:
        """Insert or replace a state machine."""
        with self._lock:
            self._machines[record.arn] = replace(record)
            if record.arn not in self._machine_sequence:
                self._machines_created += 1
                self._machine_sequence[record.arn] = self._machines_created

    def get_state_machine(self, arn: str) -> StateMachineRecord | None:
        """A state machine by ARN."""
        with self._lock:
            record = self._machines.get(arn)
            return replace(record) if record is not None else None

    def list_state_machines(self) -> list[StateMachineRecord]:
        """All state machines, oldest first."""
        return [record for _, record in self.list_state_machine_entries()]

    def list_state_machine_entries(self) -> list[tuple[int, StateMachineRecord]]:
        """All state machines with their sequence numbers, oldest first."""
        with self._lock:
            found = [(self._machine_sequence[r.arn], replace(r)) for r in self._machines.values()]
        return sorted(found, key=lambda entry: (entry[1].creation_date, entry[0]))

    def delete_state_machine(self, arn: str) -> None:
        """Remove a state machine with its versions and aliases."""
        with self._lock:
            self._machines.pop(arn, None)
            self._machine_sequence.pop(arn, None)
            self._tags.pop(arn, None)
            for table in (self._versions, self._aliases):
                for key in [k for k, r in table.items() if r.state_machine_arn == arn]:
                    del table[key]

    def put_version(self, record: VersionRecord) -> None:
        """Insert a published version."""
        with self._lock:
            self._versions[record.arn] = replace(record)

    def get_version(self, arn: str) -> VersionRecord | None:
        """A version by ARN."""
        with self._lock:
            record = self._versions.get(arn)
            return replace(record) if record is not None else None

    def list_versions(self, state_machine_arn: str) -> list[VersionRecord]:
        """The versions of a state machine, newest first."""
        with self._lock:
            found = [replace(r) for r in self._versions.values() if r.state_machine_arn == state_machine_arn]
        return sorted(found, key=lambda r: r.number, reverse=True)

    def delete_version(self, arn: str) -> None:
        """Remove a version."""
        with self._lock:
            self._versions.pop(arn, None)

    def put_alias(self, record: AliasRecord) -> None:
        """Insert or replace an alias."""
        with self._lock:
            routes = [dict(route) for route in record.routing_configuration]
            self._aliases[record.arn] = replace(record, routing_configuration=routes)

    def get_alias(self, arn: str) -> AliasRecord | None:
        """An alias by ARN."""
        with self._lock:
            record = self._aliases.get(arn)
            return replace(record) if record is not None else None

    def list_aliases(self, state_machine_arn: str) -> list[AliasRecord]:
        """The aliases of a state machine, oldest first."""
        with self._lock:
            found = [replace(r) for r in self._aliases.values() if r.state_machine_arn == state_machine_arn]
        return sorted(found, key=lambda r: r.creation_date)

    def delete_alias(self, arn: str) -> None:
        """Remove an alias."""
        with self._lock:
            self._aliases.pop(arn, None)

    def put_activity(self, record: ActivityRecord) -> None:
        """Insert an activity."""
        with self._lock:
            self._activities_created += 1
            self._activities[record.arn] = (self._activities_created, replace(record))

    def get_activity(self, arn: str) -> ActivityRecord | None:
        """An activity by ARN."""
        with self._lock:
            entry = self._activities.get(arn)
            return replace(entry[1]) if entry is not None else None

    def list_activity_entries(self) -> list[tuple[int, ActivityRecord]]:
        """All activities with their sequence numbers, oldest first."""
        with self._lock:
            found = [(number, replace(record)) for number, record in self._activities.values()]
        return sorted(found, key=lambda entry: (entry[1].creation_date, entry[0]))

    def delete_activity(self, arn: str) -> None:
        """Remove an activity with its tags."""
        with self._lock:
            self._activities.pop(arn, None)
            self._tags.pop(arn, None)

    def put_activity_task(self, task: ActivityTask) -> None:
        """Queue a task (a token already queued keeps its place)."""
        with self._lock:
            self._activity_tasks.setdefault(task.token, replace(task))

    def activity_tasks(self, activity_arn: str) -> list[ActivityTask]:
        """The tasks queued for an activity, oldest first."""
        with self._lock:
            return [replace(t) for t in self._activity_tasks.values() if t.activity_arn == activity_arn]

    def delete_activity_task(self, token: str) -> None:
        """Remove a queued task."""
        with self._lock:
            self._activity_tasks.pop(token, None)

    def put_definition(self, digest: str, definition: str) -> None:
        """Keep a definition by digest."""
        with self._lock:
            self._definitions[digest] = definition

    def get_definition(self, digest: str) -> str | None:
        """A definition by digest."""
        with self._lock:
            return self._definitions.get(digest)

    def set_tags(self, arn: str, tags: dict[str, str]) -> None:
        """Replace the tags of a resource."""
        with self._lock:
            self._tags[arn] = dict(tags)

    def get_tags(self, arn: str) -> dict[str, str]:
        """Tags of a resource."""
        with self._lock:
            return dict(self._tags.get(arn, {}))

    def commit(self, change: ExecutionCommit) -> None:
        """Apply one execution step."""
        arn = change.record.arn
        with self._lock:
            previous = self._executions.get(arn)
            self._executions[arn] = replace(change.record)
            if arn not in self._sequence:
                self._sequence[arn] = len(self._sequence) + 1
                self._index_child(change.record)
            elif previous is not None and previous.status != change.record.status:
                self._recount_child(previous, change.record)
            for run in change.map_runs:
                self.put_map_run(run)
            if change.frame is None:
                self._frames.pop(arn, None)
            else:
                self._frames[arn] = change.frame
            self._events.setdefault(arn, []).extend(
                json.dumps(e, separators=(",", ":")) for e in change.events
            )
            self._timers.set(arn, change.due)
            self._skippable.set(arn, change.skippable_due)
            if change.runnable:
                self._runnable.add(arn)
            else:
                self._runnable.discard(arn)
            if change.tokens is not None:
                for token in self._tokens_by_execution.pop(arn, set()):
                    self._tokens.pop(token, None)
            if change.tokens:
                self._tokens.update(change.tokens)
                self._tokens_by_execution[arn] = set(change.tokens)
            if change.clock_position is not None:
                self.save_clock_position(change.clock_position)

    def get_execution(self, arn: str) -> ExecutionRecord | None:
        """An execution by ARN."""
        with self._lock:
            record = self._executions.get(arn)
            return replace(record) if record is not None else None

    def list_executions(
        self, state_machine_arn: str | None, status: str | None = None
    ) -> list[ExecutionRecord]:
        """Executions, newest first (the later started first among those started at the same moment)."""
        return [record for _, record in self._entries(state_machine_arn, status)]

    def list_execution_entries(
        self, state_machine_arn: str, status: str | None = None
    ) -> list[tuple[int, ExecutionRecord]]:
        """The executions of one state machine with their sequence numbers, newest first."""
        return self._entries(state_machine_arn, status)

    def _entries(
        self, state_machine_arn: str | None, status: str | None
    ) -> list[tuple[int, ExecutionRecord]]:
        with self._lock:
            found = [
                (self._sequence[r.arn], replace(r))
                for r in self._executions.values()
                if (state_machine_arn is None or r.state_machine_arn == state_machine_arn)
                and (status is None or r.status == status)
            ]
        return sorted(found, key=lambda entry: (entry[1].start_date, entry[0]), reverse=True)

    def load_frame(self, arn: str) -> str | None:
        """The persisted progress of an execution."""
        with self._lock:
            return self._frames.get(arn)

    def get_execution_and_frame(self, arn: str) -> tuple[ExecutionRecord, str | None] | None:
        """An execution by ARN and its persisted progress."""
        with self._lock:
            record = self._executions.get(arn)
            return (replace(record), self._frames.get(arn)) if record is not None else None

    def put_map_run(self, record: MapRunRecord) -> None:
        """Insert or replace a Map Run (a replaced one keeps its sequence number)."""
        with self._lock:
            entry = self._map_runs.get(record.arn)
            number = entry[0] if entry is not None else len(self._map_runs) + 1
            self._map_runs[record.arn] = (number, replace(record))

    def get_map_run(self, arn: str) -> MapRunRecord | None:
        """A Map Run by ARN."""
        with self._lock:
            entry = self._map_runs.get(arn)
            return replace(entry[1]) if entry is not None else None

    def list_map_run_entries(self, execution_arn: str | None) -> list[tuple[int, MapRunRecord]]:
        """The Map Runs of one execution (or all) with their sequence numbers, oldest first."""
        with self._lock:
            found = [
                (number, replace(record))
                for number, record in self._map_runs.values()
                if execution_arn is None or record.execution_arn == execution_arn
            ]
        return sorted(found, key=lambda entry: entry[0])

    def _index_child(self, record: ExecutionRecord) -> None:
        run_arn = record.map_run_arn
        if run_arn is None:
            return
        replaced = self._current_children.setdefault(run_arn, {}).get(record.name)
        if replaced is not None:  # an Express child a redrive of the run started anew
            self._tally(self._executions[replaced], -1)
        self._current_children[run_arn][record.name] = record.arn
        self._all_children.setdefault(run_arn, []).append(record.arn)
        self._tally(record, 1)

    def _recount_child(self, before: ExecutionRecord, after: ExecutionRecord) -> None:
        run_arn = after.map_run_arn
        if run_arn is not None and self._current_children[run_arn].get(after.name) == after.arn:
            self._tally(before, -1)
            self._tally(after, 1)

    def _tally(self, child: ExecutionRecord, sign: int) -> None:
        counts = self._child_counts.setdefault(child.map_run_arn or "", {})
        tally = counts.get(child.status, ChildCount(0, 0))
        items = tally.items + sign * (child.item_count or 1)
        counts[child.status] = ChildCount(tally.executions + sign, items)

    def list_map_run_children(
        self, map_run_arn: str, status: str | None = None
    ) -> list[tuple[int, ExecutionRecord]]:
        """A Map Run's child executions with their sequence numbers, newest first."""
        with self._lock:
            children = [self._executions[arn] for arn in self._all_children.get(map_run_arn, [])]
            found = [(self._sequence[c.arn], replace(c)) for c in children if status in (None, c.status)]
        return sorted(found, key=lambda entry: (entry[1].start_date, entry[0]), reverse=True)

    def count_map_run_children(self, map_run_arn: str) -> dict[str, ChildCount]:
        """A Map Run's current children counted by status."""
        with self._lock:
            counts = self._child_counts.get(map_run_arn, {})
            return {status: tally for status, tally in counts.items() if tally.executions}

    def get_events(self, arn: str) -> list[dict[str, Any]]:
        """The history of an execution."""
        with self._lock:
            encoded = list(self._events.get(arn, []))
        return [json.loads(text) for text in encoded]

    def due_executions(self, now: float) -> list[str]:
        """Executions whose timer is due (their timers are consumed; the next commit sets new ones)."""
        with self._lock:
            due = self._timers.due(now)
            for arn in due:
                self._skippable.set(arn, None)
            return due

    def next_due(self, *, skippable: bool) -> float | None:
        """Earliest pending timer."""
        with self._lock:
            return (self._skippable if skippable else self._timers).earliest()

    def runnable_executions(self) -> list[str]:
        """Executions with work pending that needs no timer."""
        with self._lock:
            return sorted(self._runnable)

    def token_owner(self, token: str) -> str | None:
        """Execution owning a task token."""
        with self._lock:
            return self._tokens.get(token)

    def save_clock_position(self, moment: datetime) -> None:
        """Keep where a virtual or skip clock stands (never moving it back)."""
        with self._lock:
            if self._clock_position is None or moment > self._clock_position:
                self._clock_position = moment

    def load_clock_position(self) -> datetime | None:
        """The clock position saved last, if any."""
        with self._lock:
            return self._clock_position

    def close(self) -> None:
        """Nothing to release."""
