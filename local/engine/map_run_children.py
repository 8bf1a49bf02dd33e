"""The child executions of Map Runs: started for the Map state, their ends told to it, the rest stopped.

A Distributed Map state starts its children through `start_child` while its execution is being advanced.
When a child ends, its end is kept for its parent (the execution that started the run), which is queued to
run: before the driver next advances it, its Map state learns of every child that ended meanwhile
(`deliver_ended_children`, then `state_map_distributed.child_ended`). When a run ends badly (failed, or
aborted because its Map state was dropped: its execution ended, or a sibling branch or a Catch took over),
the children still running are stopped, as Step Functions aborts them, and the ones not started never start.
A restart between a child's end and its parent learning it, or between a run's end and its children being
stopped, is healed by `resume_running_runs`.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from local.engine import state_map_distributed
from local.engine.driver import TERMINAL_STATUSES, ExecutionEnd, definition_digest
from local.engine.errors import ApiError
from local.engine.execution import REDRIVABLE_STATUSES
from local.engine.frame import Frame, Thread
from local.engine.map_runs import ChildStart
from local.engine.state_map import MapState
from local.engine.store import ExecutionRecord, MapRunRecord, Store
from local.engine.timestamps import to_epoch

if TYPE_CHECKING:
    from local.engine.driver import ExecutionDriver
    from local.engine.interpreter import Runner

# Stops an execution as StopExecution does (execution ARN).
ExecutionStopper = Callable[[str], object]
# Redrives a Map Run's child as RedriveExecution does (execution ARN); None when it cannot be redriven.
ChildRedriver = Callable[[str], "ExecutionRecord | None"]


def children_of(store: Store, run: MapRunRecord) -> list[tuple[int, ExecutionRecord]]:
    """A Map Run's child executions with their store sequence numbers, newest first."""
    return store.list_map_run_children(run.arn)


def map_state_thread(frame: Frame, run_arn: str) -> Thread | None:
    """The thread of the Map state waiting on the Map Run `run_arn`, if it still waits."""
    for thread in frame.by_id.values():
        if thread["phase"] == "children" and thread["data"].get("map_run") == run_arn:
            return thread
    return None


