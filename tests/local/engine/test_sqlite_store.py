"""SqliteStore: executions survive closing and reopening the store and resume where they were."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

from local.engine import Engine, SqliteStore, VirtualClock

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
