"""The tasks activity Task states scheduled, waiting for workers; GetActivityTask takes them with a long poll.

The queue lives in the store, so a task that waits for a worker survives a restart. A queued task is only a
hint: the execution's frame decides whether its Task state still waits for a worker (it may have timed out
or been stopped meanwhile), and a task that no longer waits is dropped when a worker comes for it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from local.engine.store import ActivityTask, Store

# How long GetActivityTask holds a poll when no task comes, as AWS does.
POLL_SECONDS = 60.0

Claim = Callable[[ActivityTask], bool]


class ActivityQueue:
    """Hands each queued task to one worker; safe to use from many threads."""

    def __init__(self, store: Store, poll_seconds: float = POLL_SECONDS) -> None:
        self._store = store
        self._poll_seconds = poll_seconds
        self._changed = threading.Condition()
        self._taking: set[str] = set()  # tokens a worker is claiming right now
        self._closed = False

    def offer(self, task: ActivityTask) -> None:
        """Queue a task and wake the workers polling its activity."""
        self._store.put_activity_task(task)
        with self._changed:
            self._changed.notify_all()

    def take(self, activity_arn: str, claim: Claim) -> ActivityTask | None:
        """The oldest task of `activity_arn` that `claim` accepted, waiting up to the poll time for one;
        None when none came (or the queue closed).

        `claim` marks the task started in its execution, or answers False when its state no longer waits for a
        worker; it runs outside the queue's lock, since it commits a step of the execution.
        """
        deadline = time.monotonic() + self._poll_seconds
        while True:
            candidate = self._reserve(activity_arn, deadline)
            if candidate is None:
                return None
            try:
                taken = claim(candidate)
            finally:
                self._store.delete_activity_task(candidate.token)
                with self._changed:
                    self._taking.discard(candidate.token)
            if taken:
                return candidate

    def _reserve(self, activity_arn: str, deadline: float) -> ActivityTask | None:
        with self._changed:
            while not self._closed:
                for task in self._store.activity_tasks(activity_arn):
                    if task.token not in self._taking:
                        self._taking.add(task.token)
                        return task
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._changed.wait(remaining)
            return None

    def close(self) -> None:
        """End every poll waiting now (they answer that no task came)."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()
