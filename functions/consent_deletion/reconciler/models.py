"""The reconciler's settings, the alert it publishes, and the report of one run."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from functions.common.settings import EnvironmentSettings


class ReconcilerSettings(EnvironmentSettings):
    """Environment of the reconciler (the ledger's own LEDGER_* variables come on top)."""

    state_machine_arn: str = Field(
        alias="STATE_MACHINE_ARN",
        pattern=r"^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[0-9A-Za-z_-]{1,80}$",
    )
    alert_topic_arn: str = Field(alias="ALERT_TOPIC_ARN", pattern=r"^arn:aws[a-z-]*:sns:")
    # A younger pending row may belong to an execution that is only just starting.
    stale_after_seconds: int = Field(3_600, alias="STALE_AFTER_SECONDS", ge=60)
    max_rows_per_run: int = Field(500, alias="MAX_ROWS_PER_RUN", ge=1, le=10_000)


class ExecutionStatus(StrEnum):
    """DescribeExecution's status, plus NOT_FOUND for an execution that does not exist (any more)."""

    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    TIMED_OUT = "TIMED_OUT"
    ABORTED = "ABORTED"
    PENDING_REDRIVE = "PENDING_REDRIVE"
    NOT_FOUND = "NOT_FOUND"

    @property
    def is_active(self) -> bool:
        """Whether the execution is still (or about to be) working on its deletion."""
        return self in (ExecutionStatus.RUNNING, ExecutionStatus.PENDING_REDRIVE)


class _CamelModel(BaseModel):
    model_config = ConfigDict(
        frozen=True, alias_generator=to_camel, validate_by_name=True, serialize_by_alias=True
    )


class StalePendingAlert(_CamelModel):
    """The alert message, in the shape the ConsentDeletion state machine publishes and the mailer reads."""

    kind: Literal["STALE_PENDING"] = "STALE_PENDING"
    customer_id: str
    operation_id: str | None = None
    execution_arn: str
    execution_name: str
    requested_at: AwareDatetime
    detected_at: AwareDatetime
    error: str = "ExecutionNotRunning"
    cause: str


class ReconciliationReport(_CamelModel):
    """What one run looked at and whom it alerted about."""

    examined: int
    still_running: int
    alerted: list[str] = Field(description="Execution names of the rows alerted on.")
    row_limit_reached: bool = Field(description="True when more stale rows may exist than one run examines.")
