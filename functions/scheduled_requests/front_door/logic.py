"""The Schedule API's rules: create, read and cancel schedules, one execution per schedule.

Plain Python: Step Functions is reached through `ExecutionGateway`, time through `Clock`. The schedule
id is the execution name, so no database is needed: an Idempotency-Key maps to a deterministic name,
and replays are recognised by the request fingerprint stored in the execution input. An execution
whose input is not a schedule's (started some other way) is not a schedule: it is not found.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from functions.common.clock import Clock, utc_now
from functions.common.execution_names import (
    hashed_execution_name,
    is_hashed_execution_name,
    is_random_execution_name,
    random_execution_name,
)
from functions.common.rfc3339 import ceil_to_second, format_utc_seconds
from functions.common.strict_json import check_nesting
from functions.scheduled_requests.front_door.errors import (
    ExecutionNameTaken,
    IdempotencyKeyReused,
    InvalidScheduleRequest,
    RequestTooLarge,
    ScheduleNotCancellable,
    ScheduleNotFound,
)
from functions.scheduled_requests.front_door.executions import (
    ExecutionGateway,
    ExecutionSnapshot,
    HistoryEvent,
)
from functions.scheduled_requests.front_door.models import (
    CreateScheduleRequest,
    ErrorCode,
    ScheduleAccepted,
    ScheduleStatus,
    ScheduleView,
)
from functions.scheduled_requests.front_door.settings import FrontDoorSettings
from functions.scheduled_requests.front_door.status import read_progress, schedule_view
from functions.scheduled_requests.workflow_contract import CANCELLED_ERROR, ExecutionInput, TargetReference

# Step Functions refuses any execution input or state data above 256 KiB, measured as UTF-8 bytes.
STEP_FUNCTIONS_DATA_LIMIT_BYTES = 262_144
# The state machine adds to its state while it runs: the attempt number, a rescheduled time and the
# last error (whose cause Step Functions caps at 32,768 characters). An input that leaves no room for
# them would be accepted here and then fail with States.DataLimitExceeded, so that room is kept free.
STATE_GROWTH_RESERVE_BYTES = 36_864
MAX_EXECUTION_INPUT_BYTES = STEP_FUNCTIONS_DATA_LIMIT_BYTES - STATE_GROWTH_RESERVE_BYTES
IDEMPOTENT_NAME_PREFIX = "idem-"
_CANCEL_CAUSE = "cancelled through the Schedule API"
# Inputs this API writes nest at most MAX_PAYLOAD_DEPTH + 1 levels; older ones up to about 255. Deeper
# input was not written by this API, and json.loads would recurse too far into it.
_STORED_INPUT_MAX_DEPTH = 512
_FAILED_STATUSES = frozenset({"FAILED", "TIMED_OUT"})

FailureLog = Callable[[ExecutionSnapshot], None]
"""Receives each failed execution that is read, with its full cause (the API answers a summary)."""


@dataclass(frozen=True)
class CreateOutcome:
    """The answer to a create request, and whether it replays an earlier one (same Idempotency-Key)."""

    accepted: ScheduleAccepted
    replayed: bool


def request_fingerprint(trigger_at: datetime, payload: dict[str, Any], target_name: str) -> str:
    """SHA-256 hex of the canonical JSON of what a request asks for (normalised time, payload, target)."""
    canonical = json.dumps(
        {"triggerAt": format_utc_seconds(trigger_at), "payload": payload, "target": target_name},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
        allow_nan=False,
    )
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def schedule_id_for_key(idempotency_key: str) -> str:
    """The schedule id (execution name) that an Idempotency-Key always maps to."""
    return hashed_execution_name(IDEMPOTENT_NAME_PREFIX, idempotency_key)


def is_schedule_id(value: str) -> bool:
    """True when `value` has the shape of an id this API hands out (so it is worth looking up)."""
    return is_random_execution_name(value) or is_hashed_execution_name(IDEMPOTENT_NAME_PREFIX, value)


def stored_schedule(snapshot: ExecutionSnapshot) -> ExecutionInput | None:
    """The schedule an execution was started with, or None when its input is not a schedule's."""
    try:
        check_nesting(snapshot.input, _STORED_INPUT_MAX_DEPTH)
        return ExecutionInput.model_validate(json.loads(snapshot.input))
    except ValueError:  # NestingTooDeep, json.JSONDecodeError or pydantic's ValidationError
        return None


