"""What every group of the Engine's API operations shares.

The Engine is assembled from one class per group of operations (state machines, executions, redrive,
history, task tokens, tags); each reads the clock, the store and the execution driver declared here, and
looks state machines and executions up by ARN the way AWS fails when they do not exist.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from local.engine import arns
from local.engine.errors import ApiError
from local.engine.timestamps import to_epoch

if TYPE_CHECKING:
    from local.engine.clock import Clock
    from local.engine.driver import ExecutionDriver
    from local.engine.store import ExecutionRecord, StateMachineRecord, Store
    from local.engine.tasks import TaskDispatcher


class ApiBase:
    """The state every operation reads; `Engine.__init__` sets it."""

    clock: Clock
    store: Store
    account_id: str
    region: str
    dispatcher: TaskDispatcher
    _driver: ExecutionDriver

    def _now_epoch(self) -> float:
        return to_epoch(self.clock.now())

    def _machine(self, arn: str) -> StateMachineRecord:
        parsed = arns.parse_state_machine_arn(arn)
        record = self.store.get_state_machine(parsed.arn)
        if record is None:
            raise ApiError("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{parsed.arn}'")
        return record

    def _execution(self, arn: str) -> ExecutionRecord:
        arns.parse_execution_arn(arn)
        record = self.store.get_execution(arn)
        if record is None:
            raise ApiError("ExecutionDoesNotExist", f"Execution Does Not Exist: '{arn}'")
        return record
