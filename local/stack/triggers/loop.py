"""A daemon thread that calls one function every few (real) seconds until it is closed."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

logger = logging.getLogger(__name__)


class PollingLoop:
    """Runs `poll` every `interval_seconds`; an exception is logged and the loop goes on."""

    def __init__(self, name: str, poll: Callable[[], None], interval_seconds: float = 0.2) -> None:
        self.name = name
        self._poll = poll
        self._interval = interval_seconds
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start polling on a daemon thread."""
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Stop after the poll under way, if any; safe to call twice."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                self._poll()
            except Exception:  # a trigger must survive a failing poll, as the AWS service would
                logger.exception("%s: poll failed", self.name)
            self._stopping.wait(self._interval)
