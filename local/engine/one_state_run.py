"""Runs one state for TestState: the interpreter's own Runner, stopped as soon as the state is left.

The machine run holds the tested state (and, for a whole definition, its siblings) but only the tested
state executes: the run ends when it completes (its output and next state), fails, is caught, or is
about to be retried. Along the way the data-flow steps are recorded through `Runner.inspect`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from local.engine.definition import Definition
from local.engine.execution import Completion, ExecutionInfo
from local.engine.frame import Frame, Thread
from local.engine.interpreter import Runner
from local.engine.map_runs import MapRunServices
from local.engine.mock_config import MockConfig
from local.engine.retry import RUNTIME, TERMINAL_ERRORS, error_matches
from local.engine.state_protocol import StateHandler
from local.engine.state_specs import StateSpec
from local.engine.tasks import TaskCall, TaskResult
from local.engine.timestamps import from_epoch

# A Wait is not waited out: the clock jumps to each timer in turn, this many times at most.
MAX_WAKEUPS = 1_000

Invoke = Callable[[TaskCall], TaskResult]
# What AWS's Context object calls the tested state, whatever its name in the definition.
CONTEXT_STATE_NAME = "StateName"


@dataclass
class TrialOutcome:
    """How the tested state ended, and what its data flow produced (inspection stages by AWS's names)."""

    status: str = "SUCCEEDED"
    output: Any = None
    has_output: bool = False
    error: str | None = None
    cause: str | None = None
    next_state: str | None = None
    stages: dict[str, Any] = field(default_factory=dict)
    variables: dict[str, Any] = field(default_factory=dict)
    retry_index: int | None = None
    retry_backoff_seconds: int | None = None
    catch_index: int | None = None


class _Services:
    """A run that saves nothing, on a clock that stands still (a Wait is not waited out)."""

    mock_config: MockConfig | None = None
    map_runs: MapRunServices | None = None  # a Distributed Map runs inline

    def __init__(self, now: datetime, invoke: Invoke) -> None:
        self.moment = now
        self._invoke = invoke

    def now(self) -> datetime:
        return self.moment

    def checkpoint(self, runner: Runner) -> None:
        """Nothing to save."""

    def invoke(self, runner: Runner, thread: Thread, call: TaskCall) -> TaskResult:
        return self._invoke(call)


class TrialRunner(Runner):
    """A Runner that stops when its top-level thread leaves the state it started in."""

    outcome: TrialOutcome
    mocked: bool = False
    context_override: dict[str, Any] | None = None

    def is_mocked(self, state_name: str, attempt: int) -> bool:
        """TestState's `mock` answers the task: a callback pattern then ends with the mocked result."""
        return self.mocked

    def context_object(
        self, thread: Thread, spec: StateSpec, extra: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """The context object as AWS gives it: the tested state is "StateName" and the role is null when
        none is given. TestState's `context`, when given, is all of it, but for the Map item an
        ItemSelector sees and the task token a callback task is given."""
        if self.context_override is None:
            context = super().context_object(thread, spec, extra)
            context["State"] = {**context["State"], "Name": CONTEXT_STATE_NAME}
            if not self.info.role_arn:
                context["Execution"] = {**context["Execution"], "RoleArn": None}
            return context
        context = copy.deepcopy(self.context_override)
        token = thread["data"].get("token")
        if token is not None and "Task" not in context:
            context["Task"] = {"Token": token}
        context.update(extra or {})
        return context

    def inspect(self, thread: Thread, stage: str, value: Any) -> None:
        """Keep the data-flow steps of the tested state (not those of a Map's or Parallel's children)."""
        if thread["parent"] is None:
            self.outcome.stages[stage] = value

    def fail_state(self, thread: Thread, spec: StateSpec, error: str | None, cause: str | None) -> None:
        """Note the error and what Retry or Catch do with it; a retry is reported, not waited for."""
        if thread["parent"] is not None:
            super().fail_state(thread, spec, error, cause)
            return
        self.outcome.error, self.outcome.cause = error, cause
        handled = error not in TERMINAL_ERRORS
        retried_before = thread["retry_count"]
        self.outcome.catch_index = next(
            (i for i, c in enumerate(spec.catchers) if handled and error_matches(c.error_equals, error)),
            None,
        )
        super().fail_state(thread, spec, error, cause)
        # The retrier that applies is reported even when its attempts are spent, as AWS does.
        self.outcome.retry_index = next(
            (i for i, r in enumerate(spec.retriers) if handled and error_matches(r.error_equals, error)),
            None,
        )
        if thread["retry_count"] > retried_before and self.completion is None:
            self.outcome.status = "RETRIABLE"
            self.outcome.catch_index = None
            due = thread["due"] if thread["due"] is not None else self.now_epoch()
            self.outcome.retry_backoff_seconds = round(due - self.now_epoch())
            self.completion = Completion("FAILED", error=error, cause=cause)

    def fail_thread(self, thread: Thread, error: str | None, cause: str | None) -> None:
        """The tested state failed without being caught."""
        if thread["parent"] is None:
            self.outcome.status = "FAILED"
            self.outcome.error, self.outcome.cause = error, cause
            self.outcome.catch_index = None
        super().fail_thread(thread, error, cause)

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
        """The tested state is left: its output and next state end the run."""
        super().complete(thread, spec, output, assigned, next_state, end=end)
        if thread["parent"] is not None:
            return  # a state inside a mocked composite's run, not the tested state
        if self.outcome.status == "FAILED":
            return  # the output was over the size limit
        target = next_state if next_state is not None else spec.next_state
        self.outcome.status = "SUCCEEDED" if self.outcome.error is None else "CAUGHT_ERROR"
        self.outcome.output, self.outcome.has_output = output, True
        self.outcome.next_state = None if end or target is None else target
        self.outcome.variables = dict(thread["vars"])
        if self.completion is None:
            self.completion = Completion("SUCCEEDED", output=output)


def run_state(
    *,
    definition: Definition,
    state_name: str,
    info: ExecutionInfo,
    handlers: Mapping[str, StateHandler[Any]],
    invoke: Invoke,
    variables: dict[str, Any],
    retry_count: int = 0,
    mocked: bool = False,
    context: dict[str, Any] | None = None,
) -> TrialOutcome:
    """Run `state_name` of `definition` once with `info.input` and return how it ended."""
    services = _Services(info.start_time, invoke)
    frame = Frame()
    runner = TrialRunner(info=info, definition=definition, frame=frame, services=services, handlers=handlers)
    runner.outcome = TrialOutcome()
    runner.mocked, runner.context_override = mocked, context
    thread = frame.new_thread(machine="", state=state_name, input=info.input)
    thread["vars"].update(variables)
    if retry_count:
        thread["retries"] = [retry_count] * len(definition.state("", state_name).retriers)
        thread["retry_count"] = retry_count
    for _ in range(MAX_WAKEUPS):
        if runner.run() is not None:
            break
        due = frame.next_due()
        if due is None:
            break  # nothing more happens without a caller (a task token, an activity worker)
        services.moment = max(services.moment, from_epoch(due))  # a Wait ends at once
    outcome = runner.outcome
    completion = runner.completion
    if completion is None:
        outcome.status, outcome.error = "FAILED", RUNTIME
        outcome.cause = (
            f"The state '{state_name}' waits for a callback or a worker that TestState cannot give"
        )
    elif completion.status == "FAILED" and outcome.error is None:
        outcome.status, outcome.error, outcome.cause = "FAILED", completion.error, completion.cause
    return outcome
