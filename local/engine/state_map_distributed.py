"""A Distributed Map state's Map Run: its items processed by child executions, at most MaxConcurrency at once.

The Map state starts the run (MapStateStarted, MapRunStarted; an ItemReader reads once the run has started,
and its failure fails the run) and parks while its children run; each child's end is delivered to it
(`child_ended`), which records the child's output or failure and starts the next children, until every
item is processed (MapRunSucceeded) or the failures exceed the tolerated threshold (MapRunFailed,
States.ExceedToleratedFailureThreshold). The parent's history holds no MapIteration events: each child has a
history of its own.
"""

from __future__ import annotations

import json
import uuid
from typing import Any, Protocol, cast

from local.engine import child_outputs, events
from local.engine.errors import StatesError
from local.engine.frame import StateData, Thread
from local.engine.map_runs import ChildStart, ChildWorkflowSpec, MapRun, MapRunServices
from local.engine.state_protocol import StateRunner
from local.engine.state_specs import MapSpec
from local.engine.store import ExecutionRecord, MapRunRecord
from local.engine.timestamps import from_epoch, iso_millis

THRESHOLD_EXCEEDED = "States.ExceedToleratedFailureThreshold"
THRESHOLD_CAUSE = "The specified tolerated failure threshold was exceeded"
# Without MaxConcurrency (or with 0) a Map Run runs up to 10,000 children at once.
DISTRIBUTED_CONCURRENCY_LIMIT = 10_000


class MapStateHooks(Protocol):
    """What the Map state lends its Map Run: item inputs, and resuming the state when the run ends."""

    def item_input(self, runner: StateRunner, thread: Thread, spec: MapSpec, index: int) -> Any:
        """The input of item (or batch) `index`."""
        ...

    def load_items(self, runner: StateRunner, thread: Thread, spec: MapSpec) -> None:
        """Read the items with the ItemReader (and batch them)."""
        ...

    def children_done(self, parent: Thread) -> None:
        """The run succeeded: the state resumes to succeed."""
        ...

    def children_failed(self, parent: Thread, error: str | None, cause: str | None) -> None:
        """The run failed: the state resumes to fail with `error`."""
        ...


def within_tolerance(data: StateData) -> bool:
    """Whether the failures so far stay within ToleratedFailureCount and ToleratedFailurePercentage."""
    count, percentage = data["tolerated_count"], data["tolerated_percentage"]
    if count is None and percentage is None:
        return False
    failures = data["failures"]
    within_count = count is None or failures <= count
    within_percentage = percentage is None or failures * 100 <= percentage * len(data["items"])
    return within_count and within_percentage


def start_run(
    state: MapStateHooks, runner: StateRunner, thread: Thread, spec: MapSpec, services: MapRunServices
) -> None:
    """Start the Map Run, read its items when an ItemReader gives them, and start its first children (for the
    items a redrive did not keep)."""
    data = thread["data"]
    reads = spec.item_reader is not None
    runner.log.emit(
        thread,
        "MapStateStarted",
        "mapStateStartedEventDetails",
        {"length": 0 if reads else len(data["items"])},
    )
    record, started = _open_run(runner, thread, spec, services)
    data["map_run"] = record.arn
    _count_items(record, data, services)
    runner.log.emit(thread, *started)
    if reads:
        try:
            state.load_items(runner, thread, spec)
        except StatesError as failure:
            _end_record(runner, data, services, "FAILED")
            details = events.error_details(failure.error, failure.cause)
            runner.log.emit(thread, "MapRunFailed", "mapRunFailedEventDetails", details)
            raise
        _count_items(record, data, services)
    count = len(data["items"])
    kept = child_outputs.take_kept(data, count)
    data.update(
        {
            "running": {},
            "results": [kept.get(index) for index in range(count)],
            "succeeded": sorted(kept),
            "order": [index for index in range(count) if index not in kept],
            "next": 0,
            "done": len(kept),
            "failures": 0,
        }
    )
    thread["phase"] = "children"
    if data["done"] == count:
        _succeed(state, runner, thread, services)
        return
    _launch(state, runner, thread, spec, services)


def _open_run(
    runner: StateRunner, thread: Thread, spec: MapSpec, services: MapRunServices
) -> tuple[MapRunRecord, tuple[str, str, dict[str, Any]]]:
    """The state's Map Run and the event that starts it: a new run, or the run a redrive of the execution
    redrives (the same run, its children that did not succeed redriven)."""
    data = thread["data"]
    redriven = services.get(data.pop("redriven_run")) if "redriven_run" in data else None
    if redriven is not None and redriven.status in ("FAILED", "ABORTED"):
        redriven.status, redriven.stop_date = "RUNNING", None
        redriven.redrive_count += 1
        redriven.redrive_date = runner.now_epoch()
        details = {"mapRunArn": redriven.arn, "redriveCount": redriven.redrive_count}
        return redriven, ("MapRunRedriven", "mapRunRedrivenEventDetails", details)
    # The same run id when an execution continued after a crash starts the run again; a new one per retry.
    key = f"{runner.info.arn}/{thread['entered']}/{thread['retry_count']}/{runner.info.redrive_count}"
    run = MapRun.of(runner.info.state_machine_arn, _map_name(spec), str(uuid.uuid5(uuid.NAMESPACE_URL, key)))
    record = MapRunRecord(
        arn=run.arn,
        execution_arn=runner.info.arn,
        state_machine_arn=run.children_machine_arn,
        start_date=runner.now_epoch(),
        item_count=0,
        execution_count=0,
        max_concurrency=int(data["concurrency"] or 0),
        tolerated_failure_count=int(data["tolerated_count"] or 0),
        tolerated_failure_percentage=float(data["tolerated_percentage"] or 0),
    )
    return record, ("MapRunStarted", "mapRunStartedEventDetails", {"mapRunArn": run.arn})


