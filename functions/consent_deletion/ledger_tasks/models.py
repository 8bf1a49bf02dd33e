"""The ledger commands the state machine sends (a discriminated union on `command`) and the task result."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, TypeAdapter
from pydantic.alias_generators import to_camel

from functions.consent_deletion.ledger import DeletionRecord, DeletionState, FailureKind, RevocationReason

ExecutionName = Annotated[str, Field(min_length=1, max_length=80)]
# The consent table's partition key, which DynamoDB allows up to 2,048 bytes of UTF-8.
MAX_CUSTOMER_ID_BYTES = 2048


def _fits_a_dynamodb_key(customer_id: str) -> str:
    if len(customer_id.encode("utf-8")) > MAX_CUSTOMER_ID_BYTES:
        raise ValueError(f"a customer id is at most {MAX_CUSTOMER_ID_BYTES} bytes of UTF-8")
    return customer_id


CustomerId = Annotated[str, Field(min_length=1), AfterValidator(_fits_a_dynamodb_key)]


class _CamelModel(BaseModel):
    model_config = ConfigDict(
        frozen=True, extra="forbid", alias_generator=to_camel, validate_by_name=True, serialize_by_alias=True
    )


class _LedgerCommand(_CamelModel):
    """What every command carries: whose deletion, and when the workflow recorded the step.

    `recordedAt` is the Record* state's `$states.context.State.EnteredTime`: the same on every retry of the
    task, and on the engine's clock (virtual in the local runtime), never this function's.
    """

    execution_name: ExecutionName
    recorded_at: AwareDatetime


class RecordRequested(_LedgerCommand):
    """Open a pending deletion; `requestedAt`, `reason` and `sourceEventId` come from the execution input."""

    command: Literal["RECORD_REQUESTED"]
    customer_id: CustomerId
    requested_at: AwareDatetime
    reason: RevocationReason
    source_event_id: str = Field(min_length=1, max_length=256)


class RecordOperation(_LedgerCommand):
    """Remember the vendor's operation id, as happening at `recordedAt`."""

    command: Literal["RECORD_OPERATION"]
    operation_id: str = Field(min_length=1, max_length=512)


class RecordCheck(_LedgerCommand):
    """Count one status check; `checkedAt` is the check state's entered time, so a retry is the same check."""

    command: Literal["RECORD_CHECK"]
    status: str = Field(min_length=1, max_length=32)
    checked_at: AwareDatetime


class RecordCompleted(_LedgerCommand):
    """Close the deletion as completed; `note` says why when it is unusual (nothing to delete)."""

    command: Literal["RECORD_COMPLETED"]
    completed_at: AwareDatetime
    note: str | None = None


class RecordFailed(_LedgerCommand):
    """Close the deletion as failed, with the kind of failure and a reason for people."""

    command: Literal["RECORD_FAILED"]
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
