"""Distributed Maps run as Map Runs: MapRun events in the parent, child executions, the Map Run API."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from local.engine import Engine, MemoryStore, SkipClock, SqliteStore, VirtualClock
from local.engine.errors import ApiError
from local.engine.map_run_children import MapRunChildren

from .conftest import START, Starter, history_types, output_of, redrive_and_run

ITEMS = [1, 2, 3]


def _processor(states: dict[str, Any], execution_type: str = "STANDARD") -> dict[str, Any]:
    first = next(iter(states))
    return {
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": execution_type},
        "StartAt": first,
        "States": states,
    }


PASS = {"P": {"Type": "Pass", "End": True}}
WAIT_THEN_PASS = {"W": {"Type": "Wait", "Seconds": 60, "Next": "P"}, **PASS}
# Item 1 fails at once; the others wait a minute first.
ONE_FAILS = {
    "Check": {
        "Type": "Choice",
        "Choices": [{"Variable": "$", "NumericEquals": 1, "Next": "Bad"}],
        "Default": "W",
    },
    "Bad": {"Type": "Fail", "Error": "One", "Cause": "one is bad"},
    **WAIT_THEN_PASS,
}


FLAKY_TASK = {
    "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:flaky", "End": True}
}
# Item 3 waits a minute before the task: the run has failed by then, when another item fails at once.
THIRD_WAITS_FOR_FLAKY_TASK = {
    "Third": {
        "Type": "Choice",
        "Choices": [{"Variable": "$", "NumericEquals": 3, "Next": "W"}],
        "Default": "T",
    },
    "W": {"Type": "Wait", "Seconds": 60, "Next": "T"},
    **FLAKY_TASK,
}


def _flaky_task(engine: Engine, *, failing_item: int) -> list[Any]:
    """Register the function FLAKY_TASK calls: it echoes its item, but fails `failing_item` the first time.
    Returns the items it is called with, as they come."""
    calls: list[Any] = []

    def flaky(event: Any, context: Any) -> Any:
        calls.append(event)
        if event == failing_item and calls.count(failing_item) == 1:
            raise RuntimeError("not yet")
        return event

    engine.register_lambda("flaky", flaky)
    return calls


@pytest.fixture(params=["memory", "sqlite"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A skip-clock engine on each kind of store (each counts a Map Run's children its own way)."""
    store = MemoryStore() if request.param == "memory" else SqliteStore(tmp_path / "state.db")
    with Engine(clock=SkipClock(start=START), store=store) as engine:
        yield engine


def _map(processor: dict[str, Any], **fields: Any) -> dict[str, Any]:
    state = {"Type": "Map", "ItemProcessor": processor, "Label": "Each", "End": True, **fields}
    return {"StartAt": "M", "States": {"M": state}}


def _engine_on_file(path: Path) -> Engine:
    """A virtual-clock engine on the SQLite store in `path` (opened again: the engine after a restart)."""
    return Engine(clock=VirtualClock(start=START), store=SqliteStore(path))


