"""Bounded waiting for what the stack does on its own in the background (stream and topic deliveries)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")
WAIT_SECONDS = 20.0


def eventually(produce: Callable[[], T], timeout_seconds: float = WAIT_SECONDS) -> T:
    """The first truthy result of `produce`; its last (falsy) result once `timeout_seconds` have passed."""
    deadline = time.monotonic() + timeout_seconds
    while True:
        result = produce()
        if result or time.monotonic() >= deadline:
            return result
        time.sleep(0.05)
