"""Task state: scheduling, invoking, waiting for task tokens and activity workers, timeouts and heartbeats.

Before an integration is called the interpreter checkpoints, so after a crash the call is repeated
(at-least-once). A `.waitForTaskToken` task parks its thread until SendTaskSuccess/Failure or a
timeout; SendTaskHeartbeat moves the heartbeat deadline. A `states:startExecution.sync` task parks the same
way on the child's `wait_token` until the child ends (`nested_executions` delivers it). An activity task is
queued for the activity's workers and parks the same way: TimeoutSeconds counts from when it was
scheduled, HeartbeatSeconds from when a worker took it (`activity_started`).
"""

from __future__ import annotations

import uuid
from typing import Any

from local.engine import dataflow, events, integration_states, jsonata_eval, paths
from local.engine.errors import StatesError
from local.engine.frame import Resume, Thread, make_runnable
from local.engine.jsonata_eval import QueryEvaluationError
from local.engine.resources import Resource
from local.engine.state_protocol import StateRunner
from local.engine.state_specs import TaskSpec
from local.engine.tasks import TaskCall, TaskResult

RUNTIME = "States.Runtime"
TIMEOUT = "States.Timeout"
HEARTBEAT_TIMEOUT = "States.HeartbeatTimeout"


class TaskState:
    """Runs a Task state's integration with Retry/Catch handled by the interpreter."""

    def enter(self, runner: StateRunner, thread: Thread, spec: TaskSpec) -> None:
        """Evaluate timeouts, then make the first attempt."""
        thread["data"] = {
            "timeout": self._seconds(
                runner,
                thread,
                spec,
                "TimeoutSeconds",
                value=spec.timeout_seconds,
                path=spec.timeout_seconds_path,
            ),
            "heartbeat": self._seconds(
                runner,
                thread,
                spec,
                "HeartbeatSeconds",
                value=spec.heartbeat_seconds,
                path=spec.heartbeat_seconds_path,
            ),
        }
        self._attempt(runner, thread, spec)

    def _seconds(
        self,
        runner: StateRunner,
        thread: Thread,
        spec: TaskSpec,
        field_name: str,
        *,
        value: Any,
        path: str | None,
    ) -> int | None:
        if spec.is_jsonata and jsonata_eval.is_expression(value):
            value = jsonata_eval.evaluate(value, runner.bindings(thread, spec), field_name)
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                message = (
                    f"The {field_name} field must be a positive integer, but was: {paths.json_compact(value)}"
                )
                raise QueryEvaluationError(message, field_name)
            return value
        if value is not None:
            return int(value)
        if path is None:
            return None
        effective = dataflow.input_value(runner, thread, spec)
        value = paths.resolve_field_path(path, runner.scope(thread, spec, effective))
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            message = f"The {field_name}Path field refers to value '{value}' which is not a positive integer"
            raise StatesError(RUNTIME, f"{message}: {path}")
        return value

    def _attempt(self, runner: StateRunner, thread: Thread, spec: TaskSpec) -> None:
        resource = spec.resource
        data = thread["data"]
        data.pop("started", None)  # a retried activity task waits for a worker again
        if _takes_token(resource):
            token = str(uuid.uuid4())
            data["token"] = token
            runner.frame.tokens[token] = thread["id"]
        if spec.is_jsonata:
            parameters = dataflow.arguments(runner, thread, spec)
        else:
            parameters = dataflow.parameters(runner, thread, spec, dataflow.input_value(runner, thread, spec))
        data["parameters"] = parameters
        self._emit_scheduled(runner, thread, resource, parameters)
        make_runnable(thread, {"kind": "invoke"})
        runner.checkpoint()

    def _emit_scheduled(
        self, runner: StateRunner, thread: Thread, resource: Resource, parameters: Any
    ) -> None:
        data = thread["data"]
        details: dict[str, Any]
        if resource.kind in ("activity", "function"):
            details = {
                "resource": resource.arn,
                "input": events.to_json(parameters),
                "inputDetails": dict(events.NOT_TRUNCATED),
            }
        else:
            details = {
                "resourceType": resource.resource_type,
                "resource": resource.resource_name,
                "region": runner.info.arn.split(":")[3],
                "parameters": events.to_json(parameters),
            }
        if data["timeout"] is not None:
            details["timeoutInSeconds"] = data["timeout"]
        if data["heartbeat"] is not None and resource.kind != "function":  # a Lambda event has no heartbeat
            details["heartbeatInSeconds"] = data["heartbeat"]
        if resource.kind == "activity":
            runner.log.emit(thread, "ActivityScheduled", "activityScheduledEventDetails", details)
        elif resource.kind == "function":
            runner.log.emit(thread, "LambdaFunctionScheduled", "lambdaFunctionScheduledEventDetails", details)
            runner.log.emit(thread, "LambdaFunctionStarted")
        else:
            runner.log.emit(thread, "TaskScheduled", "taskScheduledEventDetails", details)
            runner.log.emit(thread, "TaskStarted", "taskStartedEventDetails", _labels(resource))

    # ------------------------------------------------------------------ resuming

    def resume(self, runner: StateRunner, thread: Thread, spec: TaskSpec, resume: Resume) -> None:
        """Invoke, handle a callback or a timeout, or retry."""
        kind = resume["kind"]
        resource = spec.resource
        if kind == "invoke":
            self._invoke(runner, thread, spec, resource)
        elif kind == "retry":
            self._attempt(runner, thread, spec)
        elif kind == "callback":
            self._settle(
                runner,
                thread,
                spec,
                resource,
                TaskResult(
                    ok=resume["ok"],
                    output=resume.get("output"),
                    error=resume.get("error"),
                    cause=resume.get("cause"),
                ),
            )
        else:
            self._timed_out(runner, thread, spec, resource)

    def _invoke(self, runner: StateRunner, thread: Thread, spec: TaskSpec, resource: Resource) -> None:
        data = thread["data"]
        attempt = runner.frame.invocations.get(spec.name, 0)
        runner.frame.invocations[spec.name] = attempt + 1
        call = TaskCall(
            resource=resource,
            parameters=data["parameters"],
            state_name=spec.name,
            state_machine_name=runner.info.mocked_machine_name,
            test_case=runner.info.mock_test_case,
            attempt=attempt,
            token=data.get("token"),
            timeout_seconds=data["timeout"],
            state_machine_arn=runner.info.state_machine_arn,
            execution_arn=runner.info.arn,
        )
        started = runner.now_epoch()
        result = runner.invoke(thread, call)
        deadline = started + data["timeout"] if data["timeout"] is not None else None
        if _takes_token(resource) and result.ok and not runner.is_mocked(spec.name, attempt):
            if resource.kind == "activity":
                _await_worker(thread, deadline)
            else:
                self._submitted(runner, thread, resource, result.output, deadline)
            return
        if resource.waits_for_execution and result.ok and not runner.is_mocked(spec.name, attempt):
            token = integration_states.wait_token(result.output["ExecutionArn"])
            data["token"] = token
            runner.frame.tokens[token] = thread["id"]
            self._submitted(runner, thread, resource, result.output, deadline)
            return
        if deadline is not None and runner.now_epoch() >= deadline:
            # An in-process call cannot be interrupted; once it returns past its deadline it timed out.
            self._report_timeout(runner, thread, spec, resource, TIMEOUT)
            return
        self._settle(runner, thread, spec, resource, result)

    def _submitted(
        self,
        runner: StateRunner,
        thread: Thread,
        resource: Resource,
        output: Any,
        deadline: float | None,
    ) -> None:
        data = thread["data"]
        runner.log.emit(
            thread,
            "TaskSubmitted",
            "taskSubmittedEventDetails",
            {**_labels(resource), **events.output_details(output)},
        )
        data["deadline"] = deadline  # TimeoutSeconds counts from the start of the call
        schedule_heartbeat(thread, runner.now_epoch())
        thread.update({"phase": "task", "resume": {"kind": "timeout"}})

    def _settle(
        self, runner: StateRunner, thread: Thread, spec: TaskSpec, resource: Resource, result: TaskResult
    ) -> None:
        token = thread["data"].pop("token", None)
        if token is not None:
            runner.frame.tokens.pop(token, None)
        if not result.ok:
            if resource.kind == "activity":
                runner.log.emit(
                    thread,
                    "ActivityFailed",
                    "activityFailedEventDetails",
                    events.error_details(result.error, result.cause),
                )
            elif resource.kind == "function":
                runner.log.emit(
                    thread,
                    "LambdaFunctionFailed",
                    "lambdaFunctionFailedEventDetails",
                    events.error_details(result.error, result.cause),
                )
            else:
                runner.log.emit(
                    thread,
                    "TaskFailed",
                    "taskFailedEventDetails",
                    {**_labels(resource), **events.error_details(result.error, result.cause)},
                )
            runner.fail_state(thread, spec, result.error, result.cause)
            return
        if resource.kind == "activity":
            runner.log.emit(
                thread,
                "ActivitySucceeded",
                "activitySucceededEventDetails",
                events.output_details(result.output),
            )
        elif resource.kind == "function":
            runner.log.emit(
                thread,
                "LambdaFunctionSucceeded",
                "lambdaFunctionSucceededEventDetails",
                events.output_details(result.output),
            )
        else:
            runner.log.emit(
                thread,
                "TaskSucceeded",
                "taskSucceededEventDetails",
                {**_labels(resource), **events.output_details(result.output)},
            )
        output, assigned = dataflow.finish(runner, thread, spec, result.output)
        runner.complete(thread, spec, output, assigned)

    def _timed_out(self, runner: StateRunner, thread: Thread, spec: TaskSpec, resource: Resource) -> None:
        deadline = thread["data"].get("deadline")
        error = TIMEOUT if deadline is not None and runner.now_epoch() >= deadline else HEARTBEAT_TIMEOUT
        self._report_timeout(runner, thread, spec, resource, error)

    def _report_timeout(
        self, runner: StateRunner, thread: Thread, spec: TaskSpec, resource: Resource, error: str
    ) -> None:
        token = thread["data"].pop("token", None)
        if token is not None:
            runner.frame.tokens.pop(token, None)
        if resource.kind == "activity":
            runner.log.emit(
                thread, "ActivityTimedOut", "activityTimedOutEventDetails", events.error_details(error, None)
            )
        elif resource.kind == "function":
            runner.log.emit(
                thread,
                "LambdaFunctionTimedOut",
                "lambdaFunctionTimedOutEventDetails",
                events.error_details(error, None),
            )
        else:
            runner.log.emit(
                thread,
                "TaskTimedOut",
                "taskTimedOutEventDetails",
                {**_labels(resource), **events.error_details(error, None)},
            )
        runner.fail_state(thread, spec, error, None)


