"""Which Retry or Catch block an error matches."""

from __future__ import annotations

from collections.abc import Sequence

from local.engine.state_specs import Catcher

RUNTIME = "States.Runtime"
DATA_LIMIT = "States.DataLimitExceeded"
# Errors that Retry and Catch never see: they always end the execution.
TERMINAL_ERRORS = frozenset({RUNTIME, DATA_LIMIT})


def error_matches(names: Sequence[str], error: str | None) -> bool:
    """Whether an `ErrorEquals` list matches `error`."""
    if error in names:
        return True
    if "States.ALL" in names:
        return error not in TERMINAL_ERRORS
    if "States.TaskFailed" in names:
        return error not in TERMINAL_ERRORS and error not in ("States.Timeout", "States.HeartbeatTimeout")
    return error == "States.HeartbeatTimeout" and "States.Timeout" in names


def matching_catcher(catchers: Sequence[Catcher], error: str | None) -> Catcher | None:
    """The first Catch block whose `ErrorEquals` matches `error`."""
    return next((catcher for catcher in catchers if error_matches(catcher.error_equals, error)), None)
