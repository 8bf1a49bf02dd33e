"""Which Retry or Catch block an error matches, and how long a retrier waits before the next attempt."""

from __future__ import annotations

import random
from typing import Any

RUNTIME = "States.Runtime"
DATA_LIMIT = "States.DataLimitExceeded"
# Errors that Retry and Catch never see: they always end the execution.
TERMINAL_ERRORS = frozenset({RUNTIME, DATA_LIMIT})


def error_matches(names: list[str], error: str | None) -> bool:
    """Whether an `ErrorEquals` list matches `error`."""
    if error in names:
        return True
    if "States.ALL" in names:
        return error not in TERMINAL_ERRORS
    if "States.TaskFailed" in names:
        return error not in TERMINAL_ERRORS and error not in ("States.Timeout", "States.HeartbeatTimeout")
    return error == "States.HeartbeatTimeout" and "States.Timeout" in names


def matching(blocks: list[dict[str, Any]], error: str | None) -> dict[str, Any] | None:
    """The first Retry or Catch block whose `ErrorEquals` matches `error`."""
    for block in blocks:
        if error_matches(block["ErrorEquals"], error):
            return block
    return None


def retry_delay(retrier: dict[str, Any], attempt: int) -> float:
    """Seconds before retry number `attempt` (0-based) of a retrier."""
    delay = float(retrier.get("IntervalSeconds", 1)) * float(retrier.get("BackoffRate", 2.0)) ** attempt
    max_delay = retrier.get("MaxDelaySeconds")
    if max_delay is not None:
        delay = min(delay, float(max_delay))
    if retrier.get("JitterStrategy") == "FULL":
        delay = random.uniform(0, delay)
    return delay