def activity_started(runner: StateRunner, thread: Thread, worker_name: str | None) -> bool:
    """Hand a queued activity task to a worker: ActivityStarted, and its heartbeat counts from now.

    False when the task was handed out already.
    """
    data = thread["data"]
    if data.get("started"):
        return False
    data["started"] = True
    details = {"workerName": worker_name} if worker_name is not None else {}
    runner.log.emit(thread, "ActivityStarted", "activityStartedEventDetails", details)
    schedule_heartbeat(thread, runner.now_epoch())
    return True


def _await_worker(thread: Thread, deadline: float | None) -> None:
    thread["data"]["deadline"] = deadline  # TimeoutSeconds counts from when the task was scheduled
    thread.update({"phase": "task", "resume": {"kind": "timeout"}, "due": deadline})


def schedule_heartbeat(thread: Thread, now: float) -> None:
    """(Re)compute when a waiting task times out: the earlier of its deadline and next heartbeat."""
    data = thread["data"]
    deadline, heartbeat = data.get("deadline"), data.get("heartbeat")
    dues = [deadline] if deadline is not None else []
    if heartbeat is not None:
        dues.append(now + heartbeat)
    thread["due"] = min(dues) if dues else None


def _takes_token(resource: Resource) -> bool:
    """Whether the task waits for SendTaskSuccess/Failure: a callback integration or an activity."""
    return resource.waits_for_token or resource.kind == "activity"


def _labels(resource: Resource) -> dict[str, Any]:
    return {"resourceType": resource.resource_type, "resource": resource.resource_name}
