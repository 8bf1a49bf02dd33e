"""What the front door needs from Step Functions, as a small interface free of boto3.

`adapters.StepFunctionsExecutions` implements it against the real API (or moto, or the local engine);
unit tests implement it in memory.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict

ExecutionStatus = Literal["RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE"]


class ExecutionSnapshot(BaseModel):
    """The fields of DescribeExecution the front door reads."""

    model_config = ConfigDict(frozen=True)

    name: str
    arn: str
    status: ExecutionStatus
    input: str
    output: str | None = None
    error: str | None = None
    cause: str | None = None
    start_date: datetime
    stop_date: datetime | None = None


class HistoryEvent(BaseModel):
    """One GetExecutionHistory event, reduced to what the status mapping reads."""

    model_config = ConfigDict(frozen=True)

    type: str
    timestamp: datetime
    state_name: str | None = None
    state_input: str | None = None


class ExecutionGateway(Protocol):
    """Start, inspect and stop executions of one state machine, by execution name."""

    def start(self, name: str, execution_input: str) -> str:
        """Start an execution; return its ARN. Raise ExecutionNameTaken if the name is in use."""
        ...

    def describe(self, name: str) -> ExecutionSnapshot | None:
        """The execution called `name`, or None when there is none."""
        ...

    def history(self, name: str) -> list[HistoryEvent]:
        """All events of the execution called `name`, oldest first."""
        ...

    def stop(self, name: str, *, error: str, cause: str) -> datetime | None:
        """Stop the execution called `name`; return the stop time when the service reports it."""
        ...
