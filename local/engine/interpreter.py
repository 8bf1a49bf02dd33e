"""The interpreter: advances one execution's threads of control until all of them wait or it ends.

It works on a `Frame` (persisted progress) and an `EventLog` (the history it appends to). State types
are handled by the `StateHandler`s it is given; this module owns what is common to all of them:
entering and leaving states, the context object, variables, Retry/Catch and the end of threads.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, cast

from local.engine import child_outputs, dataflow, events
from local.engine.definition import Definition, MachineSpec, StateSpec
from local.engine.errors import EvaluationFailure, StatesError
from local.engine.execution import Completion, ExecutionInfo
from local.engine.frame import Frame, RedrivePoint, Resume, Thread
from local.engine.jsonata_eval import QUERY_EVALUATION_ERROR, Bindings, QueryEvaluationError
from local.engine.map_runs import MapRunServices
from local.engine.mock_config import MockConfig
from local.engine.paths import Scope, VariableScope
from local.engine.retry import DATA_LIMIT, RUNTIME, TERMINAL_ERRORS, error_matches, matching_catcher
from local.engine.state_protocol import CompositeStateHandler, StateHandler
from local.engine.state_specs import Catcher
from local.engine.tasks import TaskCall, TaskResult
from local.engine.timestamps import from_epoch, iso_millis, to_epoch

MAX_PAYLOAD_BYTES = 262_144
DECORATED_ERRORS = frozenset({RUNTIME, QUERY_EVALUATION_ERROR})
RETRYABLE_TYPES = frozenset({"Task", "Map", "Parallel"})
COMPOSITE_TYPES = frozenset({"Map", "Parallel"})
# The longest an execution may run (Step Functions quotas): a Standard execution one year, an Express
# one five minutes. Past it AWS stops the execution as if its TimeoutSeconds had elapsed
# (ExecutionTimedOut, States.Timeout), so a Wait reaching further ends there too.
MAX_EXECUTION_SECONDS = {"STANDARD": 365 * 86_400, "EXPRESS": 300}

__all__ = ["Runner", "Services"]


class Services(Protocol):
    """What the interpreter needs from the engine around it."""

    mock_config: MockConfig | None
    # Map Runs and their child executions (None where a Distributed Map runs inline, as in TestState).
    map_runs: MapRunServices | None

    def now(self) -> datetime:
        """Current engine time."""
        ...

    def checkpoint(self, runner: Runner) -> None:
        """Commit the progress so far (called before calling out to a task)."""
        ...

    def invoke(self, runner: Runner, thread: Thread, call: TaskCall) -> TaskResult:
        """Run a task integration."""
        ...


@dataclass
class Runner:
    """Advances one execution."""

    info: ExecutionInfo
    definition: Definition
    frame: Frame
    services: Services
    handlers: Mapping[str, StateHandler[Any]]
    log: events.EventLog = field(init=False)
    completion: Completion | None = None
    # Map Runs that ended in this step and may have children running: the commit aborts the ones still
    # running (their Map state was dropped), and their running children are stopped once it is committed.
    ended_runs: list[str] = field(init=False, default_factory=list)
    # The task tokens the execution held at its last commit: those of the frame it starts from, until the
    # driver commits again. An execution that ends has let go of them; its end hooks still need them.
    committed_tokens: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        self.committed_tokens = tuple(self.frame.tokens)
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
        self.frame.timeout_due = to_epoch(self.info.start_time) + self._timeout_seconds()
        self._sync_frame()

    def _timeout_seconds(self) -> int:
        """The definition's TimeoutSeconds, bounded by the execution type's maximum duration."""
        limit = MAX_EXECUTION_SECONDS.get(self.info.type, MAX_EXECUTION_SECONDS["STANDARD"])
        timeout = self.definition.timeout_seconds
        return limit if timeout is None else min(timeout, limit)

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

    def _internal_error(self, thread: Thread, exc: Exception) -> None:
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

    @property
    def map_runs(self) -> MapRunServices | None:
        """Map Runs and their child executions, where the engine runs them."""
        return self.services.map_runs

    def now_epoch(self) -> float:
        """Current engine time in epoch seconds."""
        return to_epoch(self.services.now())

    def checkpoint(self) -> None:
        """Commit progress so far (the frame must describe a resumable state)."""
        self._sync_frame()
        self.services.checkpoint(self)

    def invoke(self, thread: Thread, call: TaskCall) -> TaskResult:
        """Run a task integration."""
        return self.services.invoke(self, thread, call)

    def inspect(self, thread: Thread, stage: str, value: Any) -> None:
        """Note a value of a state's data flow; an execution keeps none (TestState's runner does)."""

    def is_mocked(self, state_name: str, attempt: int) -> bool:
        """Whether a MockConfigFile test case answers this call of the state."""
        config = self.services.mock_config
        test_case = self.info.mock_test_case
        if config is None or test_case is None:
            return False
        return config.response(self.info.mocked_machine_name, test_case, state_name, attempt) is not None

    # ------------------------------------------------------------------ stepping

    def machine(self, key: str) -> MachineSpec:
        """A (sub-)machine of the definition by key."""
        return self.definition.machines[key]

    def spec_of(self, thread: Thread) -> StateSpec:
        """The state a thread is in."""
        return self.definition.state(thread["machine"], thread["state"])

    def _step(self, thread: Thread) -> None:
        spec = self.spec_of(thread)
        phase = thread["phase"]
        try:
            if phase == "start":
                self._start_iteration(thread)
            elif phase == "enter":
                self._enter(thread, spec)
            else:
                resume: Resume = thread["resume"] or {"kind": "timer"}
                thread["resume"] = None
                thread["phase"] = "busy"
                self.handlers[spec.type].resume(self, thread, spec, resume)
        except StatesError as error:
            self.evaluation_failed(thread, spec, error)

    def _start_iteration(self, thread: Thread) -> None:
        iteration = thread["data"].pop("iteration")
        self.log.emit(
            thread,
            "MapIterationStarted",
            "mapIterationStartedEventDetails",
            events.iteration(iteration["name"], iteration["index"]),
        )
        thread["phase"] = "enter"

    def _enter(self, thread: Thread, spec: StateSpec) -> None:
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
        self, thread: Thread, spec: StateSpec, extra: dict[str, Any] | None = None
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

    def variables(self, thread: Thread) -> VariableScope:
        """The variables a thread sees: its own, then its ancestors' (read-only)."""
        parent = self.frame.by_id.get(thread["parent"]) if thread["parent"] is not None else None
        return VariableScope(thread["vars"], self.variables(parent) if parent is not None else None)

    def scope(
        self, thread: Thread, spec: StateSpec, value: Any, extra: dict[str, Any] | None = None
    ) -> Scope:
        """A JSONPath evaluation scope with `value` as "$"."""
        # Built on first read: most paths and templates never look at `$$`.
        return Scope(
            value=value,
            context=lambda: self.context_object(thread, spec, extra),
            variables=self.variables(thread),
        )

    def bindings(self, thread: Thread, spec: StateSpec, **states: Any) -> Bindings:
        """JSONata bindings: `$states.input` (the state input) plus whatever is passed."""
        context = states.pop("context", None) or self.context_object(thread, spec)
        values = {"input": thread["input"], "context": context}
        values.update(states)
        return Bindings(states=values, variables=self.variables(thread), now=self.now())

    # ------------------------------------------------------------------ leaving states

    def complete(
        self,
        thread: Thread,
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
        thread.update(
            {
                "state": target,
                "input": output,
                "phase": "enter",
                "retries": [],
                "retry_count": 0,
                "data": {},
                "due": None,
            }
        )

    def finish_thread(self, thread: Thread, output: Any) -> None:
        """A thread reached an End: the execution succeeds or the parent state learns the result."""
        parent_id = thread["parent"]
        if parent_id is None:
            self.log.emit(
                thread, "ExecutionSucceeded", "executionSucceededEventDetails", events.output_details(output)
            )
            self._end(Completion("SUCCEEDED", output=output))
            return
        self._drop(thread["id"])
        parent = self.frame.by_id[parent_id]
        self._composite(parent).child_succeeded(self, parent, thread, output)

    def fail_thread(self, thread: Thread, error: str | None, cause: str | None) -> None:
        """A thread failed without being caught: the execution fails or the parent state learns it."""
        parent_id = thread["parent"]
        if parent_id is None:
            self.log.emit(
                thread, "ExecutionFailed", "executionFailedEventDetails", events.error_details(error, cause)
            )
            self._end(Completion("FAILED", error=error, cause=cause))
            return
        self._drop(thread["id"])
        parent = self.frame.by_id[parent_id]
        self._composite(parent).child_failed(self, parent, thread, error, cause)

    def _composite(self, parent: Thread) -> CompositeStateHandler[Any]:
        return cast(CompositeStateHandler[Any], self.handlers[self.spec_of(parent).type])

    def _drop(self, thread_id: int) -> None:
        for dropped in [*self.frame.descendants(thread_id), thread_id]:
            self._forget(dropped, in_history=True)

    def _forget(self, thread_id: int, *, in_history: bool) -> None:
        """Remove a thread; a Distributed Map waiting on its Map Run abandons the run (MapRunAborted when the
        execution goes on; an execution that ends says so with its own end event)."""
        thread = self.frame.by_id.get(thread_id)
        run_arn = thread["data"].get("map_run") if thread is not None else None
        if thread is not None and thread["phase"] == "children" and run_arn is not None:
            self.ended_runs.append(run_arn)
            if in_history:
                self.log.emit(thread, "MapRunAborted")
        self.frame.remove(thread_id)

    def drop_children(self, parent: Thread) -> list[Thread]:
        """Remove every child (and deeper) thread of `parent`; returns the direct children removed."""
        children = self.frame.children(parent["id"])
        for child in children:
            self._drop(child["id"])
        return children

    def _end(self, completion: Completion) -> None:
        root = self.frame.root()
        if completion.status != "SUCCEEDED" and root is not None:
            self.frame.redrive = self._redrive_point(root)
        for thread_id in list(self.frame.by_id):
            self._forget(thread_id, in_history=False)
        self.frame.timeout_due = None
        self.completion = completion

    def _redrive_point(self, root: Thread) -> RedrivePoint:
        """Where RedriveExecution continues: the top-level state that was running. When that is a Map
        or Parallel state, the outputs of the iterations/branches that succeeded are kept, so that only
        the failed, aborted or never started ones run again (as Step Functions does for inline Maps)."""
        point: RedrivePoint = {
            "machine": root["machine"],
            "state": root["state"],
            "input": root["input"],
            "vars": root["vars"],
        }
        if self.spec_of(root).type in COMPOSITE_TYPES:
            kept = child_outputs.kept_for_redrive(root["data"])
            if kept:
                point["kept"] = kept
            if "map_run" in root["data"]:
                point["map_run"] = root["data"]["map_run"]
        return point

    def time_out(self) -> None:
        """The execution's TimeoutSeconds (or its type's maximum duration) elapsed.

        As AWS records it: like StopExecution's ExecutionAborted, the event follows no state's event
        (previousEventId 0) and names only the error, and DescribeExecution shows no error or cause.
        """
        self.log.add(0, "ExecutionTimedOut", "executionTimedOutEventDetails", {"error": "States.Timeout"})
        self._end(Completion("TIMED_OUT"))
        self._sync_frame()

    def abort(self, error: str | None, cause: str | None) -> None:
        """StopExecution."""
        self.log.add(
            0, "ExecutionAborted", "executionAbortedEventDetails", events.error_details(error, cause)
        )
        self._end(Completion("ABORTED", error=error, cause=cause))
        self._sync_frame()

    # ------------------------------------------------------------------ errors

    def evaluation_failed(self, thread: Thread, spec: StateSpec, error: StatesError) -> None:
        """A StatesError raised while evaluating the state's own fields."""
        cause = error.cause
        if error.error in DECORATED_ERRORS:
            cause = (
                f"An error occurred while executing the state '{spec.name}' "
                f"(entered at the event id #{thread['entered']}). {cause}"
            )
        if isinstance(error, QueryEvaluationError | EvaluationFailure):
            only_entered = thread["src"] == thread["entered"] and spec.type != "Wait"
            previous = thread["pre"] if only_entered else thread["src"]
            details = {"cause": cause, "error": error.error, "location": error.location, "state": spec.name}
            thread["src"] = self.log.add(
                previous, "EvaluationFailed", "evaluationFailedEventDetails", details
            )
            if spec.type in COMPOSITE_TYPES and error.error == RUNTIME:
                # An evaluation failure ends a Map/Parallel with its StateFailed event, as the recorded
                # JSONata ones do; fail_state leaves it out for the other States.Runtime errors, which
                # AWS raises before the state starts.
                self.log.emit(thread, f"{spec.type}StateFailed")
        self.fail_state(thread, spec, error.error, cause)

    def fail_state(self, thread: Thread, spec: StateSpec, error: str | None, cause: str | None) -> None:
        """Handle a state failure: Retry, then Catch, else the thread fails."""
        handled = error not in TERMINAL_ERRORS and spec.type in RETRYABLE_TYPES
        if handled and self._retry(thread, spec, error):
            return
        catcher = matching_catcher(spec.catchers, error) if handled else None
        if spec.type in COMPOSITE_TYPES and error != RUNTIME:
            self.log.emit(thread, f"{spec.type}StateFailed")
        if catcher is not None:
            self._catch(thread, spec, catcher, error, cause)
            return
        self.fail_thread(thread, error, cause)

    def _retry(self, thread: Thread, spec: StateSpec, error: str | None) -> bool:
        retriers = spec.retriers
        for index, retrier in enumerate(retriers):
            if not error_matches(retrier.error_equals, error):
                continue
            counts = thread["retries"] or [0] * len(retriers)
            if counts[index] >= retrier.max_attempts:
                return False
            delay = retrier.delay(counts[index])
            counts[index] += 1
            thread["retries"] = counts
            thread["retry_count"] += 1
            self.wait_until(thread, self.now_epoch() + delay, {"kind": "retry"})
            return True
        return False

    def _catch(
        self, thread: Thread, spec: StateSpec, catcher: Catcher, error: str | None, cause: str | None
    ) -> None:
        error_output = {
            key: value for key, value in (("Error", error), ("Cause", cause)) if value is not None
        }
        output, assigned = dataflow.catch_output(self, thread, spec, catcher, error_output)
        self.complete(thread, spec, output, assigned, next_state=catcher.next)

    def wait_until(self, thread: Thread, due: float, on_due: Resume) -> None:
        """Park a thread until `due` (epoch seconds); it resumes with `on_due`."""
        if due <= self.now_epoch():
            thread.update({"phase": "resume", "resume": on_due, "due": None})
            return
        thread.update({"phase": "timer", "due": due, "resume": on_due})
