"""The Engine: a local AWS Step Functions service, and a test environment whose time a test controls.

The API methods are the boto3 operation names in snake_case, taking boto3's parameters in snake_case and
returning AWS's response shapes (`local.engine.api_types`); each group of operations lives in its own
module (`api_state_machines`, `api_versions`, `api_aliases`, `api_activities`, `api_executions`,
`api_map_runs`, `api_redrive`, `api_history`, `api_task_tokens`, `api_tags`, `api_test_state`). This module
assembles them and adds what a test or a server needs around them: the clock (`now`, `advance`, `advance_to`),
running work (`run_until_idle`, `start`) and closing.

Example:
    with Engine(clock=VirtualClock(start=datetime(2026, 1, 1, tzinfo=UTC))) as engine:
        engine.register_lambda("my-fn", handler)
        machine = engine.create_state_machine(name="M", definition=text, role_arn=ROLE)
        run = engine.start_execution(machine["stateMachineArn"], input='{"a": 1}')
        engine.advance(timedelta(days=3))  # every timer due on the way fires at its own time
        engine.describe_execution(run["executionArn"])["status"]

API errors are `ApiError`s named as AWS names them; misusing the environment itself (moving the wall
clock, moving backwards, a datetime without a timezone) raises `RuntimeError` or `ValueError`.
"""

from __future__ import annotations

import math
import threading
from datetime import datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from local.engine.activity_queue import POLL_SECONDS, ActivityQueue
from local.engine.api_activities import ActivityOperations
from local.engine.api_aliases import AliasOperations
from local.engine.api_executions import ExecutionOperations
from local.engine.api_history import HistoryOperations
from local.engine.api_map_runs import MapRunOperations
from local.engine.api_redrive import RedriveOperations
from local.engine.api_state_machines import StateMachineOperations
from local.engine.api_tags import TagOperations
from local.engine.api_task_tokens import TaskTokenOperations
from local.engine.api_test_state import TestStateOperations
from local.engine.clock import Clock, ClockMoveError, ClockNotMovableError, ManualClock, RealClock
from local.engine.driver import ExecutionDriver
from local.engine.lambda_runtime import Handler, LambdaInvoker
from local.engine.map_run_children import MapRunChildren
from local.engine.mock_config import MockConfig
from local.engine.nested_executions import NestedExecutions
from local.engine.store import Store
from local.engine.store_memory import MemoryStore
from local.engine.tasks import TaskDispatcher
from local.engine.timestamps import at_or_after, to_epoch


