"""The interpreter: advances one execution's threads of control until all of them wait or it ends.

It works on a `Frame` (persisted progress) and an `EventLog` (the history it appends to). State types
are handled by the classes in `local.engine.states`; this module owns what is common to all of them:
entering and leaving states, the context object, variables, Retry/Catch and the end of threads.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, cast

from local.engine import child_outputs, dataflow, events
from local.engine.definition import Definition, StateSpec
from local.engine.errors import StatesError
from local.engine.frame import Frame
from local.engine.jsonata_eval import QUERY_EVALUATION_ERROR, Bindings, QueryEvaluationError
from local.engine.paths import Scope, VariableScope
from local.engine.timestamps import from_epoch, iso_millis, to_epoch

RUNTIME = "States.Runtime"
DATA_LIMIT = "States.DataLimitExceeded"
MAX_PAYLOAD_BYTES = 262_144
# Errors that Retry and Catch never see: they always end the execution.
TERMINAL_ERRORS = frozenset({RUNTIME, DATA_LIMIT})
DECORATED_ERRORS = frozenset({RUNTIME, QUERY_EVALUATION_ERROR})
RETRYABLE_TYPES = frozenset({"Task", "Map", "Parallel"})


@dataclass
class ExecutionInfo:
    """Facts about an execution that never change while it runs."""

    arn: str
    name: str
    state_machine_arn: str
    state_machine_name: str
    role_arn: str
    start_time: datetime
    input: Any
    redrive_count: int = 0
    mock_test_case: str | None = None

    def context_execution(self) -> dict[str, Any]:
        """`$$.Execution`."""
        return {
            "Id": self.arn,
            "Input": self.input,
            "StartTime": iso_millis(self.start_time),
            "Name": self.name,
            "RoleArn": self.role_arn,
            "RedriveCount": self.redrive_count,
        }


@dataclass
class Completion:
    """How an execution ended."""

    status: str
    output: Any = None
    error: str | None = None
    cause: str | None = None


class Services(Protocol):
    """What the interpreter needs from the engine around it."""

    def now(self) -> datetime:
        """Current engine time."""
        ...

    def checkpoint(self, runner: Runner) -> None:
        """Commit the progress so far (called before calling out to a task)."""
        ...

    def invoke(self, runner: Runner, thread: dict[str, Any], call: Any) -> Any:
        """Run a task integration and return its `TaskResult`."""
        ...


class StateHandler(Protocol):
    """Behaviour of one state type."""

    def enter(self, runner: Runner, thread: dict[str, Any], spec: StateSpec) -> None:
        """Run the state right after its StateEntered event."""
        ...

    def resume(self, runner: Runner, thread: dict[str, Any], spec: StateSpec, resume: dict[str, Any]) -> None:
        """Continue after a timer, a task result or the end of child threads."""
        ...


class CompositeStateHandler(StateHandler, Protocol):
    """A state type that runs child threads (Map, Parallel)."""

    def child_succeeded(
        self, runner: Runner, parent: dict[str, Any], child: dict[str, Any], output: Any
    ) -> None:
        """A child thread ended successfully."""
        ...

    def child_failed(
        self,
        runner: Runner,
        parent: dict[str, Any],
        child: dict[str, Any],
        error: str | None,
        cause: str | None,
    ) -> None:
        """A child thread failed."""
        ...


@dataclass
class Runner:
    """Advances one execution."""

    info: ExecutionInfo
    definition: Definition
    frame: Frame
    services: Services
    handlers: Mapping[str, StateHandler]
    log: events.EventLog = field(init=False)
    completion: Completion | None = None

    def __post_init__(self) -> None:
        self.log = events.EventLog(self.frame.last_event_id, self.services.now)
        self._execution_context = self.info.context_execution()
        self._machine_context = {"Id": self.info.state_machine_arn, "Name": self.info.state_machine_name}

    # ------------------------------------------------------------------ lifecycle

    def start(self, role_arn: str) -> None:
        """Emit ExecutionStarted and create the top-level thread."""
        self.log.add(
            0,
            "ExecutionStarted",
            "executionStartedEventDetails",
            events.execution_started(events.to_json(self.info.input), role_arn),
        )
        self.frame.new_thread(machine="", state=self.definition.root.start_at, input=self.info.input)
        timeout = self.definition.timeout_seconds
        if timeout is not None:
            self.frame.timeout_due = to_epoch(self.info.start_time) + timeout
        self._sync_frame()

    def run(self) -> Completion | None:
        """Run every runnable thread until all wait or the execution ends."""
        while self.completion is None:
            now = self.now_epoch()
            if self.frame.timeout_due is not None and self.frame.timeout_due <= now:
                self.time_out()
                break
            thread = self.frame.runnable(now)
            if thread is None:
                break
            try:
                self._step(thread)
            except Exception as exc:  # an engine defect must not leave the execution stuck in RUNNING
                self._internal_error(thread, exc)
        self._sync_frame()
        return self.completion

    def _internal_error(self, thread: dict[str, Any], exc: Exception) -> None:
        cause = (
            f"The local engine failed while running state '{thread['state']}': {type(exc).__name__}: {exc}"
        )
        self.log.add(
            thread["src"],
            "ExecutionFailed",
            "executionFailedEventDetails",
            events.error_details(RUNTIME, cause),
        )
        self._end(Completion("FAILED", error=RUNTIME, cause=cause))

    def _sync_frame(self) -> None:
        self.frame.last_event_id = self.log.last_event_id

    def now(self) -> datetime:
        """Current engine time."""
        return self.services.now()

    def now_epoch(self) -> float:
        """Current engine time in epoch seconds."""
        return to_epoch(self.services.now())

    def checkpoint(self) -> None:
        """Commit progress so far (the frame must describe a resumable state)."""
        self._sync_frame()
        self.services.checkpoint(self)

    # ------------------------------------------------------------------ stepping

    def spec_of(self, thread: dict[str, Any]) -> StateSpec:
        """The state a thread is in."""
        return self.definition.state(thread["machine"], thread["state"])

    def _step(self, thread: dict[str, Any]) -> None:
        spec = self.spec_of(thread)
        phase = thread["phase"]
        try:
            if phase == "start":
                self._start_iteration(thread)
            elif phase == "enter":
                self._enter(thread, spec)
            else:
                resume = thread["resume"] or {"kind": "timer"}
                thread["resume"] = None
                thread["phase"] = "busy"
                self.handlers[spec.type].resume(self, thread, spec, resume)
        except StatesError as error:
            self.evaluation_failed(thread, spec, error)

    def _start_iteration(self, thread: dict[str, Any]) -> None:
        iteration = thread["data"].pop("iteration")
        self.log.emit(
            thread,
            "MapIterationStarted",
            "mapIterationStartedEventDetails",
            events.iteration(iteration["name"], iteration["index"]),
        )
        thread["phase"] = "enter"

    def _enter(self, thread: dict[str, Any], spec: StateSpec) -> None:
        thread["pre"] = thread["src"]
        thread["entered_at"] = self.now_epoch()
        thread["phase"] = "busy"
        thread["entered"] = self.log.emit(
            thread,
            f"{spec.type}StateEntered",
            "stateEnteredEventDetails",
            events.state_entered(spec.name, thread["input"]),
        )
        self.handlers[spec.type].enter(self, thread, spec)

    # ------------------------------------------------------------------ context, variables, scopes

    def context_object(
        self, thread: dict[str, Any], spec: StateSpec, extra: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """The context object (`$$`) as the thread's current state sees it."""
        state: dict[str, Any] = {
            "Name": spec.name,
            "EnteredTime": iso_millis(from_epoch(thread["entered_at"])),
        }
        if spec.type in RETRYABLE_TYPES:
            state["RetryCount"] = thread["retry_count"]
        context: dict[str, Any] = {
            "Execution": self._execution_context,
            "StateMachine": self._machine_context,
            "State": state,
        }
        token = thread["data"].get("token")
        if token is not None:
            context["Task"] = {"Token": token}
        if extra:
            context.update(extra)
        return context

    def variables(self, thread: dict[str, Any]) -> VariableScope:
        """The variables a thread sees: its own, then its ancestors' (read-only)."""
        parent_id = thread["parent"]
        outer = self.variables(self.frame.threads[parent_id]) if parent_id in self.frame.threads else None
        return VariableScope(thread["vars"], outer)

    def scope(
        self, thread: dict[str, Any], spec: StateSpec, value: Any, extra: dict[str, Any] | None = None
    ) -> Scope:
        """A JSONPath evaluation scope with `value` as "$"."""
        # Built on first read: most paths and templates never look at `$$`.
        return Scope(
            value=value,
            context=lambda: self.context_object(thread, spec, extra),
            variables=self.variables(thread),
        )

    def bindings(self, thread: dict[str, Any], spec: StateSpec, **states: Any) -> Bindings:
        """JSONata bindings: `$states.input` (the state input) plus whatever is passed."""
        context = states.pop("context", None) or self.context_object(thread, spec)
        values = {"input": thread["input"], "context": context}
        values.update(states)
        return Bindings(states=values, variables=self.variables(thread), now=self.now())

    # ------------------------------------------------------------------ leaving states

    def complete(
        self,
        thread: dict[str, Any],
        spec: StateSpec,
        output: Any,
        assigned: dict[str, Any] | None = None,
        next_state: str | None = None,
        *,
        end: bool | None = None,
    ) -> None:
        """Leave the state with `output`: exited event, variable assignment, then Next or End."""
        details = events.state_exited(spec.name, output, assigned)
        encoded = details["output"]
        if len(encoded) * 4 > MAX_PAYLOAD_BYTES and len(encoded.encode()) > MAX_PAYLOAD_BYTES:
            cause = (
                f"The state/task '{spec.name}' returned a result with a size exceeding the maximum "
                "number of bytes service limit."
            )
            self.fail_state(thread, spec, DATA_LIMIT, cause)
            return
        self.log.emit(thread, f"{spec.type}StateExited", "stateExitedEventDetails", details)
        if assigned:
            thread["vars"].update(assigned)
        target = next_state if next_state is not None else spec.next_state
        if end or target is None:
            self.finish_thread(thread, output)
            return
        thread.update(state=target, input=output, phase="enter", retries=[], retry_count=0, data={}, due=None)

    def finish_thread(self, thread: dict[str, Any], output: Any) -> None:
        """A thread reached an End: the execution succeeds or the parent state learns the result."""
        parent_id = thread["parent"]
        if parent_id is None:
            self.log.emit(
                thread, "ExecutionSucceeded", "executionSucceededEventDetails", events.output_details(output)
            )
            self._end(Completion("SUCCEEDED", output=output))
            return
        self._drop(thread["id"])
        parent = self.frame.threads[parent_id]
        self._composite(parent).child_succeeded(self, parent, thread, output)

    def fail_thread(self, thread: dict[str, Any], error: str | None, cause: str | None) -> None:
        """A thread failed without being caught: the execution fails or the parent state learns it."""
        parent_id = thread["parent"]
        if parent_id is None:
            self.log.emit(
                thread, "ExecutionFailed", "executionFailedEventDetails", events.error_details(error, cause)
            )
            self._end(Completion("FAILED", error=error, cause=cause))
            return
        self._drop(thread["id"])
        parent = self.frame.threads[parent_id]
        self._composite(parent).child_failed(self, parent, thread, error, cause)

    def _composite(self, parent: dict[str, Any]) -> CompositeStateHandler:
        return cast(CompositeStateHandler, self.handlers[self.spec_of(parent).type])

    def _drop(self, thread_id: int) -> None:
        for descendant in self.frame.descendants(thread_id):
            self.frame.remove(descendant)
        self.frame.remove(thread_id)

    def drop_children(self, parent: dict[str, Any]) -> list[dict[str, Any]]:
        """Remove every child (and deeper) thread of `parent`; returns the direct children removed."""
        children = [t for t in self.frame.threads.values() if t["parent"] == parent["id"]]
        for child in children:
            self._drop(child["id"])
        return children

    def _end(self, completion: Completion) -> None:
        root = next((t for t in self.frame.threads.values() if t["parent"] is None), None)
        if completion.status != "SUCCEEDED" and root is not None:
            self.frame.redrive = self._redrive_point(root)
        for thread_id in list(self.frame.threads):
            self.frame.remove(thread_id)
        self.frame.timeout_due = None
        self.completion = completion

    def _redrive_point(self, root: dict[str, Any]) -> dict[str, Any]:
        """Where RedriveExecution continues: the top-level state that was running. When that is a Map
        or Parallel state, the outputs of the iterations/branches that succeeded are kept, so that only
        the failed, aborted or never started ones run again (as Step Functions does for inline Maps)."""
        point = {
            "machine": root["machine"],
            "state": root["state"],
            "input": root["input"],
            "vars": root["vars"],
        }
        if self.spec_of(root).type in ("Map", "Parallel"):
            kept = child_outputs.kept_for_redrive(root["data"])
            if kept:
                point["kept"] = kept
        return point

    def time_out(self) -> None:
        """The execution-wide TimeoutSeconds elapsed."""
        previous = max((t["src"] for t in self.frame.threads.values()), default=0)
        self.log.add(
            previous,
            "ExecutionTimedOut",
            "executionTimedOutEventDetails",
            events.error_details("States.Timeout", "The execution timed out."),
        )
        self._end(Completion("TIMED_OUT", error="States.Timeout", cause="The execution timed out."))
        self._sync_frame()

    def abort(self, error: str | None, cause: str | None) -> None:
        """StopExecution."""
        self.log.add(
            0, "ExecutionAborted", "executionAbortedEventDetails", events.error_details(error, cause)
        )
        self._end(Completion("ABORTED", error=error, cause=cause))
        self._sync_frame()

    # ------------------------------------------------------------------ errors

    def evaluation_failed(self, thread: dict[str, Any], spec: StateSpec, error: StatesError) -> None:
        """A StatesError raised while evaluating the state's own fields."""
        cause = error.cause
        if error.error in DECORATED_ERRORS:
            cause = (
                f"An error occurred while executing the state '{spec.name}' "
                f"(entered at the event id #{thread['entered']}). {cause}"
            )
        if isinstance(error, QueryEvaluationError):
            only_entered = thread["src"] == thread["entered"] and spec.type != "Wait"
            previous = thread["pre"] if only_entered else thread["src"]
            details = {"cause": cause, "error": error.error, "location": error.location, "state": spec.name}
            thread["src"] = self.log.add(
                previous, "EvaluationFailed", "evaluationFailedEventDetails", details
            )
        self.fail_state(thread, spec, error.error, cause)

    def fail_state(
        self, thread: dict[str, Any], spec: StateSpec, error: str | None, cause: str | None
    ) -> None:
        """Handle a state failure: Retry, then Catch, else the thread fails."""
        handled = error not in TERMINAL_ERRORS and spec.type in RETRYABLE_TYPES
        if handled and self._retry(thread, spec, error):
            return
        catcher = _matching(spec.get("Catch") or [], error) if handled else None
        if spec.type in ("Map", "Parallel") and error != RUNTIME:
            self.log.emit(thread, f"{spec.type}StateFailed")
        if catcher is not None:
            self._catch(thread, spec, catcher, error, cause)
            return
        self.fail_thread(thread, error, cause)

    def _retry(self, thread: dict[str, Any], spec: StateSpec, error: str | None) -> bool:
        retriers = spec.get("Retry") or []
        for index, retrier in enumerate(retriers):
            if not _error_matches(retrier["ErrorEquals"], error):
                continue
            counts = thread["retries"] or [0] * len(retriers)
            if counts[index] >= retrier.get("MaxAttempts", 3):
                return False
            delay = _retry_delay(retrier, counts[index])
            counts[index] += 1
            thread["retries"] = counts
            thread["retry_count"] += 1
            self.wait_until(thread, self.now_epoch() + delay, {"kind": "retry"})
            return True
        return False

    def _catch(
        self,
        thread: dict[str, Any],
        spec: StateSpec,
        catcher: dict[str, Any],
        error: str | None,
        cause: str | None,
    ) -> None:
        error_output = {
            key: value for key, value in (("Error", error), ("Cause", cause)) if value is not None
        }
        output, assigned = dataflow.catch_output(self, thread, spec, catcher, error_output)
        self.complete(thread, spec, output, assigned, next_state=catcher["Next"])

    def wait_until(self, thread: dict[str, Any], due: float, on_due: dict[str, Any]) -> None:
        """Park a thread until `due` (epoch seconds); it resumes with `on_due`."""
        if due <= self.now_epoch():
            thread.update(phase="resume", resume=on_due, due=None)
            return
        thread.update(phase="timer", due=due, resume=on_due)


def _error_matches(names: list[str], error: str | None) -> bool:
    if error in names:
        return True
    if "States.ALL" in names:
        return error not in TERMINAL_ERRORS
    if "States.TaskFailed" in names:
        return error not in TERMINAL_ERRORS and error not in ("States.Timeout", "States.HeartbeatTimeout")
    return error == "States.HeartbeatTimeout" and "States.Timeout" in names


def _matching(blocks: list[dict[str, Any]], error: str | None) -> dict[str, Any] | None:
    for block in blocks:
        if _error_matches(block["ErrorEquals"], error):
            return block
    return None


def _retry_delay(retrier: dict[str, Any], attempt: int) -> float:
    delay = float(retrier.get("IntervalSeconds", 1)) * float(retrier.get("BackoffRate", 2.0)) ** attempt
    max_delay = retrier.get("MaxDelaySeconds")
    if max_delay is not None:
        delay = min(delay, float(max_delay))
    if retrier.get("JitterStrategy") == "FULL":
        delay = random.uniform(0, delay)
    return delay
