"""Map an execution's status and history to the schedule status the API reports.

- RUNNING, `ProcessRequest` never entered                 -> SCHEDULED
- RUNNING, waiting again after a reschedule               -> SCHEDULED (with attempt and nextAttemptAt)
- RUNNING otherwise, or PENDING_REDRIVE                   -> PROCESSING
- SUCCEEDED -> SUCCEEDED (result), FAILED | TIMED_OUT -> FAILED (error, cause), ABORTED -> CANCELLED

A schedule can be cancelled exactly while this mapping says SCHEDULED (see `ScheduleService.cancel`).
The cause is summarised (error types and messages, no stack traces or file paths); the full cause stays in
the execution history.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from functions.common.error_cause import summarize_cause
from functions.common.rfc3339 import InvalidTimestamp, parse_rfc3339
from functions.common.strict_json import NestingTooDeep, check_nesting
from functions.scheduled_requests.front_door.executions import ExecutionSnapshot, HistoryEvent
from functions.scheduled_requests.front_door.models import MAX_PAYLOAD_DEPTH, ScheduleStatus, ScheduleView
from functions.scheduled_requests.workflow_contract import PROCESS_STATE, WAIT_STATE, ExecutionInput

_FINISHED = {
    "SUCCEEDED": ScheduleStatus.SUCCEEDED,
    "FAILED": ScheduleStatus.FAILED,
    "TIMED_OUT": ScheduleStatus.FAILED,
    "ABORTED": ScheduleStatus.CANCELLED,
}
_TIMEOUT_ERROR = "States.Timeout"
# Where a Wait state's input may carry its deadline: a rescheduled attempt's time first, then triggerAt.
_DEADLINE_FIELDS = ("nextAttemptAt", "triggerAt")


@dataclass(frozen=True)
class Progress:
    """How far a running execution has got, read from its history."""

    attempts_started: int
    waiting: bool
    waiting_input: str | None
    last_event_at: datetime | None

    @property
    def processing_has_begun(self) -> bool:
        """True once `ProcessRequest` has been entered at least once."""
        return self.attempts_started > 0


def read_progress(history: list[HistoryEvent]) -> Progress:
    """Count `ProcessRequest` entries; tell whether the execution waits in `WaitUntilTriggerAt` now."""
    attempts = sum(
        1 for event in history if event.type.endswith("StateEntered") and event.state_name == PROCESS_STATE
    )
    latest = history[-1] if history else None
    waiting = latest is not None and latest.type == "WaitStateEntered" and latest.state_name == WAIT_STATE
    return Progress(
        attempts_started=attempts,
        waiting=waiting,
        waiting_input=latest.state_input if waiting and latest is not None else None,
        last_event_at=latest.timestamp if latest is not None else None,
    )


def schedule_view(
    snapshot: ExecutionSnapshot, execution_input: ExecutionInput, history: list[HistoryEvent]
) -> ScheduleView:
    """The API's view of a schedule. `history` is read only for a RUNNING execution."""
    common: dict[str, Any] = {
        "schedule_id": snapshot.name,
        "trigger_at": parse_rfc3339(execution_input.trigger_at),
        "target": execution_input.target.name,
        "created_at": snapshot.start_date,
    }
    finished = _FINISHED.get(snapshot.status)
    if finished is not None:
        finished_at = snapshot.stop_date or snapshot.start_date
        return ScheduleView(
            **common, status=finished, updated_at=finished_at, finished_at=finished_at, **_outcome(snapshot)
        )
    progress = read_progress(history)
    updated_at = progress.last_event_at or snapshot.start_date
    if snapshot.status == "PENDING_REDRIVE":
        return ScheduleView(**common, status=ScheduleStatus.PROCESSING, updated_at=updated_at)
    if not progress.processing_has_begun:
        return ScheduleView(**common, status=ScheduleStatus.SCHEDULED, updated_at=updated_at)
    if progress.waiting:
        return ScheduleView(
            **common,
            status=ScheduleStatus.SCHEDULED,
            updated_at=updated_at,
            attempt=progress.attempts_started + 1,
            next_attempt_at=_wait_deadline(progress.waiting_input) if progress.waiting_input else None,
        )
    return ScheduleView(
        **common, status=ScheduleStatus.PROCESSING, updated_at=updated_at, attempt=progress.attempts_started
    )


def _outcome(snapshot: ExecutionSnapshot) -> dict[str, Any]:
    cause = summarize_cause(snapshot.cause) if snapshot.cause else None
    if snapshot.status == "SUCCEEDED":
        return {"result": _json_or_text(snapshot.output)}
    if snapshot.status == "FAILED":
        return {"error": snapshot.error, "cause": cause}
    if snapshot.status == "TIMED_OUT":
        return {"error": snapshot.error or _TIMEOUT_ERROR, "cause": cause}
    return {}


def _json_or_text(document: str | None) -> Any:
    """The parsed document; its text when it is not JSON or nests too deep to answer as JSON."""
    if document is None:
        return None
    try:
        check_nesting(document, MAX_PAYLOAD_DEPTH)
        return json.loads(document)
    except (json.JSONDecodeError, NestingTooDeep):
        return document


def _wait_deadline(state_input: str) -> datetime | None:
    document = _json_or_text(state_input)
    if not isinstance(document, dict):
        return None
    for field in _DEADLINE_FIELDS:
        value = document.get(field)
        if isinstance(value, str):
            try:
                return parse_rfc3339(value)
            except InvalidTimestamp:
                continue
    return None
