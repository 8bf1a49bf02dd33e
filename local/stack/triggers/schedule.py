"""A function invoked at a fixed rate on the engine's clock, as an EventBridge schedule would invoke it.

The rate is measured on the stack's clock, so a virtual clock moved three days ahead makes the
schedule due at once; runs missed while the clock jumped are coalesced into one, since running a
reconciliation many times in a row tells nothing more than running it once.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from local.engine.clock import Clock
from local.stack.config import ACCOUNT_ID, REGION
from local.stack.functions import InProcessFunction


class RateSchedule:
    """Invokes one function every `every` of clock time; `poll` runs in a loop."""

    def __init__(self, *, name: str, function: InProcessFunction, every: timedelta, clock: Clock) -> None:
        self._rule_arn = f"arn:aws:events:{REGION}:{ACCOUNT_ID}:rule/{name}"
        self._function = function
        self._every = every
        self._clock = clock
        self._next_run: datetime = clock.now() + every

    def poll(self) -> None:
        """Invoke the function if its time has come."""
        now = self._clock.now()
        if now < self._next_run:
            return
        self._next_run = now + self._every
        event = {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": ACCOUNT_ID,
            "time": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": REGION,
            "resources": [self._rule_arn],
            "detail": {},
        }
        self._function(event, self._function.new_context())
