"""Models of the vendor's deletion API responses and of the results the client returns.

Vendor responses are parsed strictly where we depend on them (required fields, exact types, known
statuses) and leniently elsewhere: a field the vendor adds is kept, not rejected, so only a change
that breaks us becomes a contract error.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel

OperationId = Annotated[str, Field(min_length=1, max_length=512)]


class OperationState(StrEnum):
    """Status of the vendor's asynchronous deletion operation."""

    PENDING = "PENDING"
    RUNNING = "RUNNING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"

    @property
    def is_terminal(self) -> bool:
        """Whether the operation has finished, successfully or not."""
        return self in (OperationState.COMPLETED, OperationState.FAILED)


class _VendorResponse(BaseModel):
    # strict: "operationId": 42 is a contract change, not something to coerce into "42".
    model_config = ConfigDict(
        extra="allow", strict=True, frozen=True, alias_generator=to_camel, serialize_by_alias=True
    )


class DeletionAccepted(_VendorResponse):
    """Body of ``202`` from ``POST /customers/{customerId}/deletions``."""

    operation_id: OperationId


class OperationStatus(_VendorResponse):
    """Body of ``200`` from ``GET /operations/{operationId}``; extra vendor fields are kept."""

    operation_id: OperationId
    status: OperationState


class DeletionOutcome(StrEnum):
    """What a deletion request achieved at the vendor."""

    ACCEPTED = "ACCEPTED"
    """The vendor started an asynchronous operation; poll it until it finishes."""
    NOTHING_TO_DELETE = "NOTHING_TO_DELETE"
    """The vendor does not know the customer (404): the deletion is complete, nothing was deleted."""


class DeletionRequested(BaseModel):
    """Result of ``DeletionApiClient.request_deletion``; ``operation_id`` is set exactly when ACCEPTED."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, alias_generator=to_camel, validate_by_name=True, serialize_by_alias=True
    )

    customer_id: str
    outcome: DeletionOutcome
    operation_id: OperationId | None = None

    @model_validator(mode="after")
    def _operation_id_matches_outcome(self) -> Self:
        if (self.outcome is DeletionOutcome.ACCEPTED) != (self.operation_id is not None):
            raise ValueError("operationId is required when ACCEPTED and must be absent otherwise")
        return self

    @property
    def nothing_to_delete(self) -> bool:
        """Whether the vendor held no data for the customer, so no operation needs to be checked."""
        return self.outcome is DeletionOutcome.NOTHING_TO_DELETE
