"""SqliteStore layout versions: a new file records its version, a file from before versioning or of an earlier
layout is upgraded in place with its executions intact, a file from a newer engine is refused and left as it
was."""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from local.engine import Engine, SqliteStore, StoreVersionError, VirtualClock
from local.engine.store_sqlite_schema import MIGRATIONS, SCHEMA_VERSION
from tests.local.local_command import run_local_command

from .conftest import START, history_types, output_of

BEFORE_VERSIONING = Path(__file__).parent / "data" / "store_before_versioning.sql"
ARN_PREFIX = "arn:aws:states:us-east-1:123456789012"
FINISHED = f"{ARN_PREFIX}:execution:Waits:finished"
WAITING = f"{ARN_PREFIX}:execution:Waits:waiting"
CALLBACK = f"{ARN_PREFIX}:execution:Asks:callback"
WAITS = f"{ARN_PREFIX}:stateMachine:Waits"
LAYOUT_BEFORE_VERSIONS_AND_ALIASES = 1
LAYOUT_BEFORE_ACTIVITIES = 2
LAYOUT_BEFORE_MAP_RUNS = 3
LAYOUT_BEFORE_MAP_RUN_CHILDREN = 4
LAYOUT_BEFORE_MAP_RUN_COUNTS = 5
# What each later layout added, dropped from a store written now to make it a store of an earlier layout.
ADDED_SINCE = {
    LAYOUT_BEFORE_MAP_RUN_CHILDREN: ("DROP TABLE map_run_counts", "DROP TABLE map_run_children"),
    LAYOUT_BEFORE_MAP_RUN_COUNTS: (
        "DROP TRIGGER map_run_child_started",
        "DROP TRIGGER map_run_child_changed",
        "DROP TABLE map_run_counts",
    ),
}
OTHER_ROLE_ARN = "arn:aws:iam::123456789012:role/other"


def _user_version(path: Path) -> int:
    with sqlite3.connect(path) as db:
        return int(db.execute("PRAGMA user_version").fetchone()[0])


def _store_before_versioning(path: Path) -> Path:
    with sqlite3.connect(path) as db:
        db.executescript(BEFORE_VERSIONING.read_text(encoding="utf-8"))
    assert _user_version(path) == 0
    return path


def _task_token(engine: Engine, execution_arn: str) -> str:
    scheduled = next(
        event
        for event in engine.get_execution_history(execution_arn)["events"]
        if event["type"] == "TaskScheduled"
    )
    token: str = json.loads(scheduled["taskScheduledEventDetails"]["parameters"])["Payload"]["token"]
    return token


def test_a_new_store_records_the_current_layout_version(tmp_path: Path) -> None:
    SqliteStore(tmp_path / "state.db").close()
    assert _user_version(tmp_path / "state.db") == SCHEMA_VERSION


def test_a_store_from_before_versioning_is_upgraded_with_its_executions_intact(tmp_path: Path) -> None:
    # Given a store as the engine wrote it before stores recorded their layout version
    path = _store_before_versioning(tmp_path / "state.db")
    # When this engine opens it
    with Engine(clock=VirtualClock(), store=SqliteStore(path)) as engine:
        # Then the file records the current version
        assert _user_version(path) == SCHEMA_VERSION
        # And the clock, the machines, their tags and the finished execution are as they were
        assert engine.now() == START + timedelta(hours=1, minutes=1)
        machines = engine.list_state_machines()["stateMachines"]
        assert [m["name"] for m in machines] == ["Waits", "Asks"]
        tags = engine.list_tags_for_resource(machines[0]["stateMachineArn"])["tags"]
        assert tags == [{"key": "team", "value": "local"}]
        assert output_of(engine, FINISHED) == {"resumed": 1}
        assert history_types(engine, FINISHED)[-1] == "ExecutionSucceeded"
        # And the waiting execution's timer and the callback's token still work
        engine.advance(timedelta(hours=1))
        assert output_of(engine, WAITING) == {"resumed": 2}
        engine.send_task_success(_task_token(engine, CALLBACK), '{"answer": 42}')
        engine.run_until_idle()
        assert engine.describe_execution(CALLBACK)["status"] == "SUCCEEDED"
        events = engine.get_execution_history(WAITING)["events"]
        assert [e["id"] for e in events] == list(range(1, len(events) + 1))


def test_an_upgraded_store_opens_while_another_connection_writes(tmp_path: Path) -> None:
    # Given an upgraded store, and another connection in the middle of a write (an engine committing)
    path = _store_before_versioning(tmp_path / "state.db")
    SqliteStore(path).close()
    with sqlite3.connect(path, isolation_level=None) as writer:
        writer.execute("BEGIN IMMEDIATE")
        # When it is opened again; Then it opens without waiting for the lock and reads the executions
        store = SqliteStore(path)
        assert [r.name for r in store.list_executions(None)] == ["callback", "waiting", "finished"]
        store.close()
        writer.execute("ROLLBACK")
    assert _user_version(path) == SCHEMA_VERSION


