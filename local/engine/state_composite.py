"""What Map and Parallel share: child threads, their outputs, and finishing, failing or retrying the state.

A composite state parks in the "children" phase while its child threads run. When the last child
succeeds it resumes with its `done` kind and succeeds with the list of child outputs; when it gives up
on a failed child it resumes with its `failed` kind and fails like any state (Retry, Catch).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar, Generic, TypeVar, cast

from local.engine import child_outputs, dataflow
from local.engine.definition import MachineSpec
from local.engine.frame import Phase, Resume, ResumeKind, StateData, Thread, make_runnable
from local.engine.state_protocol import StateRunner
from local.engine.state_specs import StateSpec

SpecT = TypeVar("SpecT", bound=StateSpec)


class CompositeState(ABC, Generic[SpecT]):
    """Base of the state types that run child threads (`SpecT` is their declaration).

    A subclass names its type and its two resume kinds: `class ParallelState(CompositeState[ParallelSpec],
    state_type="Parallel", done="branches_done", failed="branch_failed")`.
    """

    # "Map" or "Parallel": the prefix of the state's StateSucceeded event.
    state_type: ClassVar[str]
    done: ClassVar[ResumeKind]
    failed: ClassVar[ResumeKind]

    def __init_subclass__(
        cls, *, state_type: str, done: ResumeKind, failed: ResumeKind, **options: Any
    ) -> None:
        super().__init_subclass__(**options)
        cls.state_type, cls.done, cls.failed = state_type, done, failed

    @abstractmethod
    def enter(self, runner: StateRunner, thread: Thread, spec: SpecT) -> None:
        """Evaluate the state's fields and start the children."""

    @abstractmethod
    def start_children(self, runner: StateRunner, thread: Thread, spec: SpecT) -> None:
        """Start (or, after a Retry, restart) the child threads."""

    @abstractmethod
    def child_succeeded(self, runner: StateRunner, parent: Thread, child: Thread, output: Any) -> None:
        """A child thread ended successfully."""

    @abstractmethod
    def child_failed(
        self, runner: StateRunner, parent: Thread, child: Thread, error: str | None, cause: str | None
    ) -> None:
        """A child thread failed."""

    def resume(self, runner: StateRunner, thread: Thread, spec: SpecT, resume: Resume) -> None:
        """Finish, fail or retry after the children."""
        kind = resume["kind"]
        if kind == "retry":
            self.start_children(runner, thread, spec)
        elif kind == self.failed:
            runner.fail_state(thread, spec, resume.get("error"), resume.get("cause"))
        else:
            runner.log.emit(thread, f"{self.state_type}StateSucceeded", move=False)
            output, assigned = dataflow.finish(runner, thread, spec, thread["data"]["results"])
            runner.complete(thread, spec, output, assigned)

    @staticmethod
    def spec_of(runner: StateRunner, parent: Thread) -> SpecT:
        """The declaration of the state a parent thread is in (a state of this type)."""
        return cast(SpecT, runner.spec_of(parent))

    @staticmethod
    def kept_by_redrive(thread: Thread) -> list[list[Any]] | None:
        """The child outputs a redrive carried over into the state's data (None when not redriven)."""
        return thread["data"].get("kept")

    @staticmethod
    def take_kept(data: StateData, count: int) -> dict[int, Any]:
        """Remove the outputs a redrive kept from the state's data, by slot."""
        return child_outputs.take_kept(data, count)

    @staticmethod
    def record_success(data: StateData, child: Thread, output: Any) -> None:
        """Store a child's output and mark its slot as succeeded."""
        child_outputs.record_success(data, slot_of(child), output)

    @staticmethod
    def spawn(
        runner: StateRunner,
        parent: Thread,
        machine: MachineSpec,
        slot: int,
        value: Any,
        *,
        src: int,
        phase: Phase = "enter",
        data: StateData | None = None,
    ) -> Thread:
        """Start a child thread at the machine's StartAt with `value` as its input."""
        return runner.frame.new_thread(
            parent=parent["id"],
            slot=slot,
            machine=machine.key,
            state=machine.start_at,
            phase=phase,
            input=value,
            src=src,
            data=data,
        )

    def children_done(self, parent: Thread) -> None:
        """Every child succeeded (or was tolerated): the state resumes to succeed."""
        make_runnable(parent, {"kind": self.done})

    def children_failed(self, parent: Thread, error: str | None, cause: str | None) -> None:
        """The state gives up on its children: it resumes to fail with `error`."""
        make_runnable(parent, {"kind": self.failed, "error": error, "cause": cause})


def slot_of(child: Thread) -> int:
    """A child thread's index in its parent."""
    slot = child["slot"]
    if slot is None:
        raise ValueError(f"thread {child['id']} is not the child of a Map or Parallel state")
    return slot