class Engine(
    StateMachineOperations,
    AliasOperations,
    ActivityOperations,
    ExecutionOperations,
    MapRunOperations,
    RedriveOperations,
    HistoryOperations,
    TaskTokenOperations,
    TagOperations,
    TestStateOperations,
):
    """A local Step Functions service; `with Engine(...) as engine:` closes it (and its store) at the end."""

    def __init__(
        self,
        clock: Clock | None = None,
        store: Store | None = None,
        *,
        account_id: str = "123456789012",
        region: str = "us-east-1",
        mock_config: str | Path | dict[str, Any] | None = None,
        aws_endpoint_url: str | None = None,
        activity_poll_seconds: float = POLL_SECONDS,
    ) -> None:
        self.clock = clock or RealClock()
        self.store = store if store is not None else MemoryStore()
        self.account_id = account_id
        self.region = region
        self.dispatcher = TaskDispatcher(
            account_id=account_id,
            region=region,
            mock_config=MockConfig.load(mock_config),
            aws_endpoint_url=aws_endpoint_url,
        )
        self._activity_queue = ActivityQueue(self.store, activity_poll_seconds)
        self.dispatcher.use_activity_queue(self._activity_queue)
        self._driver = ExecutionDriver(self.clock, self.store, self.dispatcher)
        self._nest_executions()
        self._run_map_runs()
        self._catalog_lock = threading.RLock()
        self._closed = False
        self._resume_clock()

    def _nest_executions(self) -> None:
        """`states:startExecution` tasks start their children here and `.sync` ones wait for their ends."""
        nested = NestedExecutions(self._driver, self.store, self.stop_execution)
        self.dispatcher.use_execution_starter(self.start_execution)
        self._driver.on_execution_end(nested.execution_ended)
        nested.resume_waiting_parents()

    def _run_map_runs(self) -> None:
        """Distributed Maps start their Map Runs' children here and learn of their ends."""
        self._map_run_children = MapRunChildren(
            self._driver, self.store, self.stop_execution, self._redrive_map_run_child
        )
        self._driver.map_runs = self._map_run_children
        self._driver.on_execution_end(self._map_run_children.execution_ended)
        self._map_run_children.resume_running_runs()

    def _resume_clock(self) -> None:
        """A virtual or skip clock continues from the position saved in the store and saves every move."""
        if not isinstance(self.clock, ManualClock):
            return  # the wall clock needs no memory
        recorded = self.store.load_clock_position()
        if recorded is not None:
            self.clock.resume_from(recorded)
        self.store.save_clock_position(self.clock.now())
        self.clock.record_with(self._driver.clock_moved)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # ------------------------------------------------------------------ time

    def now(self) -> datetime:
        """The engine's current time (timezone-aware UTC): what its timers and event timestamps read."""
        return self.clock.now()

    def advance(self, by: timedelta | float) -> datetime:
        """Move a virtual or skip clock forward by `by` (a timedelta, or seconds), running everything that
        falls due on the way at its own time; returns the new time.

        Raises `RuntimeError` on the wall clock and `ValueError` for a negative or non-finite amount.
        """
        seconds = by.total_seconds() if isinstance(by, timedelta) else float(by)
        self._check_movable("advance")
        if not math.isfinite(seconds) or seconds < 0:
            raise ClockMoveError(
                f"advance() moves the clock forward only, got {by!r}: "
                "give a non-negative timedelta or number of seconds"
            )
        return self._driver.advance(seconds)

    def advance_to(self, moment: datetime) -> datetime:
        """Move a virtual or skip clock to `moment` (timezone-aware), running everything that falls due on
        the way at its own time; returns the new time.

        Raises `RuntimeError` on the wall clock, `ValueError` for a naive datetime or a moment earlier than
        `now()`.
        """
        self._check_movable("advance_to")
        _check_aware(moment, "advance_to")
        now = self.clock.now()
        if moment < now:
            raise ClockMoveError(
                "advance_to() cannot move the clock backwards, "
                f"from {now.isoformat()} to {moment.isoformat()}"
            )
        return self.run_until(moment)

    def run_until(self, moment: datetime) -> datetime:
        """Run everything due by `moment`, moving a virtual or skip clock there unless it is already later;
        returns the new time.

        For callers whose targets may trail a clock that also moves by itself (a skip clock, and the
        schedules that follow it). A test moving time wants `advance_to`, which refuses to go back.
        """
        self._check_movable("run_until")
        _check_aware(moment, "run_until")
        self._driver.run_until_due(max(to_epoch(moment), to_epoch(self.clock.now())))
        return self.clock.now()

    def next_timer(self) -> datetime | None:
        """When the earliest timer of a running execution falls due (a Wait, a retry's backoff, a task or
        execution timeout), or None when no execution waits on one."""
        due = self.store.next_due(skippable=False)
        return None if due is None else at_or_after(due)

    def _check_movable(self, operation: str) -> None:
        if not isinstance(self.clock, ManualClock):
            raise ClockNotMovableError(
                f"{operation}() needs a clock moved by hand, but this engine runs on the {self.clock.mode} "
                "clock: create it with clock=VirtualClock() or clock=SkipClock()"
            )

    # ------------------------------------------------------------------ running

    def register_lambda(self, name_or_arn: str, handler: Handler) -> None:
        """Answer invocations of a Lambda function (by name or ARN) with an in-process handler."""
        self.dispatcher.register_lambda(name_or_arn, handler)

    def use_lambda_invoker(self, invoker: LambdaInvoker | None) -> None:
        """Answer invocations of functions without an in-process handler through a Lambda service."""
        self.dispatcher.use_lambda_invoker(invoker)

    def run_until_idle(self) -> None:
        """Run all runnable work in this thread; a skip clock also jumps over timers."""
        self._driver.run_until_idle()

    def start(self) -> None:
        """Start the background worker (servers)."""
        self._driver.start()

    def close(self) -> None:
        """Stop the background worker, save where a virtual or skip clock stands, close the store.

        Closing twice is harmless.
        """
        if self._closed:
            return
        self._closed = True
        self._activity_queue.close()
        self._driver.close()
        if isinstance(self.clock, ManualClock):
            self.clock.stop_recording(self._driver.clock_moved)
            self._driver.save_clock()
        self.store.close()


def _check_aware(moment: datetime, operation: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ClockMoveError(
            f"{operation}() needs a timezone-aware datetime, got the naive {moment.isoformat()}; "
            "give it a timezone, e.g. datetime(2026, 1, 1, tzinfo=UTC)"
        )
