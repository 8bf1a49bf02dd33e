"""The persisted progress of one execution: its threads of control and bookkeeping.

A frame is plain JSON so a store can commit it with the events of the same step and an engine restarted
after a crash can continue from it. `Thread` and `Resume` describe that JSON; they are TypedDicts rather
than classes so that a frame saved by an earlier version loads unchanged.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal, NotRequired, TypedDict, cast

# start: a Map iteration not yet announced; enter: about to enter `state`; resume: runnable again;
# busy: being stepped; timer: a Wait or a Retry delay; task: waiting on a task token; children: a Map
# or Parallel waiting for its child threads.
Phase = Literal["start", "enter", "resume", "busy", "timer", "task", "children"]
RUNNABLE_PHASES: frozenset[Phase] = frozenset({"start", "enter", "resume"})
TIMED_PHASES: frozenset[Phase] = frozenset({"timer", "task"})

ResumeKind = Literal[
    "timer",
    "retry",
    "wait_done",
    "invoke",
    "callback",
    "timeout",
    "branches_done",
    "branch_failed",
    "iterations_done",
    "iteration_failed",
]


class Resume(TypedDict):
    """What a parked thread does when it runs again (the extra keys come with callbacks and failures)."""

    kind: ResumeKind
    ok: NotRequired[bool]
    output: NotRequired[Any]
    error: NotRequired[str | None]
    cause: NotRequired[str | None]


class Iteration(TypedDict):
    """A Map iteration not yet announced by its MapIterationStarted event."""

    name: str
    index: int


class StateData(TypedDict, total=False):
    """The progress of the state a thread is in; each state type uses its own keys."""

    # Task
    token: str  # the token of a .waitForTaskToken or activity task
    started: bool  # an activity task a worker took
    parameters: Any
    timeout: int | None  # seconds
    heartbeat: int | None  # seconds
    deadline: float | None  # epoch seconds
    # Wait
    output: Any
    assigned: dict[str, Any] | None
    # Map and Parallel: children's outputs by slot, the slots that succeeded, outputs a redrive kept
    effective: Any
    results: list[Any]
    succeeded: list[int]
    kept: list[list[Any]] | None
    pending: int  # Parallel: branches still running
    # Map
    items: list[Any]
    batched: bool  # Map with an ItemBatcher: `items` holds the batches, each an iteration's whole input
    iteration_runs: dict[str, dict[str, Any]]  # Map with a ResultWriter: each iteration's input and times
    concurrency: int | None
    tolerated_count: int | None
    tolerated_percentage: float | None
    order: list[int] | None  # the iterations a redrive runs, by index
    next: int  # position in `order` (or index) of the next iteration to launch
    done: int
    failures: int
    lanes: list[int]  # per lane, the event the next iteration's first event follows
    lane_last: list[int]  # per lane, the last event of its latest iteration
    free: list[int]
    lane_of: dict[str, int]  # running iteration index -> lane
    # Distributed Map: its Map Run, and its running children (execution ARN -> item or batch index)
    map_run: str
    running: dict[str, int]
    redriven_run: str  # the Map Run a redrive of the execution redrives
    # A Map iteration's thread before it starts
    iteration: Iteration


class Thread(TypedDict):
    """One thread of control: the top level, a Parallel branch or a Map iteration."""

    id: int
    parent: int | None
    slot: int | None  # index in the parent's Map/Parallel
    machine: str  # key of the (sub-)machine it runs in
    state: str
    phase: Phase
    input: Any
    src: int  # the event its next event follows
    pre: int  # `src` before its StateEntered event
    entered: int  # id of its StateEntered event
    entered_at: float  # epoch seconds
    vars: dict[str, Any]  # its own variables
    retries: list[int]  # attempts per retrier of the current state
    retry_count: int
    due: float | None  # epoch seconds
    resume: Resume | None
    data: StateData


class RedrivePoint(TypedDict):
    """Where RedriveExecution continues, and the outputs of the children it keeps (`[slot, output]`)."""

    machine: str
    state: str
    input: Any
    vars: dict[str, Any]
    kept: NotRequired[list[list[Any]]]
    map_run: NotRequired[str]  # a Distributed Map's Map Run, which the redrive redrives


def make_runnable(thread: Thread, resume: Resume) -> None:
    """Let a thread run again with `resume`."""
    thread["phase"] = "resume"
    thread["resume"] = resume


@dataclass
class Frame:
    """All threads of one execution plus counters that must survive restarts."""

    by_id: dict[int, Thread] = field(default_factory=dict)
    next_thread_id: int = 1
    last_event_id: int = 0
    tokens: dict[str, int] = field(default_factory=dict)
    invocations: dict[str, int] = field(default_factory=dict)
    timeout_due: float | None = None
    redrive: RedrivePoint | None = None

    def new_thread(
        self,
        *,
        machine: str,
        state: str,
        input: Any,
        parent: int | None = None,
        slot: int | None = None,
        phase: Phase = "enter",
        src: int = 0,
        vars: dict[str, Any] | None = None,
        data: StateData | None = None,
    ) -> Thread:
        """Create and register a thread."""
        thread: Thread = {
            "id": self.next_thread_id,
            "parent": parent,
            "slot": slot,
            "machine": machine,
            "state": state,
            "phase": phase,
            "input": input,
            "src": src,
            "pre": 0,
            "entered": 0,
            "entered_at": 0.0,
            "vars": vars if vars is not None else {},
            "retries": [],
            "retry_count": 0,
            "due": None,
            "resume": None,
            "data": data if data is not None else {},
        }
        self.by_id[self.next_thread_id] = thread
        self.next_thread_id += 1
        return thread

    def root(self) -> Thread | None:
        """The top-level thread, while the execution runs."""
        return next((t for t in self.by_id.values() if t["parent"] is None), None)

    def children(self, parent_id: int) -> list[Thread]:
        """The direct children of a thread."""
        return [t for t in self.by_id.values() if t["parent"] == parent_id]

    def runnable(self, now: float) -> Thread | None:
        """The runnable thread with the lowest id (timers that are due become runnable)."""
        for thread_id in sorted(self.by_id):
            thread = self.by_id[thread_id]
            if thread["phase"] in RUNNABLE_PHASES:
                return thread
            due = thread["due"]
            if thread["phase"] in TIMED_PHASES and due is not None and due <= now:
                thread["phase"] = "resume"
                return thread
        return None

    def next_due(self) -> float | None:
        """Earliest pending timer of any thread, or the execution timeout."""
        dues = [
            due for t in self.by_id.values() if t["phase"] in TIMED_PHASES and (due := t["due"]) is not None
        ]
        if self.timeout_due is not None:
            dues.append(self.timeout_due)
        return min(dues) if dues else None

    def next_skippable_due(self) -> float | None:
        """Earliest timer a skip clock may jump to: none of a thread waiting on a task token."""
        waiting_on_token = any(t["phase"] == "task" and t["data"].get("token") for t in self.by_id.values())
        dues = [due for t in self.by_id.values() if t["phase"] == "timer" and (due := t["due"]) is not None]
        if self.timeout_due is not None and not waiting_on_token:
            dues.append(self.timeout_due)
        return min(dues) if dues else None

    def has_runnable(self) -> bool:
        """Whether some thread can run without waiting."""
        return any(t["phase"] in RUNNABLE_PHASES for t in self.by_id.values())

    def descendants(self, thread_id: int) -> list[int]:
        """Ids of every thread below `thread_id` (children, grandchildren, ...)."""
        found: list[int] = []
        pending = [thread_id]
        while pending:
            parent = pending.pop()
            for child in self.by_id.values():
                if child["parent"] == parent:
                    found.append(child["id"])
                    pending.append(child["id"])
        return found

    def remove(self, thread_id: int) -> None:
        """Drop a thread and any task token it held."""
        thread = self.by_id.pop(thread_id, None)
        if thread is None:
            return
        token = thread["data"].get("token")
        if token is not None:
            self.tokens.pop(token, None)

    def to_json(self) -> str:
        """Serialise for a store."""
        return json.dumps(
            {
                "threads": list(self.by_id.values()),
                "next_thread_id": self.next_thread_id,
                "last_event_id": self.last_event_id,
                "tokens": self.tokens,
                "invocations": self.invocations,
                "timeout_due": self.timeout_due,
                "redrive": self.redrive,
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str) -> Frame:
        """Deserialise what `to_json` wrote."""
        raw = json.loads(text)
        threads = cast(list[Thread], raw["threads"])
        return cls(
            by_id={thread["id"]: thread for thread in threads},
            next_thread_id=raw["next_thread_id"],
            last_event_id=raw["last_event_id"],
            tokens=raw["tokens"],
            invocations=raw["invocations"],
            timeout_due=raw["timeout_due"],
            redrive=raw.get("redrive"),
        )
