"""`.waitForTaskToken`: SendTaskSuccess/Failure/Heartbeat, task timeouts and token errors."""

from __future__ import annotations

from typing import Any

import pytest

from local.engine import ApiError, Engine

from .conftest import Starter, history_types, output_of


def _callback_machine(timeout: int | None = None, heartbeat: int | None = None) -> dict[str, Any]:
    task: dict[str, Any] = {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
        "Parameters": {
            "FunctionName": "notify",
            "Payload": {"token.$": "$$.Task.Token", "order.$": "$.order"},
        },
        "End": True,
    }
    if timeout is not None:
        task["TimeoutSeconds"] = timeout
    if heartbeat is not None:
        task["HeartbeatSeconds"] = heartbeat
    return {"StartAt": "Approve", "States": {"Approve": task}}


@pytest.fixture
def tokens(virtual_engine: Engine) -> list[str]:
    """Tokens the `notify` function received."""
    received: list[str] = []
    virtual_engine.register_lambda("notify", lambda event, context: received.append(event["token"]))
    return received


def test_send_task_success_completes_the_task(
    virtual_engine: Engine, start: Starter, tokens: list[str]
) -> None:
    # Given a task waiting for its token
    arn = start(virtual_engine, _callback_machine(), {"order": 5})
    virtual_engine.run_until_idle()
    assert virtual_engine.describe_execution(arn)["status"] == "RUNNING"
    # When the token is sent back with an output
    virtual_engine.send_task_success(task_token=tokens[0], output='{"approved": true}')
    virtual_engine.run_until_idle()
    # Then the task's output is the callback output
    assert output_of(virtual_engine, arn) == {"approved": True}
    assert history_types(virtual_engine, arn)[2:6] == [
        "TaskScheduled",
        "TaskStarted",
        "TaskSubmitted",
        "TaskSucceeded",
    ]


def test_send_task_failure_fails_the_task(virtual_engine: Engine, start: Starter, tokens: list[str]) -> None:
    # Given a waiting task; When the token is failed
    arn = start(virtual_engine, _callback_machine(), {"order": 5})
    virtual_engine.run_until_idle()
    virtual_engine.send_task_failure(task_token=tokens[0], error="Rejected", cause="not today")
    virtual_engine.run_until_idle()
    # Then the execution failed with that error
    described = virtual_engine.describe_execution(arn)
    assert (described["status"], described["error"], described["cause"]) == (
        "FAILED",
        "Rejected",
        "not today",
    )


def test_a_used_or_unknown_token_is_rejected(
    virtual_engine: Engine, start: Starter, tokens: list[str]
) -> None:
    # Given a token that was already used
    start(virtual_engine, _callback_machine(), {"order": 5})
    virtual_engine.run_until_idle()
    virtual_engine.send_task_success(task_token=tokens[0], output="{}")
    virtual_engine.run_until_idle()
    # When it is used again, or a made-up token is used; Then TaskDoesNotExist
    for token in (tokens[0], "no-such-token"):
        with pytest.raises(ApiError) as raised:
            virtual_engine.send_task_success(task_token=token, output="{}")
        assert raised.value.code == "TaskDoesNotExist"
    with pytest.raises(ApiError) as invalid:
        virtual_engine.send_task_heartbeat(task_token="")
    assert invalid.value.code == "InvalidToken"


def test_invalid_output_is_rejected(virtual_engine: Engine, start: Starter, tokens: list[str]) -> None:
    # Given a waiting task; When the output is not JSON; Then InvalidOutput and the task still waits
    arn = start(virtual_engine, _callback_machine(), {"order": 5})
    virtual_engine.run_until_idle()
    with pytest.raises(ApiError) as raised:
        virtual_engine.send_task_success(task_token=tokens[0], output="{nope")
    assert raised.value.code == "InvalidOutput"
    assert virtual_engine.describe_execution(arn)["status"] == "RUNNING"


def test_task_times_out_without_a_callback(virtual_engine: Engine, start: Starter, tokens: list[str]) -> None:
    # Given TimeoutSeconds 60; When 60 s pass without a callback
    arn = start(virtual_engine, _callback_machine(timeout=60), {"order": 5})
    virtual_engine.advance(59)
    assert virtual_engine.describe_execution(arn)["status"] == "RUNNING"
    virtual_engine.advance(1)
    # Then the task timed out
    assert virtual_engine.describe_execution(arn)["error"] == "States.Timeout"
    assert "TaskTimedOut" in history_types(virtual_engine, arn)


def test_heartbeats_keep_a_task_alive(virtual_engine: Engine, start: Starter, tokens: list[str]) -> None:
    # Given HeartbeatSeconds 10
    arn = start(virtual_engine, _callback_machine(timeout=100, heartbeat=10), {"order": 5})
    # When a heartbeat arrives every 8 s for 40 s; Then the task is still waiting
    for _ in range(5):
        virtual_engine.advance(8)
        virtual_engine.send_task_heartbeat(task_token=tokens[0])
    assert virtual_engine.describe_execution(arn)["status"] == "RUNNING"
    # When heartbeats stop; Then the task fails with States.HeartbeatTimeout
    virtual_engine.advance(10)
    assert virtual_engine.describe_execution(arn)["error"] == "States.HeartbeatTimeout"


def test_skip_clock_does_not_jump_to_a_token_timeout(skip_engine: Engine, start: Starter) -> None:
    # Given a task waiting for a token with a one-day timeout on a skip clock
    skip_engine.register_lambda("notify", lambda event, context: None)
    arn = start(skip_engine, _callback_machine(timeout=86400), {"order": 5})
    before = skip_engine.now()
    # When the engine runs until idle; Then time did not jump and the task still waits for its token
    skip_engine.run_until_idle()
    assert skip_engine.now() == before
    assert skip_engine.describe_execution(arn)["status"] == "RUNNING"
