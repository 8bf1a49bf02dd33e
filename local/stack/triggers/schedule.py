"""A function invoked at a fixed rate on the engine's clock, as an EventBridge schedule would invoke it.

The rate is measured on the stack's clock. The stack's clock control stops at each run's time
(`next_run`) on its way, so `clock advance 3d` runs an hourly schedule 72 times, each at its own
virtual hour. Runs missed while the clock jumped by itself (a skip clock) are coalesced into one, since
running a reconciliation many times in a row tells nothing more than running it once.
"""

from __future__ import annotations

import logging
import threading
import uuid
from datetime import datetime, timedelta

from local.engine.clock import Clock
from local.stack.config import ACCOUNT_ID, REGION
from local.stack.functions import CatalogFunction, FunctionError

logger = logging.getLogger(__name__)


class RateSchedule:
    """Invokes one function every `every` of clock time; `poll` runs in a loop."""

    def __init__(self, *, name: str, function: CatalogFunction, every: timedelta, clock: Clock) -> None:
        self._rule_arn = f"arn:aws:events:{REGION}:{ACCOUNT_ID}:rule/{name}"
        self._function = function
        self.function_name = function.name
        self.every = every
        self._clock = clock
        self._next_run: datetime = clock.now() + every
        # Held for a whole run: a second poller (the clock control, stepping through a move) waits for a
        # run in progress to end, so the clock does not move on under a run that read it.
        self._running = threading.Lock()

    @property
    def next_run(self) -> datetime:
        """When the function is next due."""
        return self._next_run

    def poll(self) -> None:
        """Invoke the function if its time has come (once, however many threads poll)."""
        with self._running:
            now = self._clock.now()
            if now < self._next_run:
                return
            self._next_run = now + self.every
            self._invoke(now)

    def _invoke(self, now: datetime) -> None:
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
        try:
            self._function(event)
        except FunctionError as error:  # as with EventBridge: the run failed, the next is due all the same
            logger.error("A scheduled run did not succeed: %s", error)
