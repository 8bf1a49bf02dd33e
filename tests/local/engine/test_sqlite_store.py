"""SqliteStore: executions survive closing and reopening the store and resume where they were."""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from local.engine import Engine, RealClock, SkipClock, SqliteStore, VirtualClock

from .conftest import ROLE_ARN, START, history_types, output_of

WAIT_THEN_PASS = {
    "StartAt": "Wait",
    "States": {
        "Wait": {"Type": "Wait", "Seconds": 3600, "Next": "After"},
        "After": {"Type": "Pass", "Parameters": {"resumed.$": "$.order"}, "End": True},
    },
}


def _engine(path: Path, clock: VirtualClock) -> Engine:
    return Engine(clock=clock, store=SqliteStore(path))


def test_waiting_execution_resumes_after_the_store_is_reopened(tmp_path: Path) -> None:
    # Given an execution waiting for an hour in a SQLite store
    clock = VirtualClock(start=START)
    first = _engine(tmp_path / "state.db", clock)
    machine = first.create_state_machine(
        name="Durable", definition=json.dumps(WAIT_THEN_PASS), role_arn=ROLE_ARN
    )
    arn = first.start_execution(machine["stateMachineArn"], input='{"order": 42}')["executionArn"]
    first.run_until_idle()
    first.close()
    # When a new engine opens the same file and the hour passes
    second = _engine(tmp_path / "state.db", clock)
    assert second.describe_execution(arn)["status"] == "RUNNING"
    second.advance(3600)
    # Then the execution finished with the data it had before the restart and a gap-free history
    assert output_of(second, arn) == {"resumed": 42}
    events = second.get_execution_history(arn)["events"]
    assert [e["id"] for e in events] == list(range(1, len(events) + 1))
    assert history_types(second, arn)[-2:] == ["PassStateExited", "ExecutionSucceeded"]
    second.close()


def test_runnable_work_committed_before_a_crash_continues_on_restart(tmp_path: Path) -> None:
    # Given an execution that was about to call a function when the process died (checkpoint committed)
    clock = VirtualClock(start=START)
    first = _engine(tmp_path / "state.db", clock)
    definition = {
        "StartAt": "Call",
        "States": {
            "Call": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f",
                "End": True,
            }
        },
    }
    machine = first.create_state_machine(name="Crashy", definition=json.dumps(definition), role_arn=ROLE_ARN)
    calls: list[Any] = []

    def crash(event: Any, context: Any) -> Any:
        calls.append(event)
        raise SystemExit("the process dies during the call")

    first.register_lambda("f", crash)
    arn = first.start_execution(machine["stateMachineArn"], input='{"n": 1}')["executionArn"]
    with contextlib.suppress(SystemExit):
        first.run_until_idle()
    # When a new engine opens the store (the function now works)
    second = _engine(tmp_path / "state.db", clock)
    second.register_lambda("f", lambda event, context: {"done": event["n"]})
    second.run_until_idle()
    # Then the call was repeated (at least once) and the execution succeeded
    assert len(calls) == 1
    assert output_of(second, arn) == {"done": 1}
    assert history_types(second, arn).count("LambdaFunctionScheduled") == 1
    second.close()


def test_state_machines_tags_and_histories_persist(tmp_path: Path) -> None:
    # Given a finished execution and a tagged state machine
    clock = VirtualClock(start=START)
    first = _engine(tmp_path / "state.db", clock)
    definition = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    machine = first.create_state_machine(
        name="Kept",
        definition=json.dumps(definition),
        role_arn=ROLE_ARN,
        tags=[{"key": "team", "value": "data"}],
    )
    arn = first.start_execution(machine["stateMachineArn"], input="{}")["executionArn"]
    first.run_until_idle()
    first.close()
    # When reopened; Then everything is still there
    second = _engine(tmp_path / "state.db", clock)
    assert second.describe_state_machine(machine["stateMachineArn"])["name"] == "Kept"
    assert second.list_tags_for_resource(machine["stateMachineArn"])["tags"] == [
        {"key": "team", "value": "data"}
    ]
    assert history_types(second, arn) == [
        "ExecutionStarted",
        "PassStateEntered",
        "PassStateExited",
        "ExecutionSucceeded",
    ]
    assert second.list_executions(machine["stateMachineArn"])["executions"][0]["status"] == "SUCCEEDED"
    second.close()


def test_a_virtual_clock_resumes_from_its_saved_position_after_a_restart(tmp_path: Path) -> None:
    # Given a virtual clock advanced 90 minutes by an engine on a SQLite store
    first = _engine(tmp_path / "state.db", VirtualClock(start=START))
    moved_to = first.advance(5400)
    first.close()
    # When a new engine opens the same file with a fresh clock, with or without an (earlier) start
    without_start = _engine(tmp_path / "state.db", VirtualClock())
    resumed_without_start = without_start.now()
    without_start.close()
    with_start = _engine(tmp_path / "state.db", VirtualClock(start=START))
    resumed_with_start = with_start.now()
    with_start.close()
    # Then both continue from where the clock stood, never from their own start
    assert moved_to == START + timedelta(seconds=5400)
    assert resumed_without_start == moved_to
    assert resumed_with_start == moved_to


