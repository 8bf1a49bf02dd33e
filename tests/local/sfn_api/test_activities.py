"""Activities through boto3: the activity operations, workers taking tasks with GetActivityTask, activity
Task states answered with SendTaskSuccess/Failure/Heartbeat, their timeouts on a virtual clock, and tasks that
wait for a worker across a restart."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from local.engine import Engine, MemoryStore, SqliteStore, VirtualClock
from local.sfn_api import SfnApiServer
from tests.local.sfn_api.helpers import CLOCK_START, ROLE_ARN, definition, make_client, wait_for_status
from tests.local.sfn_api.sfn_process import SfnProcess

Names = Callable[[str], str]
POLL_SECONDS = 1.0  # the engine's long poll, shortened for these tests (AWS holds it 60 seconds)


@pytest.fixture
def engine() -> Iterator[Engine]:
    engine = Engine(
        clock=VirtualClock(start=CLOCK_START), store=MemoryStore(), activity_poll_seconds=POLL_SECONDS
    )
    engine.start()
    yield engine
    engine.close()


def _error_code(call: Callable[[], Any]) -> str:
    with pytest.raises(ClientError) as caught:
        call()
    return str(caught.value.response["Error"]["Code"])


def _activity_machine(activity_arn: str, **task: Any) -> str:
    """Asks the activity; a failure named Boom ends in the Handled state."""
    return definition(
        {
            "Ask": {
                "Type": "Task",
                "Resource": activity_arn,
                "Catch": [{"ErrorEquals": ["Boom"], "ResultPath": "$.caught", "Next": "Handled"}],
                "End": True,
                **task,
            },
            "Handled": {"Type": "Pass", "End": True},
        },
        "Ask",
    )


def _start(sfn: Any, name: str, machine: str, payload: Any) -> str:
    machine_arn = sfn.create_state_machine(name=name, definition=machine, roleArn=ROLE_ARN)["stateMachineArn"]
    return str(sfn.start_execution(stateMachineArn=machine_arn, input=json.dumps(payload))["executionArn"])


def _history(sfn: Any, execution_arn: str) -> list[dict[str, Any]]:
    return list(sfn.get_execution_history(executionArn=execution_arn)["events"])


def _wait_for_event(sfn: Any, execution_arn: str, event_type: str) -> dict[str, Any]:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for event in _history(sfn, execution_arn):
            if event["type"] == event_type:
                return event
        time.sleep(0.02)
    raise AssertionError(f"{execution_arn} recorded no {event_type}")


def _activity_events(sfn: Any, execution_arn: str) -> list[dict[str, Any]]:
    return [e for e in _history(sfn, execution_arn) if e["type"].startswith("Activity")]


def test_create_describe_list_and_delete_activities(sfn: Any, unique_name: Names) -> None:
    # Given two activities
    first_name, second_name = unique_name("First"), unique_name("Second")
    first = sfn.create_activity(name=first_name)
    second = sfn.create_activity(name=second_name)
    # Then creating one again returns it unchanged
    assert sfn.create_activity(name=first_name)["activityArn"] == first["activityArn"]
    assert first["activityArn"] == f"arn:aws:states:us-east-1:123456789012:activity:{first_name}"
    described = sfn.describe_activity(activityArn=first["activityArn"])
    assert (described["name"], described["creationDate"]) == (first_name, first["creationDate"])
    # And pages of one list both, a page token staying good while a third is created between the pages
    page = sfn.list_activities(maxResults=1)
    third = sfn.create_activity(name=unique_name("Third"))
    rest = sfn.list_activities(maxResults=10, nextToken=page["nextToken"])
    listed = [a["activityArn"] for a in page["activities"] + rest["activities"]]
    assert listed == [first["activityArn"], second["activityArn"], third["activityArn"]]
    assert "nextToken" not in rest
    # When one is deleted (twice: the second time is no error either)
    sfn.delete_activity(activityArn=second["activityArn"])
    sfn.delete_activity(activityArn=second["activityArn"])
    # Then it is gone, and malformed ARNs are refused
    gone = second["activityArn"]
    assert _error_code(lambda: sfn.describe_activity(activityArn=gone)) == "ActivityDoesNotExist"
    assert _error_code(lambda: sfn.get_activity_task(activityArn=gone)) == "ActivityDoesNotExist"
    assert _error_code(lambda: sfn.describe_activity(activityArn="arn:aws:states:::nope")) == "InvalidArn"
    with pytest.raises(ClientError) as refused:
        sfn.create_activity(name="has space$")
    assert refused.value.response["Error"] == {"Code": "InvalidName", "Message": "Invalid Name: 'has space$'"}
    assert len(sfn.list_activities()["activities"]) == 2


def test_activities_carry_tags(sfn: Any, unique_name: Names) -> None:
    # Given an activity created with a tag
    name = unique_name("Tagged")
    activity_arn = sfn.create_activity(name=name, tags=[{"key": "team", "value": "ops"}])["activityArn"]
    # When tags are added and removed
    sfn.tag_resource(resourceArn=activity_arn, tags=[{"key": "tier", "value": "gold"}])
    sfn.untag_resource(resourceArn=activity_arn, tagKeys=["team"])
    # Then the activity lists the tags left, and creating it again with other tags is refused
    assert sfn.list_tags_for_resource(resourceArn=activity_arn)["tags"] == [{"key": "tier", "value": "gold"}]
    other_tags = [{"key": "tier", "value": "silver"}]
    assert _error_code(lambda: sfn.create_activity(name=name, tags=other_tags)) == "ActivityAlreadyExists"
    # And a deleted activity has no tags to list
    sfn.delete_activity(activityArn=activity_arn)
    assert _error_code(lambda: sfn.list_tags_for_resource(resourceArn=activity_arn)) == "ResourceNotFound"


def test_a_worker_takes_the_task_and_answers_success(sfn: Any, unique_name: Names) -> None:
    # Given an activity, and a worker thread polling it
    activity_arn = sfn.create_activity(name=unique_name("Work"))["activityArn"]
    taken: list[dict[str, Any]] = []

    def worker() -> None:
        task = sfn.get_activity_task(activityArn=activity_arn, workerName="worker-1")
        taken.append(task)
        result = {"doubled": json.loads(task["input"])["n"] * 2}
        sfn.send_task_success(taskToken=task["taskToken"], output=json.dumps(result))

    polling = threading.Thread(target=worker)
    polling.start()
    # When an execution asks the activity
    machine = _activity_machine(activity_arn, TimeoutSeconds=300, HeartbeatSeconds=60)
    execution_arn = _start(sfn, unique_name("Asks"), machine, {"n": 21})
    polling.join(timeout=10)
    # Then the worker got the task's input and the execution the worker's output
    assert json.loads(taken[0]["input"]) == {"n": 21}
    done = wait_for_status(sfn, execution_arn)
    assert done["status"] == "SUCCEEDED"
    assert json.loads(done["output"]) == {"doubled": 42}
    # And the history tells the activity's story as AWS does
    scheduled, started, succeeded = _activity_events(sfn, execution_arn)
    assert scheduled["type"] == "ActivityScheduled"
    assert scheduled["activityScheduledEventDetails"] == {
        "resource": activity_arn,
        "input": '{"n":21}',
        "inputDetails": {"truncated": False},
        "timeoutInSeconds": 300,
        "heartbeatInSeconds": 60,
    }
    assert started["type"] == "ActivityStarted"
    assert started["activityStartedEventDetails"] == {"workerName": "worker-1"}
    assert succeeded["type"] == "ActivitySucceeded"
    assert json.loads(succeeded["activitySucceededEventDetails"]["output"]) == {"doubled": 42}


def test_a_failure_the_worker_reports_is_caught(sfn: Any, unique_name: Names) -> None:
    # Given an execution whose activity task waits for a worker
    activity_arn = sfn.create_activity(name=unique_name("Fails"))["activityArn"]
    execution_arn = _start(sfn, unique_name("Catches"), _activity_machine(activity_arn), {"n": 1})
    _wait_for_event(sfn, execution_arn, "ActivityScheduled")
    # When a worker takes it and reports the failure Boom
    task = sfn.get_activity_task(activityArn=activity_arn)
    sfn.send_task_failure(taskToken=task["taskToken"], error="Boom", cause="it broke")
    # Then the Catch handled it, and the history records ActivityFailed
    done = wait_for_status(sfn, execution_arn)
    assert done["status"] == "SUCCEEDED"
    assert json.loads(done["output"])["caught"] == {"Error": "Boom", "Cause": "it broke"}
    failed = _activity_events(sfn, execution_arn)[-1]
    assert failed["type"] == "ActivityFailed"
    assert failed["activityFailedEventDetails"] == {"error": "Boom", "cause": "it broke"}
    # And the worker no longer holds a live token
    assert _error_code(lambda: sfn.send_task_success(taskToken=task["taskToken"], output="{}")) in (
        "TaskDoesNotExist",
        "TaskTimedOut",
    )


def test_a_retry_schedules_the_activity_again(sfn: Any, engine: Engine, unique_name: Names) -> None:
    # Given an activity task that retries the error Flaky once, after 5 seconds
    activity_arn = sfn.create_activity(name=unique_name("Flaky"))["activityArn"]
    retry = [{"ErrorEquals": ["Flaky"], "IntervalSeconds": 5, "MaxAttempts": 1}]
    execution_arn = _start(sfn, unique_name("Retries"), _activity_machine(activity_arn, Retry=retry), {})
    _wait_for_event(sfn, execution_arn, "ActivityScheduled")
    # When the first attempt fails with Flaky and the backoff passes
    first = sfn.get_activity_task(activityArn=activity_arn)
    sfn.send_task_failure(taskToken=first["taskToken"], error="Flaky")
    _wait_for_event(sfn, execution_arn, "ActivityFailed")
    engine.advance(5)
    # Then a worker gets a second task, whose success ends the execution
    second = sfn.get_activity_task(activityArn=activity_arn)
    assert second["taskToken"] != first["taskToken"]
    sfn.send_task_success(taskToken=second["taskToken"], output='"ok"')
    assert wait_for_status(sfn, execution_arn)["status"] == "SUCCEEDED"
    types = [e["type"] for e in _activity_events(sfn, execution_arn)]
    attempt = ["ActivityScheduled", "ActivityStarted"]
    assert types == [*attempt, "ActivityFailed", *attempt, "ActivitySucceeded"]


def test_heartbeats_keep_a_task_alive_until_one_is_missed(
    sfn: Any, engine: Engine, unique_name: Names
) -> None:
    # Given a task a worker took, with HeartbeatSeconds 10
    activity_arn = sfn.create_activity(name=unique_name("Beats"))["activityArn"]
    machine = _activity_machine(activity_arn, HeartbeatSeconds=10)
    execution_arn = _start(sfn, unique_name("Heartbeats"), machine, {})
    _wait_for_event(sfn, execution_arn, "ActivityScheduled")
    engine.advance(30)  # the heartbeat counts from when a worker takes the task, not from scheduling
    task = sfn.get_activity_task(activityArn=activity_arn, workerName="slow")
    # When the worker beats at 8 seconds, the task is alive at 15
    engine.advance(8)
    sfn.send_task_heartbeat(taskToken=task["taskToken"])
    engine.advance(7)
    assert sfn.describe_execution(executionArn=execution_arn)["status"] == "RUNNING"
    # Then 10 seconds after the last beat it times out with States.HeartbeatTimeout
    engine.advance(3)
    done = wait_for_status(sfn, execution_arn)
    assert (done["status"], done["error"]) == ("FAILED", "States.HeartbeatTimeout")
    timed_out = _activity_events(sfn, execution_arn)[-1]
    assert timed_out["type"] == "ActivityTimedOut"
    assert timed_out["activityTimedOutEventDetails"] == {"error": "States.HeartbeatTimeout"}
    assert _error_code(lambda: sfn.send_task_success(taskToken=task["taskToken"], output="{}")) in (
        "TaskDoesNotExist",
        "TaskTimedOut",
    )


def test_a_task_no_worker_takes_times_out(sfn: Any, engine: Engine, unique_name: Names) -> None:
    # Given an activity task with TimeoutSeconds 30 that no worker takes
    activity_arn = sfn.create_activity(name=unique_name("Idle"))["activityArn"]
    machine = _activity_machine(activity_arn, TimeoutSeconds=30)
    execution_arn = _start(sfn, unique_name("TimesOut"), machine, {})
    _wait_for_event(sfn, execution_arn, "ActivityScheduled")
    # When 30 seconds pass
    engine.advance(30)
    # Then it failed with States.Timeout, and a worker polling later gets nothing
    done = wait_for_status(sfn, execution_arn)
    assert (done["status"], done["error"]) == ("FAILED", "States.Timeout")
    types = [e["type"] for e in _activity_events(sfn, execution_arn)]
    assert types == ["ActivityScheduled", "ActivityTimedOut"]
    assert "taskToken" not in sfn.get_activity_task(activityArn=activity_arn)


def test_the_task_of_a_stopped_execution_goes_to_no_worker(sfn: Any, unique_name: Names) -> None:
    # Given two executions whose tasks wait for a worker, the first of which is stopped
    activity_arn = sfn.create_activity(name=unique_name("Stops"))["activityArn"]
    machine = _activity_machine(activity_arn)
    stopped_arn = _start(sfn, unique_name("Stopped"), machine, {"which": "stopped"})
    _wait_for_event(sfn, stopped_arn, "ActivityScheduled")
    running_arn = sfn.start_execution(
        stateMachineArn=sfn.describe_execution(executionArn=stopped_arn)["stateMachineArn"],
        input='{"which": "running"}',
    )["executionArn"]
    _wait_for_event(sfn, running_arn, "ActivityScheduled")
    sfn.stop_execution(executionArn=stopped_arn)
    # When workers poll
    task = sfn.get_activity_task(activityArn=activity_arn)
    # Then only the running execution's task is handed out, and the stopped one records no ActivityStarted
    assert json.loads(task["input"]) == {"which": "running"}
    assert "taskToken" not in sfn.get_activity_task(activityArn=activity_arn)
    assert "ActivityStarted" not in [e["type"] for e in _history(sfn, stopped_arn)]


def test_a_poll_without_tasks_answers_empty_and_blocks_no_one(sfn: Any, unique_name: Names) -> None:
    # Given an activity nothing schedules, and a worker polling it
    activity_arn = sfn.create_activity(name=unique_name("Quiet"))["activityArn"]
    answers: list[dict[str, Any]] = []
    began = time.monotonic()
    polling = threading.Thread(target=lambda: answers.append(sfn.get_activity_task(activityArn=activity_arn)))
    polling.start()
    # When other calls are made while it polls, they are answered at once
    other = make_client(sfn.meta.endpoint_url)
    assert other.describe_activity(activityArn=activity_arn)["activityArn"] == activity_arn
    assert polling.is_alive()
    polling.join(timeout=10)
    # Then the poll answers without a task once the poll time is over
    assert time.monotonic() - began >= POLL_SECONDS
    assert "taskToken" not in answers[0]
    assert "input" not in answers[0]


def test_a_waiting_poll_gets_a_task_scheduled_during_it(sfn: Any, unique_name: Names) -> None:
    # Given a worker polling an activity nothing has scheduled yet
    activity_arn = sfn.create_activity(name=unique_name("Later"))["activityArn"]
    answers: list[dict[str, Any]] = []
    polling = threading.Thread(target=lambda: answers.append(sfn.get_activity_task(activityArn=activity_arn)))
    polling.start()
    # When an execution schedules a task during the poll
    execution_arn = _start(sfn, unique_name("During"), _activity_machine(activity_arn), {"late": True})
    polling.join(timeout=10)
    # Then the poll answers with it
    assert json.loads(answers[0]["input"]) == {"late": True}
    assert _wait_for_event(sfn, execution_arn, "ActivityStarted")["activityStartedEventDetails"] == {}


def test_activities_and_tasks_survive_a_restart(tmp_path: Path, unique_name: Names) -> None:
    path = tmp_path / "state.db"

    def engine_on_file() -> Engine:
        clock = VirtualClock(start=CLOCK_START)
        engine = Engine(clock=clock, store=SqliteStore(path), activity_poll_seconds=0.2)
        engine.start()
        return engine

    # Given two executions asking an activity, one task taken by a worker, one still waiting for a worker
    engine = engine_on_file()
    with SfnApiServer(engine, host="127.0.0.1", port=0) as server:
        sfn = make_client(server.endpoint_url)
        activity_arn = sfn.create_activity(name="Durable")["activityArn"]
        machine = _activity_machine(activity_arn)
        taken_arn = _start(sfn, "Taken", machine, {"which": "taken"})
        _wait_for_event(sfn, taken_arn, "ActivityScheduled")
        taken = sfn.get_activity_task(activityArn=activity_arn, workerName="before")
        waiting_arn = sfn.start_execution(
            stateMachineArn=sfn.describe_execution(executionArn=taken_arn)["stateMachineArn"],
            input='{"which": "waiting"}',
        )["executionArn"]
        _wait_for_event(sfn, waiting_arn, "ActivityScheduled")
    engine.close()
    # When the engine restarts on the same file
    engine = engine_on_file()
    try:
        with SfnApiServer(engine, host="127.0.0.1", port=0) as server:
            sfn = make_client(server.endpoint_url)
            # Then the activity is there, the waiting task goes to a worker, and both tokens are answered
            assert sfn.describe_activity(activityArn=activity_arn)["name"] == "Durable"
            waiting = sfn.get_activity_task(activityArn=activity_arn, workerName="after")
            assert json.loads(waiting["input"]) == {"which": "waiting"}
            assert "taskToken" not in sfn.get_activity_task(activityArn=activity_arn)
            sfn.send_task_success(taskToken=taken["taskToken"], output='"first"')
            sfn.send_task_success(taskToken=waiting["taskToken"], output='"second"')
            assert json.loads(wait_for_status(sfn, taken_arn)["output"]) == "first"
            assert json.loads(wait_for_status(sfn, waiting_arn)["output"]) == "second"
    finally:
        engine.close()


def test_tasks_waiting_for_a_worker_survive_a_crash_of_the_sfn_command(tmp_path: Path) -> None:
    # Given `python -m local sfn` with durable state and an execution whose activity task waits for a worker
    options = ("--clock", "virtual", "--state-dir", str(tmp_path / "state"))
    first = SfnProcess(*options, log_path=tmp_path / "first.log")
    sfn = make_client(first.start())
    try:
        activity_arn = sfn.create_activity(name="Crash")["activityArn"]
        execution_arn = _start(sfn, "AsksCrash", _activity_machine(activity_arn), {"after": "crash"})
        _wait_for_event(sfn, execution_arn, "ActivityScheduled")
    finally:
        # When the process is killed without warning and started again on the same state directory
        first.kill()
    with SfnProcess(*options, log_path=tmp_path / "second.log") as second:
        sfn = make_client(second.endpoint_url)
        # Then a worker gets the task, and its answer ends the execution
        task = sfn.get_activity_task(activityArn=activity_arn, workerName="survivor")
        assert json.loads(task["input"]) == {"after": "crash"}
        sfn.send_task_success(taskToken=task["taskToken"], output='"done"')
        assert json.loads(wait_for_status(sfn, execution_arn)["output"]) == "done"
        started = _wait_for_event(sfn, execution_arn, "ActivityStarted")
        assert started["activityStartedEventDetails"] == {"workerName": "survivor"}
