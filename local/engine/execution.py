"""Facts about one execution that never change while it runs, and how it ended."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from local.engine.timestamps import iso_millis

ExecutionStatus = Literal["RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"]
EndStatus = Literal["SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"]
TERMINAL_STATUSES: frozenset[ExecutionStatus] = frozenset({"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"})
# The ends RedriveExecution continues from.
REDRIVABLE_STATUSES: frozenset[ExecutionStatus] = frozenset({"FAILED", "TIMED_OUT", "ABORTED"})


@dataclass
class ExecutionInfo:
    """Facts about an execution that never change while it runs."""

    arn: str
    name: str
    state_machine_arn: str
    state_machine_name: str
    role_arn: str
    start_time: datetime
    input: Any
    redrive_count: int = 0
    mock_test_case: str | None = None
    type: str = "STANDARD"

    @property
    def mocked_machine_name(self) -> str:
        """The state machine whose MockConfigFile test cases answer this execution's tasks: a Map Run's child
        (`MACHINE/LABEL`) runs states of its parent's state machine."""
        return self.state_machine_name.split("/", 1)[0]

    def context_execution(self) -> dict[str, Any]:
        """`$$.Execution`."""
        return {
            "Id": self.arn,
            "Input": self.input,
            "StartTime": iso_millis(self.start_time),
            "Name": self.name,
            "RoleArn": self.role_arn,
            "RedriveCount": self.redrive_count,
        }


@dataclass
class Completion:
    """How an execution ended."""

    status: EndStatus
    output: Any = None
    error: str | None = None
    cause: str | None = None