class MapRunChildren:
    """Keeps Map Runs, starts their children, and connects the children's ends to the Map states."""

    def __init__(
        self, driver: ExecutionDriver, store: Store, stop: ExecutionStopper, redrive: ChildRedriver
    ) -> None:
        self._driver = driver
        self._store = store
        self._stop = stop
        self._redrive = redrive
        self._map_state = MapState()
        self._lock = threading.Lock()
        self._stopping: set[str] = set()  # Map Runs whose running children are being stopped
        self._ended_children: dict[str, list[ExecutionRecord]] = {}  # by parent, not yet told to the Map
        driver.on_map_run_ended(self._stop_running_children)
        driver.before_advance(self.deliver_ended_children)

    # ------------------------------------------------------------------ what a Map state asks

    def save(self, record: MapRunRecord) -> None:
        """Insert or replace a Map Run."""
        self._store.put_map_run(record)

    def get(self, arn: str) -> MapRunRecord | None:
        """A Map Run by ARN."""
        return self._store.get_map_run(arn)

    def start_child(self, start: ChildStart, role_arn: str) -> ExecutionRecord:
        """Start a child execution running the item processor (one already started is returned)."""
        existing = self._store.get_execution(start.arn)
        if existing is not None and start.redriven and existing.status in REDRIVABLE_STATUSES:
            return self._redrive(start.arn) or existing
        with self._driver.claim(start.arn):
            existing = self._store.get_execution(start.arn)
            if existing is not None:
                return existing
            digest = definition_digest(start.definition)
            self._store.put_definition(digest, start.definition)
            record = ExecutionRecord(
                arn=start.arn,
                state_machine_arn=start.state_machine_arn,
                name=start.name,
                status="RUNNING",
                start_date=to_epoch(self._driver.clock.now()),
                input=json.dumps(start.input, separators=(",", ":"), ensure_ascii=False),
                role_arn=role_arn,
                type=start.execution_type,
                definition_hash=digest,
                map_run_arn=start.map_run_arn,
                item_count=start.item_count,
                mock_test_case=start.mock_test_case,
            )
            runner = self._driver.runner(record, Frame())
            runner.start(role_arn)
            self._driver.commit(runner, record, new=True)
        return record

    # ------------------------------------------------------------------ ends

    def execution_ended(self, end: ExecutionEnd) -> None:
        """An execution ended: tell the Map state of its run, if it is a child, and forget the ends of its
        children it will never be told of. (Its own running runs were aborted by the commit that ended it:
        ending an execution drops its Map states, and the driver aborts the runs they dropped.)"""
        record = end.record
        if record.map_run_arn is not None:
            self._tell_map_state(record)
        with self._lock:
            self._ended_children.pop(record.arn, None)

    def _abort_runs_of(self, execution_arn: str) -> None:
        for _, run in self._store.list_map_run_entries(execution_arn):
            if run.status == "RUNNING":
                run.status, run.stop_date = "ABORTED", to_epoch(self._driver.clock.now())
                self._store.put_map_run(run)
                self._stop_running_children(run)

    def update_run(self, record: MapRunRecord) -> None:
        """UpdateMapRun changed a run's limits: its Map state applies them to the children it starts next."""

        def update(runner: Runner, parent: ExecutionRecord) -> None:
            thread = map_state_thread(runner.frame, record.arn)
            if parent.status == "RUNNING" and thread is not None:
                state_map_distributed.update_run(self._map_state, runner, thread, record)

        self._store.put_map_run(record)
        self._apply_to_parent(record, update)

    def resume_running_runs(self) -> None:
        """Tell every running Map Run's state of the children that ended before a restart, abort the runs
        whose execution ended, and stop the children still running of the runs that ended."""
        for _, run in self._store.list_map_run_entries(None):
            if run.status != "RUNNING":
                if "RUNNING" in self._store.count_map_run_children(run.arn):
                    self._stop_running_children(run)
                continue
            parent = self._store.get_execution(run.execution_arn)
            if parent is None or parent.status in TERMINAL_STATUSES:
                self._abort_runs_of(run.execution_arn)
                continue
            for _, child in children_of(self._store, run):
                if child.status in TERMINAL_STATUSES:
                    self._tell_map_state(child)

    def _tell_map_state(self, child: ExecutionRecord) -> None:
        """Keep a child's end for its Map state, told when its parent is next advanced."""
        run = self._store.get_map_run(child.map_run_arn or "")
        if run is None or run.status != "RUNNING":
            return  # its Map state waits no more (a child stopped as its run ended)
        with self._lock:
            self._ended_children.setdefault(run.execution_arn, []).append(child)
        self._driver.enqueue(run.execution_arn)

    def deliver_ended_children(self, runner: Runner) -> None:
        """Tell the Map states of the execution being advanced of their children that ended since, all at once
        (a run of 10,000 children does not load and save its parent 10,000 times); a run that fails of it is
        noted as ended, so that its children still running are stopped."""
        with self._lock:
            ended = self._ended_children.pop(runner.info.arn, [])
        told: set[str] = set()
        for child in ended:
            thread = map_state_thread(runner.frame, child.map_run_arn or "")
            if thread is not None:
                state_map_distributed.child_ended(self._map_state, runner, thread, child)
                told.add(thread["data"]["map_run"])
        for run_arn in told:
            run = self._store.get_map_run(run_arn)
            if run is not None and run.status == "FAILED":
                runner.ended_runs.append(run_arn)

    def _apply_to_parent(self, run: MapRunRecord, change: Callable[[Runner, ExecutionRecord], None]) -> None:
        try:
            self._driver.apply(run.execution_arn, change)
        except LookupError:
            return  # the parent is gone

    def _stop_running_children(self, run: MapRunRecord) -> None:
        # Each stopped child's end comes back here through execution_ended: the run is being stopped already.
        with self._lock:
            if run.arn in self._stopping:
                return
            self._stopping.add(run.arn)
        try:
            for _, child in self._store.list_map_run_children(run.arn, "RUNNING"):
                self._stop_child(child.arn)
        finally:
            with self._lock:
                self._stopping.discard(run.arn)

    def _stop_child(self, child_arn: str) -> None:
        try:
            self._stop(child_arn)
        except ApiError:
            return  # the child is gone
