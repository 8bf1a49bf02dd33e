"""A Map Run whose Map state is dropped while the run goes on ends ABORTED, as on AWS: its running children
are stopped, the ones not started yet never start, and the parent's history says MapRunAborted when it goes
on."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from local.engine import Engine

from .conftest import Starter, history_types, output_of
from .test_map_runs import (
    ITEMS,
    WAIT_THEN_PASS,
    _children,
    _engine_missing,
    _engine_on_file,
    _processor,
    _run_arn,
)

FAIL = {"StartAt": "Boom", "States": {"Boom": {"Type": "Fail", "Error": "Boom", "Cause": "the other branch"}}}


def _fanout() -> dict[str, Any]:
    """A Distributed Map of children that wait a minute, two at a time."""
    state = {"Type": "Map", "ItemProcessor": _processor(WAIT_THEN_PASS), "MaxConcurrency": 2, "End": True}
    return {"StartAt": "M", "States": {"M": {**state, "Label": "Each"}}}


def _map_beside_a_failing_branch(**parallel_fields: Any) -> dict[str, Any]:
    """A Parallel state whose first branch runs `_fanout` and whose second branch fails at once."""
    parallel = {"Type": "Parallel", "Branches": [_fanout(), FAIL], "End": True, **parallel_fields}
    return {"StartAt": "Both", "States": {"Both": parallel}}


def _assert_aborted(engine: Engine, run_arn: str, *, started: int) -> None:
    """The run is aborted, its `started` children were stopped and the others never start."""
    described = engine.describe_map_run(run_arn)
    assert described["status"] == "ABORTED"
    assert described["stopDate"] >= described["startDate"]
    counts = described["executionCounts"]
    assert (counts["aborted"], counts["running"], counts["pending"]) == (started, 0, len(ITEMS) - started)
    engine.advance(timedelta(minutes=5))
    children = _children(engine, run_arn)
    assert [child["status"] for child in children] == ["ABORTED"] * started


def test_a_failing_sibling_branch_aborts_the_map_run(virtual_engine: Engine, start: Starter) -> None:
    # Given a Distributed Map in a Parallel branch, beside a branch that fails at once
    arn = start(virtual_engine, _map_beside_a_failing_branch(), ITEMS)
    # When it runs
    virtual_engine.run_until_idle()
    # Then the execution fails with the branch's error, and the Map Run is aborted with its two children
    assert virtual_engine.describe_execution(arn)["error"] == "Boom"
    run_arn = _run_arn(virtual_engine, arn)
    _assert_aborted(virtual_engine, run_arn, started=2)
    # And the parent's history says so, after the run's start
    events = virtual_engine.get_execution_history(arn)["events"]
    started = next(e for e in events if e["type"] == "MapRunStarted")
    aborted = next(e for e in events if e["type"] == "MapRunAborted")
    assert aborted["previousEventId"] == started["id"]
    assert "mapRunAbortedEventDetails" not in aborted


def test_a_catch_around_the_map_aborts_its_run_while_the_execution_goes_on(
    virtual_engine: Engine, start: Starter
) -> None:
    # Given the same Parallel, whose failure is caught
    definition = _map_beside_a_failing_branch(Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Caught"}])
    definition["States"]["Caught"] = {"Type": "Pass", "Result": "caught", "End": True}
    arn = start(virtual_engine, definition, ITEMS)
    # When it runs
    virtual_engine.run_until_idle()
    # Then the execution succeeds through the Catch, and the Map Run is aborted
    assert output_of(virtual_engine, arn) == "caught"
    _assert_aborted(virtual_engine, _run_arn(virtual_engine, arn), started=2)
    assert "MapRunAborted" in history_types(virtual_engine, arn)


def test_a_timed_out_execution_aborts_its_map_run(virtual_engine: Engine, start: Starter) -> None:
    # Given a Distributed Map of waiting children, two at a time, in an execution that times out first
    definition = {"TimeoutSeconds": 30, **_fanout()}
    arn = start(virtual_engine, definition, ITEMS)
    virtual_engine.run_until_idle()
    # When the timeout passes
    virtual_engine.advance(timedelta(seconds=30))
    # Then the execution times out with its own event last, and the run is aborted
    assert history_types(virtual_engine, arn)[-1] == "ExecutionTimedOut"
    assert "MapRunAborted" not in history_types(virtual_engine, arn)
    _assert_aborted(virtual_engine, _run_arn(virtual_engine, arn), started=2)


def test_a_stopped_execution_writes_no_map_run_aborted(virtual_engine: Engine, start: Starter) -> None:
    # Given a running Distributed Map, two children at a time
    arn = start(virtual_engine, _fanout(), ITEMS)
    virtual_engine.run_until_idle()
    # When the execution is stopped
    virtual_engine.stop_execution(arn, error="Enough")
    # Then its history ends with ExecutionAborted alone, and the run is aborted
    assert history_types(virtual_engine, arn)[-2:] == ["MapRunStarted", "ExecutionAborted"]
    _assert_aborted(virtual_engine, _run_arn(virtual_engine, arn), started=2)


def test_an_aborted_run_whose_children_were_not_stopped_before_a_restart_stops_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, start: Starter
) -> None:
    # Given a Map Run aborted by a failing sibling branch, while the engine fails to stop its children (as if
    # it stopped between the abort and stopping them)
    with _engine_missing("_stop_running_children", tmp_path / "state.db", monkeypatch) as engine:
        arn = start(engine, _map_beside_a_failing_branch(), ITEMS)
        engine.run_until_idle()
        run_arn = _run_arn(engine, arn)
        assert engine.describe_map_run(run_arn)["executionCounts"]["running"] == 2
    # When the engine restarts on the store
    with _engine_on_file(tmp_path / "state.db") as engine:
        # Then the run's children are stopped, and no other starts
        _assert_aborted(engine, run_arn, started=2)