def test_a_skip_clock_jump_is_saved_and_a_later_explicit_start_still_wins(tmp_path: Path) -> None:
    # Given a skip clock that jumped over a one-hour Wait while running an execution
    first = Engine(clock=SkipClock(start=START), store=SqliteStore(tmp_path / "state.db"))
    machine = first.create_state_machine(
        name="Jumps", definition=json.dumps(WAIT_THEN_PASS), role_arn=ROLE_ARN
    )
    first.start_execution(machine["stateMachineArn"], input='{"order": 1}')
    first.run_until_idle()
    jumped_to = first.now()
    first.close()
    # When reopened with a skip clock and then with a virtual clock that starts a day later
    skip = Engine(clock=SkipClock(), store=SqliteStore(tmp_path / "state.db"))
    resumed = skip.now()
    skip.close()
    later = START + timedelta(days=1)
    virtual = _engine(tmp_path / "state.db", VirtualClock(start=later))
    resumed_later = virtual.now()
    virtual.close()
    # Then the jump survived, and a start later than the saved position is honoured (time only moves on)
    assert jumped_to >= START + timedelta(seconds=3600)
    assert resumed == jumped_to
    assert resumed_later == later


def test_clock_moves_made_directly_on_the_clock_are_saved_too(tmp_path: Path) -> None:
    # Given an engine on a SQLite store whose virtual clock is moved by hand, not through the engine
    clock = VirtualClock(start=START)
    first = _engine(tmp_path / "state.db", clock)
    clock.advance(60)
    clock.set(START + timedelta(minutes=5))
    first.close()
    # When the clock moves after its engine closed, and a new engine opens the file
    clock.advance(3600)
    second = _engine(tmp_path / "state.db", VirtualClock())
    # Then the new engine resumes from the last move its predecessor saw
    assert second.now() == START + timedelta(minutes=5)
    second.close()


def test_a_real_clock_ignores_a_saved_virtual_position(tmp_path: Path) -> None:
    # Given a store whose virtual clock was moved a year ahead
    first = _engine(tmp_path / "state.db", VirtualClock(start=START))
    first.advance(365 * 86400)
    first.close()
    # When an engine on the real clock opens it; Then it reads the wall clock
    second = Engine(clock=RealClock(), store=SqliteStore(tmp_path / "state.db"))
    assert abs((second.now() - datetime.now(UTC)).total_seconds()) < 60
    second.close()


def test_a_skip_clock_jump_is_durable_before_the_work_it_unblocks_calls_out(tmp_path: Path) -> None:
    # Given a skip clock and an execution that waits an hour, then calls a function
    path = tmp_path / "state.db"
    engine = Engine(clock=SkipClock(start=START), store=SqliteStore(path))
    definition = {
        "StartAt": "Wait",
        "States": {
            "Wait": {"Type": "Wait", "Seconds": 3600, "Next": "Call"},
            "Call": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:observe",
                "End": True,
            },
        },
    }
    seen_by_the_function: list[datetime | None] = []

    def observe(event: Any, context: Any) -> Any:
        # What a process opening the file now (after a crash at this point) would find
        reader = SqliteStore(path)
        seen_by_the_function.append(reader.load_clock_position())
        reader.close()
        return {}

    engine.register_lambda("observe", observe)
    machine = engine.create_state_machine(
        name="Observed", definition=json.dumps(definition), role_arn=ROLE_ARN
    )
    engine.start_execution(machine["stateMachineArn"], input="{}")
    # When the clock jumps over the Wait and the function is called
    engine.run_until_idle()
    # Then the jump had been saved before the call, together with the progress that led to it
    assert seen_by_the_function == [START + timedelta(seconds=3600)]
    engine.close()


def test_the_saved_clock_position_never_moves_back(tmp_path: Path) -> None:
    # Given a store holding a clock position
    store = SqliteStore(tmp_path / "state.db")
    store.save_clock_position(START + timedelta(hours=2))
    # When an earlier position and then a later one arrive (e.g. from racing commits)
    store.save_clock_position(START + timedelta(hours=1))
    kept_after_earlier = store.load_clock_position()
    store.save_clock_position(START + timedelta(hours=3, microseconds=5))
    # Then the earlier one was ignored and the later one kept to the microsecond
    assert kept_after_earlier == START + timedelta(hours=2)
    assert store.load_clock_position() == START + timedelta(hours=3, microseconds=5)
    store.close()