@contextmanager
def _engine_missing(step: str, path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """An engine on the SQLite store in `path` that skips MapRunChildren's `step`, as if it stopped each time
    just before that step."""
    monkeypatch.setattr(MapRunChildren, step, lambda self, *arguments: None)
    with _engine_on_file(path) as engine:
        yield engine
    monkeypatch.undo()


def _run_arn(engine: Engine, execution_arn: str) -> str:
    runs = engine.list_map_runs(execution_arn)["mapRuns"]
    assert len(runs) == 1
    arn: str = runs[0]["mapRunArn"]
    return arn


def _children(engine: Engine, run_arn: str) -> list[dict[str, Any]]:
    executions: list[dict[str, Any]] = engine.list_executions(map_run_arn=run_arn)["executions"]
    return executions


def test_the_parent_history_records_the_map_run_not_its_iterations(
    skip_engine: Engine, start: Starter
) -> None:
    # Given a Distributed Map of three items
    arn = start(skip_engine, _map(_processor(PASS)), ITEMS)
    # When it runs
    skip_engine.run_until_idle()
    # Then the parent's history holds the Map Run's start and success and no MapIteration event
    events = skip_engine.get_execution_history(arn)["events"]
    assert [(e["type"], e["previousEventId"]) for e in events[2:]] == [
        ("MapStateStarted", 2),
        ("MapRunStarted", 3),
        ("MapRunSucceeded", 4),
        ("MapStateSucceeded", 5),
        ("MapStateExited", 5),
        ("ExecutionSucceeded", 7),
    ]
    machine_arn = skip_engine.describe_execution(arn)["stateMachineArn"]
    run_arn = events[3]["mapRunStartedEventDetails"]["mapRunArn"]
    assert run_arn.startswith(machine_arn.replace(":stateMachine:", ":mapRun:") + "/Each:")
    assert output_of(skip_engine, arn) == ITEMS


def test_each_item_runs_as_a_child_execution_with_its_own_history(
    skip_engine: Engine, start: Starter
) -> None:
    # Given a finished Distributed Map of three items
    arn = start(skip_engine, _map(_processor(PASS)), ITEMS)
    skip_engine.run_until_idle()
    run_arn = _run_arn(skip_engine, arn)
    machine_arn = skip_engine.describe_execution(arn)["stateMachineArn"]
    # When its children are listed and described
    children = _children(skip_engine, run_arn)
    # Then there is one per item, named as Step Functions names them, each with the item as its input
    assert len(children) == len(ITEMS)
    prefix = machine_arn.replace(":stateMachine:", ":execution:") + "/Each:"
    assert all(child["executionArn"] == prefix + child["name"] for child in children)
    assert {child["stateMachineArn"] for child in children} == {f"{machine_arn}/Each"}
    assert {(child["mapRunArn"], child["itemCount"]) for child in children} == {(run_arn, 1)}
    described = [skip_engine.describe_execution(child["executionArn"]) for child in children]
    assert sorted(json.loads(d["input"]) for d in described) == ITEMS
    assert {d["mapRunArn"] for d in described} == {run_arn}
    assert history_types(skip_engine, children[0]["executionArn"]) == [
        "ExecutionStarted",
        "PassStateEntered",
        "PassStateExited",
        "ExecutionSucceeded",
    ]
    machine = skip_engine.describe_state_machine_for_execution(children[0]["executionArn"])
    assert (machine["mapRunArn"], machine["label"]) == (run_arn, "Each")
    assert json.loads(machine["definition"])["States"] == PASS


def test_describe_map_run_counts_items_and_batches(engine: Engine, start: Starter) -> None:
    # Given a Distributed Map of five items in batches of two, with limits
    definition = _map(
        _processor(PASS),
        ItemBatcher={"MaxItemsPerBatch": 2},
        MaxConcurrency=2,
        ToleratedFailureCount=1,
    )
    arn = start(engine, definition, [1, 2, 3, 4, 5])
    engine.run_until_idle()
    # When its Map Run is described
    described = engine.describe_map_run(_run_arn(engine, arn))
    # Then it counts five items in three children, all succeeded, with the state's limits
    assert described["status"] == "SUCCEEDED"
    assert described["executionArn"] == arn
    assert (described["maxConcurrency"], described["toleratedFailureCount"]) == (2, 1)
    assert described["toleratedFailurePercentage"] == 0.0
    assert described["stopDate"] >= described["startDate"]
    done = {"pending": 0, "running": 0, "failed": 0, "timedOut": 0, "aborted": 0}
    done |= {"failuresNotRedrivable": 0, "pendingRedrive": 0}
    assert described["itemCounts"] == {**done, "succeeded": 5, "total": 5, "resultsWritten": 5}
    assert described["executionCounts"] == {**done, "succeeded": 3, "total": 3, "resultsWritten": 3}


def test_max_concurrency_bounds_the_running_children(virtual_engine: Engine, start: Starter) -> None:
    # Given a Distributed Map of three waiting items, two at a time
    arn = start(virtual_engine, _map(_processor(WAIT_THEN_PASS), MaxConcurrency=2), ITEMS)
    # When it has started
    virtual_engine.run_until_idle()
    run_arn = _run_arn(virtual_engine, arn)
    # Then two children run and one item waits its turn
    counts = virtual_engine.describe_map_run(run_arn)["executionCounts"]
    assert (counts["running"], counts["pending"], counts["total"]) == (2, 1, 3)
    assert len(_children(virtual_engine, run_arn)) == 2
    # And the third starts when one of the first two ends, after which the parent succeeds
    virtual_engine.advance(timedelta(seconds=60))
    assert len(_children(virtual_engine, run_arn)) == 3
    virtual_engine.advance(timedelta(seconds=60))
    assert output_of(virtual_engine, arn) == ITEMS


def test_update_map_run_lets_the_waiting_children_start(virtual_engine: Engine, start: Starter) -> None:
    # Given a running Map Run of three waiting items, one at a time
    arn = start(virtual_engine, _map(_processor(WAIT_THEN_PASS), MaxConcurrency=1), ITEMS)
    virtual_engine.run_until_idle()
    run_arn = _run_arn(virtual_engine, arn)
    # When its concurrency is raised to three
    virtual_engine.update_map_run(run_arn, max_concurrency=3, tolerated_failure_count=2)
    virtual_engine.run_until_idle()
    # Then every child runs at once, and DescribeMapRun shows the new limits
    described = virtual_engine.describe_map_run(run_arn)
    assert described["executionCounts"]["running"] == 3
    assert (described["maxConcurrency"], described["toleratedFailureCount"]) == (3, 2)
    virtual_engine.advance(timedelta(seconds=60))
    assert virtual_engine.describe_execution(arn)["status"] == "SUCCEEDED"


def test_a_failure_past_the_threshold_fails_the_run_and_aborts_the_other_children(
    virtual_engine: Engine, start: Starter
) -> None:
    # Given a Distributed Map whose first item fails while the others wait
    arn = start(virtual_engine, _map(_processor(ONE_FAILS)), ITEMS)
    # When it runs
    virtual_engine.run_until_idle()
    # Then the run fails, the Map state and the execution fail with the threshold error
    run_arn = _run_arn(virtual_engine, arn)
    events = virtual_engine.get_execution_history(arn)["events"]
    failed = next(e for e in events if e["type"] == "MapRunFailed")
    threshold = "States.ExceedToleratedFailureThreshold"
    assert failed["mapRunFailedEventDetails"]["error"] == threshold
    assert [e["type"] for e in events][-3:] == ["MapRunFailed", "MapStateFailed", "ExecutionFailed"]
    assert virtual_engine.describe_execution(arn)["error"] == threshold
    # And the waiting children are aborted, and the run counts them so
    statuses = sorted(child["status"] for child in _children(virtual_engine, run_arn))
    assert statuses == ["ABORTED", "ABORTED", "FAILED"]
    described = virtual_engine.describe_map_run(run_arn)
    assert described["status"] == "FAILED"
    assert (described["executionCounts"]["failed"], described["executionCounts"]["aborted"]) == (1, 2)


def test_a_tolerated_failure_keeps_the_run_going(skip_engine: Engine, start: Starter) -> None:
    # Given a Distributed Map that tolerates one failure, whose first item fails
    arn = start(skip_engine, _map(_processor(ONE_FAILS), ToleratedFailureCount=1), ITEMS)
    # When it runs
    skip_engine.run_until_idle()
    # Then it succeeds with the failure in the failed item's place
    assert output_of(skip_engine, arn) == [{"Error": "One", "Cause": "one is bad"}, 2, 3]
    assert skip_engine.describe_map_run(_run_arn(skip_engine, arn))["status"] == "SUCCEEDED"


def test_stopping_the_parent_aborts_its_map_run(virtual_engine: Engine, start: Starter) -> None:
    # Given a running Map Run whose children wait
    arn = start(virtual_engine, _map(_processor(WAIT_THEN_PASS)), ITEMS)
    virtual_engine.run_until_idle()
    run_arn = _run_arn(virtual_engine, arn)
    # When the parent is stopped
    virtual_engine.stop_execution(arn)
    # Then the run and its children are aborted
    assert virtual_engine.describe_map_run(run_arn)["status"] == "ABORTED"
    assert {child["status"] for child in _children(virtual_engine, run_arn)} == {"ABORTED"}


def test_express_children_are_described_but_keep_no_history(skip_engine: Engine, start: Starter) -> None:
    # Given a finished Distributed Map whose children are Express executions
    arn = start(skip_engine, _map(_processor(PASS, "EXPRESS")), ITEMS)
    skip_engine.run_until_idle()
    children = _children(skip_engine, _run_arn(skip_engine, arn))
    child_arn = children[0]["executionArn"]
    # Then a child has an Express ARN and a description, but GetExecutionHistory refuses it
    assert ":express:" in child_arn
    assert skip_engine.describe_execution(child_arn)["status"] == "SUCCEEDED"
    with pytest.raises(ApiError) as refused:
        skip_engine.get_execution_history(child_arn)
    assert refused.value.code == "InvalidArn"
    assert output_of(skip_engine, arn) == ITEMS


def test_redriving_the_parent_redrives_its_map_run_and_the_children_that_did_not_succeed(
    skip_engine: Engine, start: Starter
) -> None:
    # Given a Distributed Map whose item 2 fails the first time only (item 3, still waiting, is then aborted)
    calls = _flaky_task(skip_engine, failing_item=2)
    arn = start(skip_engine, _map(_processor(THIRD_WAITS_FOR_FLAKY_TASK)), ITEMS)
    skip_engine.run_until_idle()
    run_arn = _run_arn(skip_engine, arn)
    first_statuses = {
        json.loads(skip_engine.describe_execution(c["executionArn"])["input"]): c["status"]
        for c in _children(skip_engine, run_arn)
    }
    assert first_statuses == {1: "SUCCEEDED", 2: "FAILED", 3: "ABORTED"}
    # When the parent is redriven
    redrive_and_run(skip_engine, arn)
    # Then the same Map Run is redriven: its failed and aborted children are redriven, item 1 is not rerun
    assert sorted(calls) == [1, 2, 2, 3]
    assert output_of(skip_engine, arn) == ITEMS
    assert _run_arn(skip_engine, arn) == run_arn
    redriven = next(
        e for e in skip_engine.get_execution_history(arn)["events"] if e["type"] == "MapRunRedriven"
    )
    assert redriven["mapRunRedrivenEventDetails"] == {"mapRunArn": run_arn, "redriveCount": 1}
    described = skip_engine.describe_map_run(run_arn)
    assert (described["status"], described["redriveCount"]) == ("SUCCEEDED", 1)
    assert described["redriveDate"] >= described["startDate"]
    children = [skip_engine.describe_execution(c["executionArn"]) for c in _children(skip_engine, run_arn)]
    assert sorted((json.loads(c["input"]), c["status"], c["redriveCount"]) for c in children) == [
        (1, "SUCCEEDED", 0),
        (2, "SUCCEEDED", 1),
        (3, "SUCCEEDED", 1),
    ]


def test_a_redriven_map_run_starts_its_unsuccessful_express_children_anew(
    engine: Engine, start: Starter
) -> None:
    # Given a Distributed Map of Express children whose item 1 fails the first time only
    _flaky_task(engine, failing_item=1)
    arn = start(engine, _map(_processor(FLAKY_TASK, "EXPRESS"), MaxConcurrency=1), ITEMS)
    engine.run_until_idle()
    # When the parent is redriven
    redrive_and_run(engine, arn)
    # Then the failed child stays as it was and new Express children process the items left
    assert output_of(engine, arn) == ITEMS
    children = _children(engine, _run_arn(engine, arn))
    assert sorted(child["status"] for child in children) == ["FAILED", "SUCCEEDED", "SUCCEEDED", "SUCCEEDED"]
    described = engine.describe_map_run(_run_arn(engine, arn))
    assert described["redriveCount"] == 1
    assert (described["executionCounts"]["succeeded"], described["executionCounts"]["failed"]) == (3, 0)


def test_a_map_run_child_is_redriven_only_through_its_parent(skip_engine: Engine, start: Starter) -> None:
    # Given a failed Map Run child
    arn = start(skip_engine, _map(_processor(ONE_FAILS)), [1])
    skip_engine.run_until_idle()
    (child,) = _children(skip_engine, _run_arn(skip_engine, arn))
    # Then it reads as redrivable by its Map Run, and RedriveExecution refuses it
    assert skip_engine.describe_execution(child["executionArn"])["redriveStatus"] == "REDRIVABLE_BY_MAP_RUN"
    with pytest.raises(ApiError) as refused:
        skip_engine.redrive_execution(child["executionArn"])
    assert refused.value.code == "ExecutionNotRedrivable"


@pytest.mark.parametrize(
    ("arguments", "code"),
    [
        ({"map_run_arn": "arn:aws:states:us-east-1:123456789012:mapRun:M/L:nope"}, "ResourceNotFound"),
        ({"map_run_arn": "arn:aws:states:us-east-1:123456789012:execution:M:x"}, "InvalidArn"),
    ],
    ids=["unknown", "malformed"],
)
def test_describe_map_run_refuses_what_is_not_a_map_run(
    skip_engine: Engine, arguments: dict[str, Any], code: str
) -> None:
    with pytest.raises(ApiError) as refused:
        skip_engine.describe_map_run(**arguments)
    assert refused.value.code == code


@pytest.mark.parametrize(
    ("limits", "code"),
    [
        ({}, "ValidationException"),
        ({"max_concurrency": -1}, "ValidationException"),
        ({"tolerated_failure_percentage": 101}, "ValidationException"),
        ({"tolerated_failure_count": -1}, "ValidationException"),
    ],
    ids=["nothing", "negative-concurrency", "percentage-over-100", "negative-count"],
)
def test_update_map_run_validates_the_limits(
    virtual_engine: Engine, start: Starter, limits: dict[str, Any], code: str
) -> None:
    # Given a running Map Run
    arn = start(virtual_engine, _map(_processor(WAIT_THEN_PASS)), ITEMS)
    virtual_engine.run_until_idle()
    # When it is updated with invalid limits; Then it is refused and keeps its limits
    with pytest.raises(ApiError) as refused:
        virtual_engine.update_map_run(_run_arn(virtual_engine, arn), **limits)
    assert refused.value.code == code
    assert virtual_engine.describe_map_run(_run_arn(virtual_engine, arn))["maxConcurrency"] == 0


def test_update_map_run_of_an_unknown_run_is_resource_not_found(skip_engine: Engine) -> None:
    with pytest.raises(ApiError) as refused:
        skip_engine.update_map_run("arn:aws:states:us-east-1:123456789012:mapRun:M/L:nope", max_concurrency=1)
    assert refused.value.code == "ResourceNotFound"


def test_list_map_runs_pages_newest_first(skip_engine: Engine, start: Starter) -> None:
    # Given an execution that ran two Distributed Maps
    definition = _map(_processor(PASS))
    first_map = {key: value for key, value in definition["States"]["M"].items() if key != "End"}
    definition["States"]["M"] = {**first_map, "Next": "N", "Label": "First"}
    definition["States"]["N"] = {
        "Type": "Map",
        "ItemProcessor": _processor(PASS),
        "Label": "Second",
        "End": True,
    }
    arn = start(skip_engine, definition, ITEMS)
    skip_engine.run_until_idle()
    # When its runs are listed one per page
    first = skip_engine.list_map_runs(arn, max_results=1)
    second = skip_engine.list_map_runs(arn, max_results=1, next_token=first["nextToken"])
    # Then the later run comes first, and the second page ends the list
    assert "/Second:" in first["mapRuns"][0]["mapRunArn"]
    assert "/First:" in second["mapRuns"][0]["mapRunArn"]
    assert "nextToken" not in second


def test_a_child_that_ended_before_a_restart_is_told_to_its_map_state(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, start: Starter
) -> None:
    # Given a Distributed Map whose children end while the engine fails to tell the parent (as if it
    # stopped between a child's end and its parent learning of it)
    with _engine_missing("_tell_map_state", tmp_path / "state.db", monkeypatch) as engine:
        arn = start(engine, _map(_processor(WAIT_THEN_PASS)), ITEMS)
        engine.advance(timedelta(seconds=60))
        run_arn = _run_arn(engine, arn)
        assert {child["status"] for child in _children(engine, run_arn)} == {"SUCCEEDED"}
        assert engine.describe_execution(arn)["status"] == "RUNNING"
    # When the engine restarts on the store
    with _engine_on_file(tmp_path / "state.db") as engine:
        engine.run_until_idle()
        # Then the Map state learns of every child, and the run and the parent succeed
        assert output_of(engine, arn) == ITEMS
        assert engine.describe_map_run(run_arn)["status"] == "SUCCEEDED"
