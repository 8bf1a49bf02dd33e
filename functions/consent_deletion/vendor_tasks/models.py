"""Inputs and outputs of the vendor tasks, as the ConsentDeletion state machine sends and reads them."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from functions.consent_deletion.third_party import DeletionOutcome, OperationState


class _CamelModel(BaseModel):
    model_config = ConfigDict(
        frozen=True, extra="forbid", alias_generator=to_camel, validate_by_name=True, serialize_by_alias=True
    )


class RequestDeletionTask(_CamelModel):
    """Input of RequestDeletion."""

    execution_name: str = Field(min_length=1)
    customer_id: str = Field(min_length=1)


class RequestOutcome(StrEnum):
    """What became of the deletion request, for the state machine's Choice."""

    ACCEPTED = DeletionOutcome.ACCEPTED.value
    NOTHING_TO_DELETE = DeletionOutcome.NOTHING_TO_DELETE.value
    UNAVAILABLE = "UNAVAILABLE"
    """The vendor could not take the request now and said when to ask again (`retryAfterSeconds`)."""


class RequestDeletionResult(_CamelModel):
    """Output of RequestDeletion: ACCEPTED with the operation to check, NOTHING_TO_DELETE, or UNAVAILABLE
    with the vendor's Retry-After."""

    outcome: RequestOutcome
    operation_id: str | None
    retry_after_seconds: int = Field(
        default=0, ge=0, description="Do not request again sooner than this (0: no constraint)."
    )
    detail: str | None = Field(default=None, description="Why the vendor could not take the request.")


class CheckDeletionStatusTask(_CamelModel):
    """Input of CheckDeletionStatus."""

    execution_name: str = Field(min_length=1)
    operation_id: str = Field(min_length=1)


class CheckStatus(StrEnum):
    """The vendor's answer reduced to what the state machine's Choice decides on."""

    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    IN_PROGRESS = "IN_PROGRESS"
    UNAVAILABLE = "UNAVAILABLE"
    """The vendor could not answer now and said when to ask again (`retryAfterSeconds`)."""


class DeletionStatusCheck(_CamelModel):
    """Output of CheckDeletionStatus."""

    status: CheckStatus
    vendor_status: OperationState | None = Field(
        description="What the vendor said; None when it could not answer."
    )
    retry_after_seconds: int = Field(
        ge=0, description="Do not check again sooner than this (0: no constraint)."
    )
    detail: str | None = Field(description="The vendor's reason for a failure, or why it could not answer.")
