"""The ledger commands the state machine sends (a discriminated union on `command`) and the task result."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, TypeAdapter
from pydantic.alias_generators import to_camel

from functions.consent_deletion.ledger import DeletionRecord, DeletionState, FailureKind

ExecutionName = Annotated[str, Field(min_length=1, max_length=80)]


class _CamelModel(BaseModel):
    model_config = ConfigDict(
        frozen=True, extra="forbid", alias_generator=to_camel, validate_by_name=True, serialize_by_alias=True
    )


class RecordRequested(_CamelModel):
    """Open a pending deletion; `requestedAt` is the revocation time from the execution input."""

    command: Literal["RECORD_REQUESTED"]
    execution_name: ExecutionName
    customer_id: str = Field(min_length=1, max_length=256)
    requested_at: AwareDatetime


class RecordOperation(_CamelModel):
    """Remember the vendor's operation id."""

    command: Literal["RECORD_OPERATION"]
    execution_name: ExecutionName
    operation_id: str = Field(min_length=1, max_length=256)


class RecordCheck(_CamelModel):
    """Count one status check; `checkedAt` is the check state's entered time, so a retry is the same check."""

    command: Literal["RECORD_CHECK"]
    execution_name: ExecutionName
    status: str = Field(min_length=1, max_length=32)
    checked_at: AwareDatetime


class RecordCompleted(_CamelModel):
    """Close the deletion as completed; `note` says why when it is unusual (nothing to delete)."""

    command: Literal["RECORD_COMPLETED"]
    execution_name: ExecutionName
    completed_at: AwareDatetime
    note: str | None = None


class RecordFailed(_CamelModel):
    """Close the deletion as failed, with the kind of failure and a reason for people."""

    command: Literal["RECORD_FAILED"]
    execution_name: ExecutionName
    kind: FailureKind
    reason: str = Field(min_length=1)
    failed_at: AwareDatetime


LedgerCommand = Annotated[
    RecordRequested | RecordOperation | RecordCheck | RecordCompleted | RecordFailed,
    Field(discriminator="command"),
]
LEDGER_COMMAND: TypeAdapter[LedgerCommand] = TypeAdapter(LedgerCommand)


class LedgerTaskResult(_CamelModel):
    """What the ledger holds for the execution after the command: the task's output in the execution."""

    execution_name: str
    state: DeletionState
    operation_id: str | None
    check_count: int
    last_status: str | None

    @classmethod
    def of(cls, record: DeletionRecord) -> LedgerTaskResult:
        """The result describing `record`."""
        return cls(
            execution_name=record.execution_name,
            state=record.state,
            operation_id=record.operation_id,
            check_count=record.check_count,
            last_status=record.last_status,
        )
