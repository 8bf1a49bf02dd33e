"""Drives a virtual- or skip-clock engine from one thread at a time.

`Engine.advance` and the engine's own background worker (`Engine.start`) can run the same execution
concurrently: while the worker is inside a task (its checkpoint leaves the execution runnable with no
timer), `advance` finds nothing due, moves the clock straight to its target and returns; the worker
then finishes the task at the target time, so later timestamps and reschedules land in the wrong
place and `POST /_local/clock` answers before due work has run. Until the engine serialises the two,
the stack does not start the engine's worker for a manual clock. Instead, one lock covers both ways
of driving the engine: a pump thread that runs new work as API calls create it, and clock moves.
A real clock keeps the engine's own worker (nobody moves it, so nothing races).
"""

from __future__ import annotations

import functools
import threading
from datetime import datetime
from typing import Any

from local.engine import Engine


class SerialDriver:
    """Runs engine work (new executions, callbacks, clock moves) one caller at a time."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._lock = threading.Lock()
        self._work_arrived = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the pump; it first runs whatever a restarted store left runnable."""
        self._work_arrived.set()
        self._thread = threading.Thread(target=self._pump, name="local-engine-pump", daemon=True)
        self._thread.start()

    def notify(self) -> None:
        """Tell the pump that an API call may have made work runnable."""
        self._work_arrived.set()

    def advance(self, seconds: float) -> datetime:
        """Move the clock forward, running everything due on the way, with no other driver at work."""
        with self._lock:
            return self._engine.advance(seconds)

    def close(self) -> None:
        """Stop the pump (after the work it is doing); safe to call twice."""
        self._stopping.set()
        self._work_arrived.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def _pump(self) -> None:
        while True:
            self._work_arrived.wait()
            if self._stopping.is_set():
                return
            self._work_arrived.clear()
            with self._lock:
                self._engine.run_until_idle()


class DrivenEngine:
    """The engine as the HTTP servers see it: every API call notifies the pump; clock moves go through it.

    Attribute access falls through to the engine, so the Step Functions API dispatcher finds every
    operation (with its signature) as on the engine itself.
    """

    def __init__(self, engine: Engine, driver: SerialDriver) -> None:
        self._engine = engine
        self._driver = driver

    @property
    def clock(self) -> Any:
        """The engine's clock."""
        return self._engine.clock

    def advance(self, seconds: float) -> datetime:
        """Move the clock through the serial driver."""
        return self._driver.advance(seconds)

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._engine, name)
        if not callable(attribute) or name.startswith("_"):
            return attribute

        @functools.wraps(attribute)
        def call_then_notify(*args: Any, **kwargs: Any) -> Any:
            try:
                return attribute(*args, **kwargs)
            finally:
                self._driver.notify()

        return call_then_notify
