"""The contract between the interpreter and the state types.

A state type (Pass, Task, Map, ...) sees the interpreter only through `StateRunner`: the history log,
the frame, the facts of the execution, the evaluation scopes and the ways to leave a state. The
interpreter sees a state type only through `StateHandler` (and `CompositeStateHandler` for states that
run child threads). Neither side imports the other.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol, TypeVar

from local.engine.definition import MachineSpec
from local.engine.events import EventLog
from local.engine.execution import ExecutionInfo
from local.engine.frame import Frame, Resume, Thread
from local.engine.jsonata_eval import Bindings
from local.engine.map_runs import MapRunServices
from local.engine.paths import Scope
from local.engine.state_specs import StateSpec
from local.engine.tasks import TaskCall, TaskResult


class StateRunner(Protocol):
    """What a state may ask of the runner of its execution."""

    @property
    def log(self) -> EventLog:
        """The history being written."""
        ...

    @property
    def frame(self) -> Frame:
        """The execution's threads and counters."""
        ...

    @property
    def info(self) -> ExecutionInfo:
        """Facts about the execution."""
        ...

    @property
    def map_runs(self) -> MapRunServices | None:
        """Map Runs and their child executions (None where a Distributed Map runs inline)."""
        ...

    def machine(self, key: str) -> MachineSpec:
        """A (sub-)machine of the definition by key."""
        ...

    def spec_of(self, thread: Thread) -> StateSpec:
        """The state a thread is in."""
        ...

    def now(self) -> datetime:
        """Current engine time."""
        ...

    def now_epoch(self) -> float:
        """Current engine time in epoch seconds."""
        ...

    def checkpoint(self) -> None:
        """Commit progress so far (the frame must describe a resumable state)."""
        ...

    def invoke(self, thread: Thread, call: TaskCall) -> TaskResult:
        """Run a task integration."""
        ...

    def inspect(self, thread: Thread, stage: str, value: Any) -> None:
        """Note a value a state's data flow produced (`stage` as TestState's inspectionData names it)."""
        ...

    def is_mocked(self, state_name: str, attempt: int) -> bool:
        """Whether a MockConfigFile test case answers this call of the state."""
        ...

    def context_object(
        self, thread: Thread, spec: StateSpec, extra: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """The context object (`$$`) as the thread's current state sees it."""
        ...

    def scope(
        self, thread: Thread, spec: StateSpec, value: Any, extra: dict[str, Any] | None = None
    ) -> Scope:
        """A JSONPath evaluation scope with `value` as "$"."""
        ...

    def bindings(self, thread: Thread, spec: StateSpec, **states: Any) -> Bindings:
        """JSONata bindings: `$states.input` plus whatever is passed."""
        ...

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
        """Leave the state with `output`."""
        ...

    def fail_state(self, thread: Thread, spec: StateSpec, error: str | None, cause: str | None) -> None:
        """The state failed: Retry, then Catch, else the thread fails."""
        ...

    def fail_thread(self, thread: Thread, error: str | None, cause: str | None) -> None:
        """The thread failed without being caught."""
        ...

    def wait_until(self, thread: Thread, due: float, on_due: Resume) -> None:
        """Park a thread until `due` (epoch seconds)."""
        ...

    def drop_children(self, parent: Thread) -> list[Thread]:
        """Remove every child (and deeper) thread of `parent`; returns the direct children removed."""
        ...


SpecT_contra = TypeVar("SpecT_contra", bound=StateSpec, contravariant=True)


class StateHandler(Protocol[SpecT_contra]):
    """Behaviour of one state type (`SpecT_contra` is its declaration)."""

    def enter(self, runner: StateRunner, thread: Thread, spec: SpecT_contra) -> None:
        """Run the state right after its StateEntered event."""
        ...

    def resume(self, runner: StateRunner, thread: Thread, spec: SpecT_contra, resume: Resume) -> None:
        """Continue after a timer, a task result or the end of child threads."""
        ...


class CompositeStateHandler(StateHandler[SpecT_contra], Protocol[SpecT_contra]):
    """A state type that runs child threads (Map, Parallel)."""

    def child_succeeded(self, runner: StateRunner, parent: Thread, child: Thread, output: Any) -> None:
        """A child thread ended successfully."""
        ...

    def child_failed(
        self, runner: StateRunner, parent: Thread, child: Thread, error: str | None, cause: str | None
    ) -> None:
        """A child thread failed."""
        ...
