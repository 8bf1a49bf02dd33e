"""Libraries inside the handlers that read the time themselves, made to read the stack's clock.

The handlers' own code reads the time through `functions.common.clock`; Powertools' idempotency utility
reads `datetime.now()` directly, for the expiry of its records and for how long an invocation may hold
an in-progress record. On the wall clock those would disagree with everything else on a virtual clock:
a record would never expire however many virtual days pass, and after a crash, a task retried minutes
later in virtual time would still find the dead invocation's in-progress record and fail as "already in
progress" until a minute of wall time had passed. Deployed, none of this applies: nothing is patched.
"""

from __future__ import annotations

import datetime as real_datetime
import importlib
import types
from collections.abc import Callable
from typing import Any

Clock = Callable[[], real_datetime.datetime]

# Each of these modules does `import datetime as dt` and calls `dt.datetime.now()`.
_POWERTOOLS_IDEMPOTENCY_MODULES = (
    "aws_lambda_powertools.utilities.idempotency.base",
    "aws_lambda_powertools.utilities.idempotency.persistence.base",
    "aws_lambda_powertools.utilities.idempotency.persistence.datarecord",
    "aws_lambda_powertools.utilities.idempotency.persistence.dynamodb",
)


def follow_clock(clock: Clock) -> Callable[[], None]:
    """Make the libraries above read `clock`; returns the function that puts the real clock back."""
    shim = _datetime_module_reading(clock)
    patched: list[tuple[types.ModuleType, Any]] = []
    for name in _POWERTOOLS_IDEMPOTENCY_MODULES:
        module = importlib.import_module(name)
        patched.append((module, module.__dict__["dt"]))
        setattr(module, "dt", shim)  # noqa: B010 - the attribute is the module's own import

    def restore() -> None:
        for module, original in patched:
            setattr(module, "dt", original)  # noqa: B010

    return restore


def _datetime_module_reading(clock: Clock) -> types.ModuleType:
    """A stand-in for the `datetime` module whose `datetime.now()` reads `clock`."""

    class ClockedDatetime(real_datetime.datetime):
        @classmethod
        def now(cls, tz: real_datetime.tzinfo | None = None) -> ClockedDatetime:
            moment = clock()
            # As datetime.now() does: local time, naive unless a time zone is asked for.
            local = moment.astimezone(tz) if tz is not None else moment.astimezone().replace(tzinfo=None)
            return cls.fromisoformat(local.isoformat())

    class DatetimeModule(types.ModuleType):
        def __getattr__(self, name: str) -> Any:
            return getattr(real_datetime, name)

    module = DatetimeModule("datetime")
    module.datetime = ClockedDatetime  # type: ignore[attr-defined]
    return module