class ScheduleService:
    """Create, read and cancel schedules."""

    def __init__(
        self,
        settings: FrontDoorSettings,
        executions: ExecutionGateway,
        clock: Clock = utc_now,
        *,
        failure_log: FailureLog | None = None,
    ) -> None:
        self._settings = settings
        self._executions = executions
        self._clock = clock
        self._failure_log = failure_log

    def create(self, request: CreateScheduleRequest, idempotency_key: str | None) -> CreateOutcome:
        """Start an execution that waits until the request's trigger time.

        With an Idempotency-Key the earlier schedule is looked up first, before the time-window
        checks, so that replaying the request of a schedule that has since run still answers with it.
        """
        target_name = request.target or self._settings.default_target
        trigger_at = ceil_to_second(request.trigger_at)
        fingerprint = request_fingerprint(trigger_at, request.payload, target_name)
        if idempotency_key is not None:
            name = schedule_id_for_key(idempotency_key)
            existing = self._executions.describe(name)
            if existing is not None:
                return self._replay(existing, fingerprint)
        else:
            name = random_execution_name()

        target = self._registered_target(target_name)
        self._check_time_window(request.trigger_at)
        document = ExecutionInput(
            schedule_id=name,
            trigger_at=format_utc_seconds(trigger_at),
            payload=request.payload,
            target=target,
            request_fingerprint=fingerprint,
        ).model_dump_json()
        size = len(document.encode("utf-8"))
        if size > MAX_EXECUTION_INPUT_BYTES:
            raise RequestTooLarge(
                "the execution input built from this request", size, MAX_EXECUTION_INPUT_BYTES
            )

        try:
            execution_arn = self._executions.start(name, document)
        except ExecutionNameTaken:
            # Only keyed names are deterministic: a concurrent request with the same key won the race.
            winner = self._executions.describe(name) if idempotency_key is not None else None
            if winner is None:
                raise
            return self._replay(winner, fingerprint)
        accepted = ScheduleAccepted(
            schedule_id=name,
            execution_arn=execution_arn,
            trigger_at=trigger_at,
            status=ScheduleStatus.SCHEDULED,
        )
        return CreateOutcome(accepted=accepted, replayed=False)

    def get(self, schedule_id: str) -> ScheduleView:
        """The schedule's status, timestamps and result or error."""
        snapshot, stored = self._find(schedule_id)
        return self._view(snapshot, stored, self._history_if_running(snapshot))

    def cancel(self, schedule_id: str) -> ScheduleView:
        """Stop the execution while it reads SCHEDULED: waiting for its first attempt, or for the next one
        after a reschedule. Refuse once an attempt is under way or the schedule has finished.

        Step Functions cannot stop an execution only if it still waits, so the history is read again after
        stopping: if an attempt began in between, the execution is stopped but its target was invoked,
        and the answer says so (409) instead of reporting a clean cancellation.
        """
        snapshot, stored = self._find(schedule_id)
        history = self._history_if_running(snapshot)
        view = self._view(snapshot, stored, history)
        if view.status is ScheduleStatus.PROCESSING:
            raise ScheduleNotCancellable(schedule_id, "processing has begun")
        if view.status is not ScheduleStatus.SCHEDULED:
            raise ScheduleNotCancellable(schedule_id, f"it is already {view.status.value}")
        stopped_at = (
            self._executions.stop(snapshot.name, error=CANCELLED_ERROR, cause=_CANCEL_CAUSE) or self._clock()
        )
        attempts_seen = read_progress(history).attempts_started
        if read_progress(self._executions.history(snapshot.name)).attempts_started > attempts_seen:
            raise ScheduleNotCancellable(
                schedule_id,
                "processing began before the cancel took effect; the execution was stopped, "
                "but its target had already been invoked",
            )
        return view.model_copy(
            update={
                "status": ScheduleStatus.CANCELLED,
                "updated_at": stopped_at,
                "finished_at": stopped_at,
                "attempt": None,
                "next_attempt_at": None,
            }
        )

    def _replay(self, existing: ExecutionSnapshot, fingerprint: str) -> CreateOutcome:
        stored = stored_schedule(existing)
        if stored is None or stored.request_fingerprint != fingerprint:
            raise IdempotencyKeyReused()
        view = self._view(existing, stored, self._history_if_running(existing))
        accepted = ScheduleAccepted(
            schedule_id=existing.name,
            execution_arn=existing.arn,
            trigger_at=view.trigger_at,
            status=view.status,
        )
        return CreateOutcome(accepted=accepted, replayed=True)

    def _find(self, schedule_id: str) -> tuple[ExecutionSnapshot, ExecutionInput]:
        snapshot = self._executions.describe(schedule_id) if is_schedule_id(schedule_id) else None
        stored = stored_schedule(snapshot) if snapshot is not None else None
        if snapshot is None or stored is None:
            raise ScheduleNotFound(schedule_id)
        return snapshot, stored

    def _history_if_running(self, snapshot: ExecutionSnapshot) -> list[HistoryEvent]:
        return self._executions.history(snapshot.name) if snapshot.status == "RUNNING" else []

    def _view(
        self, snapshot: ExecutionSnapshot, stored: ExecutionInput, history: list[HistoryEvent]
    ) -> ScheduleView:
        if snapshot.status in _FAILED_STATUSES and self._failure_log is not None:
            self._failure_log(snapshot)
        return schedule_view(snapshot, stored, history)

    def _registered_target(self, name: str) -> TargetReference:
        function_arn = self._settings.target_functions.get(name)
        if function_arn is None:
            known = ", ".join(sorted(self._settings.target_functions))
            raise InvalidScheduleRequest(
                ErrorCode.UNKNOWN_TARGET, f"unknown target {name!r}; configured targets: {known}", "target"
            )
        return TargetReference(name=name, function_arn=function_arn)

    def _check_time_window(self, trigger_at: datetime) -> None:
        now = self._clock()
        skew = timedelta(seconds=self._settings.clock_skew_seconds)
        if trigger_at < now - skew:
            raise InvalidScheduleRequest(
                ErrorCode.TRIGGER_AT_IN_PAST,
                f"triggerAt is in the past (now is {now.isoformat()}; "
                f"tolerance {self._settings.clock_skew_seconds} s)",
                "triggerAt",
            )
        if trigger_at > now + timedelta(days=self._settings.max_horizon_days):
            raise InvalidScheduleRequest(
                ErrorCode.TRIGGER_AT_BEYOND_HORIZON,
                f"triggerAt is more than {self._settings.max_horizon_days} days ahead "
                f"(now is {now.isoformat()})",
                "triggerAt",
            )