def _store_of_layout(path: Path, version: int) -> Path:
    """The dumped store brought to layout `version` by the steps of that time, as that engine left it."""
    with sqlite3.connect(path) as db:
        db.executescript(BEFORE_VERSIONING.read_text(encoding="utf-8"))
        for step in MIGRATIONS[:version]:
            for statement in step:
                db.execute(statement)
        db.execute(f"PRAGMA user_version = {version}")
    return path


def test_a_store_of_the_layout_before_versions_gains_versions_and_aliases(tmp_path: Path) -> None:
    # Given a store of the layout before state machine versions and aliases
    path = _store_of_layout(tmp_path / "state.db", LAYOUT_BEFORE_VERSIONS_AND_ALIASES)
    # When this engine opens it, publishes a version of Waits, routes an alias to it and starts through it
    with Engine(clock=VirtualClock(), store=SqliteStore(path)) as engine:
        assert _user_version(path) == SCHEMA_VERSION
        first = engine.publish_state_machine_version(WAITS, description="as stored")["stateMachineVersionArn"]
        routing = [{"stateMachineVersionArn": first, "weight": 100}]
        alias = engine.create_state_machine_alias("live", routing)["stateMachineAliasArn"]
        started = engine.start_execution(alias, input='{"order": 3}', name="through-alias")["executionArn"]
    # Then after a restart the version, the alias and what the execution started through are all there
    with Engine(clock=VirtualClock(), store=SqliteStore(path)) as engine:
        versions = engine.list_state_machine_versions(WAITS)["stateMachineVersions"]
        assert [v["stateMachineVersionArn"] for v in versions] == [f"{WAITS}:1"]
        assert engine.describe_state_machine(first)["description"] == "as stored"
        assert engine.describe_state_machine_alias(alias)["routingConfiguration"] == routing
        described = engine.describe_execution(started)
        assert (described["stateMachineAliasArn"], described["stateMachineVersionArn"]) == (alias, first)
        # And the execution still finishes, and the next version published is number 2
        engine.advance(timedelta(hours=1))
        assert output_of(engine, started) == {"resumed": 3}
        engine.update_state_machine(WAITS, role_arn=OTHER_ROLE_ARN)
        assert engine.publish_state_machine_version(WAITS)["stateMachineVersionArn"] == f"{WAITS}:2"
        # And deleting the state machine removes its versions and aliases from the file
        engine.delete_state_machine(WAITS)
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT COUNT(*) FROM state_machine_versions").fetchone()[0] == 0
        assert db.execute("SELECT COUNT(*) FROM state_machine_aliases").fetchone()[0] == 0


def test_a_store_of_the_layout_before_activities_gains_activities(tmp_path: Path) -> None:
    # Given a store of the layout before activities, with an execution waiting an hour
    path = _store_of_layout(tmp_path / "state.db", LAYOUT_BEFORE_ACTIVITIES)
    # When this engine opens it, creates an activity and starts an execution that asks it
    with Engine(clock=VirtualClock(), store=SqliteStore(path)) as engine:
        assert _user_version(path) == SCHEMA_VERSION
        activity = engine.create_activity("Approve")["activityArn"]
        asks = {"StartAt": "Ask", "States": {"Ask": {"Type": "Task", "Resource": activity, "End": True}}}
        machine = engine.create_state_machine("Asks2", json.dumps(asks), "arn:aws:iam::123456789012:role/r")
        started = engine.start_execution(machine["stateMachineArn"], input='{"ask": 1}')["executionArn"]
        engine.run_until_idle()
    # Then after a restart the activity is there, its task waits for a worker, the stored execution resumes
    with Engine(clock=VirtualClock(), store=SqliteStore(path), activity_poll_seconds=0) as engine:
        assert engine.describe_activity(activity)["name"] == "Approve"
        task = engine.get_activity_task(activity, worker_name="w")
        assert json.loads(task["input"]) == {"ask": 1}
        engine.send_task_success(task["taskToken"], '"approved"')
        engine.run_until_idle()
        assert output_of(engine, started) == "approved"
        engine.advance(timedelta(hours=1))
        assert output_of(engine, WAITING) == {"resumed": 2}


