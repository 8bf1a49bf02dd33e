"""What every group of the Engine's API operations shares.

The Engine is assembled from one class per group of operations (state machines, versions, aliases,
activities, executions,
Map Runs, redrive, history, task tokens, tags); each reads the clock, the store and the
execution driver declared here, and looks state machines, versions, aliases and executions up by ARN the
way AWS fails when they do not exist.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from local.engine import arns, qualified_arns
from local.engine.errors import ApiError
from local.engine.timestamps import to_epoch

if TYPE_CHECKING:
    import threading

    from local.engine.activity_queue import ActivityQueue
    from local.engine.clock import Clock
    from local.engine.driver import ExecutionDriver
    from local.engine.map_run_children import MapRunChildren
    from local.engine.store import (
        AliasRecord,
        ExecutionRecord,
        MapRunRecord,
        StateMachineRecord,
        Store,
        VersionRecord,
    )
    from local.engine.tasks import TaskDispatcher


class ApiBase:
    """The state every operation reads; `Engine.__init__` sets it."""

    clock: Clock
    store: Store
    account_id: str
    region: str
    dispatcher: TaskDispatcher
    _driver: ExecutionDriver
    _activity_queue: ActivityQueue
    _map_run_children: MapRunChildren
    # Held while versions or aliases change: a version number is given once, an alias routes to live versions.
    _catalog_lock: threading.RLock

    def _now_epoch(self) -> float:
        return to_epoch(self.clock.now())

    @staticmethod
    def _qualified(arn: str) -> qualified_arns.QualifiedArn:
        """A state machine, version or alias ARN parsed (InvalidArn, naming the prefix of a text that is no
        ARN at all, as on AWS)."""
        arns.check_prefix(arn)
        return qualified_arns.parse(arn)

    def _machine(self, arn: str) -> StateMachineRecord:
        """The state machine an unqualified ARN names (a version or alias ARN is refused, as on AWS)."""
        if self._qualified(arn).is_qualified:
            raise ApiError(
                "ValidationException",
                f"Invalid Arn: 'A qualified state machine ARN is not allowed here: {arn}'",
            )
        parsed = arns.parse_state_machine_arn(arn)
        return self._machine_named(parsed.arn)

    def _machine_named(self, state_machine_arn: str) -> StateMachineRecord:
        record = self.store.get_state_machine(state_machine_arn)
        if record is None:
            raise ApiError("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{state_machine_arn}'")
        return record

    def _version(self, arn: str) -> VersionRecord:
        """The version a version ARN names (StateMachineDoesNotExist if never published, or deleted)."""
        record = self.store.get_version(qualified_arns.parse_version(arn).arn)
        if record is None:
            raise ApiError("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{arn}'")
        return record

    def _alias(self, arn: str) -> AliasRecord:
        """The alias an alias ARN names (ResourceNotFound when there is none)."""
        record = self.store.get_alias(qualified_arns.parse_alias(arn).arn)
        if record is None:
            raise ApiError("ResourceNotFound", "Request references a resource that does not exist.")
        return record

    def _map_run(self, arn: str) -> MapRunRecord:
        """The Map Run an ARN names (InvalidArn when malformed, ResourceNotFound when there is none)."""
        arns.check_map_run_arn(arn)
        run = self.store.get_map_run(arn)
        if run is None:
            raise ApiError("ResourceNotFound", f"Resource not found: '{arn}'")
        return run

    def _execution(self, arn: str) -> ExecutionRecord:
        arns.parse_execution_arn(arn)
        record = self.store.get_execution(arn)
        if record is None:
            raise ApiError("ExecutionDoesNotExist", f"Execution Does Not Exist: '{arn}'")
        return record
