"""The handler the local stack gives its functions' workers: the stack's clock, then the function's handler.

The stack runs each catalog function in worker processes of its own (`local.lambda_service`), with
`_HANDLER` set to `local.clocked_handler.handler` and `LOCAL_FUNCTION_HANDLER` to the catalog's handler, the
way Lambda layers wrap a handler they instrument. On a virtual or skip clock, the stack passes the time of
each invocation in the client context (`custom["localClock"]`, an ISO 8601 instant); this wrapper makes
every reader of "now" in the function read it for that invocation: the handlers' clock seam
(`functions.common.clock`) and the libraries that read the time themselves (`local.library_clocks`). On
the real clock the stack passes no time, and the function reads the wall clock as deployed.

Deployed code never imports this module; it imports only what the worker needs, so a worker starts fast.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable
from datetime import datetime
from typing import Any

from functions.common.clock import use_clock, wall_clock
from local.library_clocks import follow_clock

HANDLER = "local.clocked_handler.handler"
"""What the stack sets as each function's handler."""
HANDLER_VARIABLE = "LOCAL_FUNCTION_HANDLER"
"""The function's own handler, `module.function`."""
CLOCK_KEY = "localClock"
"""The member of the client context's `custom` that carries the invocation's time."""
_POWERTOOLS_IDEMPOTENCY = "aws_lambda_powertools.utilities.idempotency"
_POWERTOOLS_METRICS = "aws_lambda_powertools.metrics"


class _InvocationClock:
    """The time stamped on the latest invocation; a worker runs one invocation at a time."""

    def __init__(self) -> None:
        self.moment = wall_clock()
        self._followed = False

    def now(self) -> datetime:
        return self.moment

    def stamp(self, moment: datetime) -> None:
        """Make `moment` the time of the invocation about to run; the first stamp installs this clock."""
        self.moment = moment
        if not self._followed:
            use_clock(self.now)
            # Only if the handler uses it: importing Powertools' idempotency would slow every worker's start.
            if _POWERTOOLS_IDEMPOTENCY in sys.modules:
                follow_clock(self.now)
            self._followed = True


def _load(handler_name: str) -> Callable[[Any, Any], Any]:
    module_name, _, attribute = handler_name.rpartition(".")
    handler = getattr(importlib.import_module(module_name), attribute, None)
    if not callable(handler):
        raise RuntimeError(f"{handler_name} is not a callable")
    return handler


# Loaded as the worker imports this module, so that a broken handler fails the function's init, as on Lambda.
# (The stack imports it only for the names above, without the variable.)
_function_handler = _load(os.environ[HANDLER_VARIABLE]) if HANDLER_VARIABLE in os.environ else None
_clock = _InvocationClock()


def handler(event: Any, context: Any) -> Any:
    """Call the function's handler, on the time the stack stamped on this invocation (if any)."""
    custom = getattr(getattr(context, "client_context", None), "custom", None) or {}
    stamped = custom.get(CLOCK_KEY)
    if stamped is not None:
        _clock.stamp(datetime.fromisoformat(stamped))
    if _function_handler is None:
        raise RuntimeError(f"{HANDLER_VARIABLE} names no handler")
    try:
        return _function_handler(event, context)
    finally:
        _drop_unpublished_metrics()


def _drop_unpublished_metrics() -> None:
    """Forget the metrics of an invocation when POWERTOOLS_METRICS_DISABLED is set, as publishing them would.

    With metrics disabled, Powertools' `log_metrics` neither prints an invocation's metrics nor clears
    them, and `add_metric` prints the whole set once a metric holds 100 values: a stack run with metrics
    off would still print EMF lines every hundred invocations, and keep what it added until then.
    """
    metrics = sys.modules.get(_POWERTOOLS_METRICS)
    if metrics is None:  # the handler adds no metrics (and importing them would slow the worker's start)
        return
    if importlib.import_module(f"{_POWERTOOLS_METRICS}.functions").is_metrics_disabled():
        metrics.Metrics().clear_metrics()  # the metric set is shared by every Metrics instance