def child_ended(state: MapStateHooks, runner: StateRunner, thread: Thread, child: ExecutionRecord) -> None:
    """A child of the state's Map Run ended: keep its output or failure, then start more children or end."""
    services = runner.map_runs
    data = thread["data"]
    index = data.get("running", {}).pop(child.arn, None)
    if services is None or index is None:
        return  # told twice (after a restart), or not a child of this run
    if "iteration_runs" in data:
        data["iteration_runs"][str(index)]["StopDate"] = iso_millis(from_epoch(child.stop_date or 0))
    data["done"] += 1
    if child.status == "SUCCEEDED":
        child_outputs.record_success(data, index, json.loads(child.output or "null"))
    else:
        data["failures"] += 1
        data["results"][index] = {"Error": child.error, "Cause": child.cause}
        if not within_tolerance(data):
            _end_record(runner, data, services, "FAILED")
            details = events.error_details(THRESHOLD_EXCEEDED, THRESHOLD_CAUSE)
            runner.log.emit(thread, "MapRunFailed", "mapRunFailedEventDetails", details)
            state.children_failed(thread, THRESHOLD_EXCEEDED, THRESHOLD_CAUSE)
            return
    if data["done"] == len(data["items"]):
        _succeed(state, runner, thread, services)
        return
    _launch(state, runner, thread, cast(MapSpec, runner.spec_of(thread)), services)


def update_run(state: MapStateHooks, runner: StateRunner, thread: Thread, record: MapRunRecord) -> None:
    """UpdateMapRun changed the run's limits: they apply to the children not started yet."""
    services = runner.map_runs
    data = thread["data"]
    if services is None:
        return
    data["concurrency"] = record.max_concurrency
    data["tolerated_count"] = record.tolerated_failure_count
    data["tolerated_percentage"] = record.tolerated_failure_percentage
    _launch(state, runner, thread, cast(MapSpec, runner.spec_of(thread)), services)


def run_of(runner: StateRunner, spec: MapSpec, data: StateData) -> MapRun:
    """The names of the state's Map Run."""
    return MapRun.of(runner.info.state_machine_arn, _map_name(spec), data["map_run"].rsplit(":", 1)[-1])


def _launch(
    state: MapStateHooks, runner: StateRunner, thread: Thread, spec: MapSpec, services: MapRunServices
) -> None:
    """Start children while the concurrency allows and items remain."""
    data = thread["data"]
    workflow = spec.child_workflow
    if workflow is None:
        return
    run = run_of(runner, spec, data)
    record = services.get(run.arn)
    redrive_count = record.redrive_count if record is not None else 0
    limit = data["concurrency"] or DISTRIBUTED_CONCURRENCY_LIMIT
    order = data["order"] or []
    ended: list[ExecutionRecord] = []
    while len(data["running"]) < limit and data["next"] < len(order):
        index = order[data["next"]]
        data["next"] += 1
        value = state.item_input(runner, thread, spec, index)
        start = _child_start(
            runner, run, workflow, index=index, value=value, data=data, redrives=redrive_count
        )
        child = services.start_child(start, runner.info.role_arn)
        data["running"][child.arn] = index
        if "iteration_runs" in data:
            start_date = iso_millis(from_epoch(child.start_date))
            data["iteration_runs"][str(index)] = {"Input": json.loads(child.input), "StartDate": start_date}
        if child.status != "RUNNING":
            ended.append(child)  # started before a crash and ended since: its end was told to no one
    for child in ended:
        child_ended(state, runner, thread, child)


def _child_start(
    runner: StateRunner,
    run: MapRun,
    workflow: ChildWorkflowSpec,
    *,
    index: int,
    value: Any,
    data: StateData,
    redrives: int,
) -> ChildStart:
    """The child that processes item (or batch) `index`, whose input is `value`, in the run's `redrives`th
    redrive."""
    name = run.child_name(index)
    return ChildStart(
        arn=run.child_arn(name, workflow.execution_type, redrives),
        name=name,
        state_machine_arn=run.children_machine_arn,
        execution_type=workflow.execution_type,
        definition=workflow.definition,
        input=value,
        map_run_arn=run.arn,
        item_count=_item_count(data, value),
        mock_test_case=runner.info.mock_test_case,
        redriven=redrives > 0,
    )


def _succeed(state: MapStateHooks, runner: StateRunner, thread: Thread, services: MapRunServices) -> None:
    _end_record(runner, thread["data"], services, "SUCCEEDED")
    runner.log.emit(thread, "MapRunSucceeded")
    state.children_done(thread)


def _end_record(runner: StateRunner, data: StateData, services: MapRunServices, status: str) -> None:
    record = services.get(data["map_run"])
    if record is not None:
        record.status, record.stop_date = status, runner.now_epoch()
        services.save(record)


def _count_items(record: MapRunRecord, data: StateData, services: MapRunServices) -> None:
    """Save the run with the number of its items and children, as read so far."""
    record.item_count = sum(_item_count(data, item) for item in data["items"])
    record.execution_count = len(data["items"])
    services.save(record)


def _item_count(data: StateData, item: Any) -> int:
    """How many items one child processes: a batch's, or one."""
    if data.get("batched") and isinstance(item, dict) and isinstance(item.get("Items"), list):
        return len(item["Items"])
    return 1


def _map_name(spec: MapSpec) -> str:
    return spec.label or spec.name