def test_a_store_of_the_layout_before_map_runs_keeps_map_runs_across_a_restart(tmp_path: Path) -> None:
    # Given a store of the layout before Map Runs, and a Distributed Map whose two children wait an hour
    path = _store_of_layout(tmp_path / "state.db", LAYOUT_BEFORE_MAP_RUNS)
    processor = {
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
        "StartAt": "Wait",
        "States": {"Wait": {"Type": "Wait", "Seconds": 3600, "End": True}},
    }
    fanout = {"StartAt": "M", "States": {"M": {"Type": "Map", "ItemProcessor": processor, "End": True}}}
    with Engine(clock=VirtualClock(), store=SqliteStore(path)) as engine:
        assert _user_version(path) == SCHEMA_VERSION
        machine = engine.create_state_machine("Fanout", json.dumps(fanout), OTHER_ROLE_ARN)["stateMachineArn"]
        started = engine.start_execution(machine, input="[1, 2]")["executionArn"]
        engine.run_until_idle()
        run_arn = engine.list_map_runs(started)["mapRuns"][0]["mapRunArn"]
    # When the engine restarts on it and the hour passes
    with Engine(clock=VirtualClock(), store=SqliteStore(path)) as engine:
        assert engine.describe_map_run(run_arn)["executionCounts"]["running"] == 2
        engine.advance(timedelta(hours=1))
        # Then the children end, the Map state learns it, and the run and the parent succeed
        assert output_of(engine, started) == [1, 2]
        assert engine.describe_map_run(run_arn)["status"] == "SUCCEEDED"
        children = engine.list_executions(map_run_arn=run_arn)["executions"]
        assert {child["status"] for child in children} == {"SUCCEEDED"}
        assert len(children) == 2


@pytest.mark.parametrize(
    "layout", [LAYOUT_BEFORE_MAP_RUN_CHILDREN, LAYOUT_BEFORE_MAP_RUN_COUNTS], ids=["children", "counts"]
)
def test_a_store_of_a_layout_before_map_run_children_were_kept_finds_and_counts_them(
    tmp_path: Path, layout: int
) -> None:
    # Given a store of the layout before Map Run children were indexed (or counted), holding a Map Run whose
    # first two children wait an hour and whose third waits its turn (the layouts that followed only added
    # tables: a store written now, those dropped, is such a store)
    path = tmp_path / "state.db"
    processor = {
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
        "StartAt": "Wait",
        "States": {"Wait": {"Type": "Wait", "Seconds": 3600, "End": True}},
    }
    map_state = {"Type": "Map", "ItemProcessor": processor, "MaxConcurrency": 2, "End": True}
    fanout = {"StartAt": "M", "States": {"M": map_state}}
    with Engine(clock=VirtualClock(), store=SqliteStore(path)) as engine:
        machine = engine.create_state_machine("Fanout", json.dumps(fanout), OTHER_ROLE_ARN)["stateMachineArn"]
        started = engine.start_execution(machine, input="[1, 2, 3]")["executionArn"]
        engine.run_until_idle()
        run_arn = engine.list_map_runs(started)["mapRuns"][0]["mapRunArn"]
    with sqlite3.connect(path) as db:
        for statement in ADDED_SINCE[layout]:
            db.execute(statement)
        db.execute(f"PRAGMA user_version = {layout}")
    # When this engine opens it
    with Engine(clock=VirtualClock(), store=SqliteStore(path)) as engine:
        assert _user_version(path) == SCHEMA_VERSION
        # Then it finds and counts the run's children
        counts = engine.describe_map_run(run_arn)["executionCounts"]
        assert (counts["running"], counts["pending"], counts["total"]) == (2, 1, 3)
        assert len(engine.list_executions(map_run_arn=run_arn)["executions"]) == 2
        # And once the children end, the last one starts and the run and the parent succeed
        engine.advance(timedelta(hours=2))
        assert output_of(engine, started) == [1, 2, 3]
        described = engine.describe_map_run(run_arn)
        assert (described["status"], described["executionCounts"]["succeeded"]) == ("SUCCEEDED", 3)


def _store_from_a_newer_engine(path: Path) -> Path:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE layout_of_the_future (id INTEGER PRIMARY KEY)")
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    return path


def test_a_store_from_a_newer_engine_is_refused_and_left_alone(tmp_path: Path) -> None:
    # Given a store whose layout is newer than this engine knows
    path = _store_from_a_newer_engine(tmp_path / "state.db")
    # When this engine opens it; Then it refuses, saying what to do
    with pytest.raises(StoreVersionError, match="newer version") as refused:
        SqliteStore(path)
    assert f"version {SCHEMA_VERSION + 1}" in str(refused.value)
    assert "move the file away" in str(refused.value)
    # And the file is as it was: no table of this engine's layout was added
    with sqlite3.connect(path) as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        journal_mode = db.execute("PRAGMA journal_mode").fetchone()[0]
    assert tables == {"layout_of_the_future"}
    assert journal_mode == "delete"
    assert _user_version(path) == SCHEMA_VERSION + 1


def test_the_sfn_command_names_a_store_from_a_newer_engine(tmp_path: Path) -> None:
    # Given a state directory holding a store from a newer engine
    _store_from_a_newer_engine(tmp_path / "sfn.sqlite3")
    # When `python -m local sfn` starts on it
    result = run_local_command(["sfn", "--port", "0", "--state-dir", str(tmp_path)])
    # Then it refuses in one line naming the option, the file and what to do, without a traceback
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(f"error: --state-dir {tmp_path}: cannot use {tmp_path / 'sfn.sqlite3'}")
    assert "newer version" in result.stderr
