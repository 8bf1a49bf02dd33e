"""In-memory stand-ins for the front door's seams: executions of one state machine, and a clock."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from functions.scheduled_requests.front_door.errors import ExecutionNameTaken
from functions.scheduled_requests.front_door.executions import (
    ExecutionSnapshot,
    ExecutionStatus,
    HistoryEvent,
)
from functions.scheduled_requests.workflow_contract import PROCESS_STATE, WAIT_STATE

STATE_MACHINE_ARN = "arn:aws:states:us-east-1:123456789012:stateMachine:ScheduledRequest"
EXECUTION_ARN_PREFIX = "arn:aws:states:us-east-1:123456789012:execution:ScheduledRequest:"


class ManualClock:
    """A clock that moves only when told to."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@dataclass
class FakeExecution:
    snapshot: ExecutionSnapshot
    history: list[HistoryEvent] = field(default_factory=list)


class InMemoryExecutions:
    """Executions kept in a dict, with the same name rules as Step Functions; records every call."""

    def __init__(self, clock: ManualClock) -> None:
        self._clock = clock
        self.executions: dict[str, FakeExecution] = {}
        self.calls: list[tuple[str, str]] = []
        self.started_inputs: list[str] = []
        self.stops: list[tuple[str, str, str]] = []
        self.lose_next_start_race_to: str | None = None
        self.processing_begins_before_stop: set[str] = set()

    def start(self, name: str, execution_input: str) -> str:
        self.calls.append(("start", name))
        if self.lose_next_start_race_to is not None:
            # Another request with the same name got there first, with this input.
            winner_input, self.lose_next_start_race_to = self.lose_next_start_race_to, None
            self.add(name, winner_input)
        if name in self.executions:
            raise ExecutionNameTaken(name)
        self.started_inputs.append(execution_input)
        self.add(name, execution_input)
        return EXECUTION_ARN_PREFIX + name

    def describe(self, name: str) -> ExecutionSnapshot | None:
        self.calls.append(("describe", name))
        execution = self.executions.get(name)
        return execution.snapshot if execution else None

    def history(self, name: str) -> list[HistoryEvent]:
        self.calls.append(("history", name))
        return list(self.executions[name].history)

    def stop(self, name: str, *, error: str, cause: str) -> datetime | None:
        self.calls.append(("stop", name))
        if name in self.processing_begins_before_stop:
            # The wait ended in the moment between the caller's check and this call.
            self.enter_processing(name)
        self.stops.append((name, error, cause))
        self.finish(name, "ABORTED")
        return self._clock()

    # Test controls: move an execution along as the state machine would.

    def add(self, name: str, execution_input: str) -> None:
        now = self._clock()
        snapshot = ExecutionSnapshot(
            name=name,
            arn=EXECUTION_ARN_PREFIX + name,
            status="RUNNING",
            input=execution_input,
            start_date=now,
        )
        history = [
            HistoryEvent(type="ExecutionStarted", timestamp=now),
            HistoryEvent(
                type="WaitStateEntered", timestamp=now, state_name=WAIT_STATE, state_input=execution_input
            ),
        ]
        self.executions[name] = FakeExecution(snapshot, history)

    def enter_processing(self, name: str) -> None:
        self.executions[name].history.append(
            HistoryEvent(type="TaskStateEntered", timestamp=self._clock(), state_name=PROCESS_STATE)
        )

    def wait_again(self, name: str, next_attempt_at: datetime) -> None:
        """The attempt failed and was rescheduled: the execution waits in WaitUntilTriggerAt again."""
        waiting_input = {"attempt": 2, "nextAttemptAt": next_attempt_at.strftime("%Y-%m-%dT%H:%M:%SZ")}
        self.executions[name].history.append(
            HistoryEvent(
                type="WaitStateEntered",
                timestamp=self._clock(),
                state_name=WAIT_STATE,
                state_input=json.dumps(waiting_input),
            )
        )

    def finish(
        self,
        name: str,
        status: ExecutionStatus,
        output: object = None,
        *,
        error: str | None = None,
        cause: str | None = None,
    ) -> None:
        execution = self.executions[name]
        update: dict[str, object] = {"status": status, "stop_date": self._clock()}
        if output is not None:
            update["output"] = json.dumps(output)
        if error is not None:
            update["error"] = error
        if cause is not None:
            update["cause"] = cause
        execution.snapshot = execution.snapshot.model_copy(update=update)
