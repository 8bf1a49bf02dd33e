"""The persisted progress of one execution: its threads of control and bookkeeping.

A frame is plain JSON so a store can commit it with the events of the same step and an engine restarted
after a crash can continue from it. A thread is a dict with these keys:

    id, parent (thread id or None), slot (index in the parent's Map/Parallel), machine, state,
    phase ("start" | "enter" | "resume" | "timer" | "task" | "children"), input, src (event pointer),
    pre (pointer before StateEntered), entered (StateEntered id), entered_at (epoch seconds),
    vars (own variables), retries (per-retrier attempt counts), retry_count, due (epoch seconds),
    resume (what to do when runnable again), data (state-specific progress).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

RUNNABLE_PHASES = frozenset({"start", "enter", "resume"})
TIMED_PHASES = frozenset({"timer", "task"})


@dataclass
class Frame:
    """All threads of one execution plus counters that must survive restarts."""

    threads: dict[int, dict[str, Any]] = field(default_factory=dict)
    next_thread_id: int = 1
    last_event_id: int = 0
    tokens: dict[str, int] = field(default_factory=dict)
    invocations: dict[str, int] = field(default_factory=dict)
    timeout_due: float | None = None
    redrive: dict[str, Any] | None = None

    def new_thread(self, **fields: Any) -> dict[str, Any]:
        """Create and register a thread."""
        thread: dict[str, Any] = {
            "id": self.next_thread_id,
            "parent": None,
            "slot": None,
            "phase": "enter",
            "src": 0,
            "pre": 0,
            "entered": 0,
            "entered_at": 0.0,
            "vars": {},
            "retries": [],
            "retry_count": 0,
            "due": None,
            "resume": None,
            "data": {},
        }
        thread.update(fields)
        self.threads[self.next_thread_id] = thread
        self.next_thread_id += 1
        return thread

    def runnable(self, now: float) -> dict[str, Any] | None:
        """The runnable thread with the lowest id (timers that are due become runnable)."""
        for thread_id in sorted(self.threads):
            thread = self.threads[thread_id]
            if thread["phase"] in RUNNABLE_PHASES:
                return thread
            if thread["phase"] in TIMED_PHASES and thread["due"] is not None and thread["due"] <= now:
                thread["phase"] = "resume"
                return thread
        return None

    def next_due(self) -> float | None:
        """Earliest pending timer of any thread, or the execution timeout."""
        dues = [
            t["due"] for t in self.threads.values() if t["phase"] in TIMED_PHASES and t["due"] is not None
        ]
        if self.timeout_due is not None:
            dues.append(self.timeout_due)
        return min(dues) if dues else None

    def next_skippable_due(self) -> float | None:
        """Earliest timer a skip clock may jump to: none of a thread waiting on a task token."""
        waiting_on_token = any(t["phase"] == "task" and t["data"].get("token") for t in self.threads.values())
        dues = [t["due"] for t in self.threads.values() if t["phase"] == "timer" and t["due"] is not None]
        if self.timeout_due is not None and not waiting_on_token:
            dues.append(self.timeout_due)
        return min(dues) if dues else None

    def has_runnable(self) -> bool:
        """Whether some thread can run without waiting."""
        return any(t["phase"] in RUNNABLE_PHASES for t in self.threads.values())

    def descendants(self, thread_id: int) -> list[int]:
        """Ids of every thread below `thread_id` (children, grandchildren, ...)."""
        found: list[int] = []
        pending = [thread_id]
        while pending:
            parent = pending.pop()
            for child in self.threads.values():
                if child["parent"] == parent:
                    found.append(child["id"])
                    pending.append(child["id"])
        return found

    def remove(self, thread_id: int) -> None:
        """Drop a thread and any task token it held."""
        thread = self.threads.pop(thread_id, None)
        if thread is None:
            return
        token = thread["data"].get("token")
        if token is not None:
            self.tokens.pop(token, None)

    def to_json(self) -> str:
        """Serialise for a store."""
        return json.dumps(
            {
                "threads": list(self.threads.values()),
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
        return cls(
            threads={thread["id"]: thread for thread in raw["threads"]},
            next_thread_id=raw["next_thread_id"],
            last_event_id=raw["last_event_id"],
            tokens=raw["tokens"],
            invocations=raw["invocations"],
            timeout_due=raw["timeout_due"],
            redrive=raw.get("redrive"),
        )
