"""What the fake vendor can be told to do, as posted to ``POST /_control/behaviour``.

A behaviour applies to every customer (the global default) or to one customer; a status check
follows the behaviour of the customer whose operation it is.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel


class Outcome(StrEnum):
    """How a deletion operation ends."""

    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    NEVER = "NEVER"
    """The operation stays RUNNING for ever."""


class Endpoint(StrEnum):
    """The vendor routes a fault can hit."""

    DELETION = "deletion"
    """POST /customers/{customerId}/deletions"""
    OPERATION = "operation"
    """GET /operations/{operationId}"""


class SchemaDrift(StrEnum):
    """How the vendor's successful answers break the contract."""

    RENAMED_FIELD = "renamed_field"
    """``operationId`` becomes ``id`` and ``status`` becomes ``state``."""
    NOT_JSON = "not_json"
    """The body is an HTML page instead of JSON."""


class RetryAfterFormat(StrEnum):
    """The two forms of the Retry-After header."""

    SECONDS = "seconds"
    HTTP_DATE = "http-date"


class _ControlModel(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, alias_generator=to_camel, validate_by_name=True, serialize_by_alias=True
    )


class Fault(_ControlModel):
    """An error answer given instead of the normal one, on a deterministic selection of requests.

    With ``every`` = k the fault hits requests 1, 1+k, 1+2k, ... of those it applies to (k = 1: all
    of them); with ``probability`` a ``seed``-ed random draw decides. ``times`` caps how many
    requests are hit, after which the vendor recovers.
    """

    status: int = Field(default=503, ge=400, le=599)
    retry_after_seconds: int | None = Field(default=None, ge=0)
    retry_after_format: RetryAfterFormat = RetryAfterFormat.SECONDS
    every: int = Field(default=1, ge=1)
    probability: float | None = Field(default=None, ge=0, le=1)
    seed: int = 0
    times: int | None = Field(default=None, ge=0)
    endpoints: frozenset[Endpoint] = frozenset(Endpoint)

    @model_validator(mode="after")
    def _one_selection_rule(self) -> Self:
        if self.probability is not None and self.every != 1:
            raise ValueError("give either every or probability, not both")
        return self


class Behaviour(_ControlModel):
    """How the vendor answers; the defaults describe a healthy vendor that finishes at the first check.

    ``after_checks`` = N: the N-th status check reports the outcome (earlier ones report PENDING,
    then RUNNING). ``after_seconds`` = S: the first check at least S seconds (on the fake's clock)
    after the deletion was requested reports it.
    """

    outcome: Outcome = Outcome.COMPLETED
    after_checks: int | None = Field(default=None, ge=1)
    after_seconds: float | None = Field(default=None, ge=0)
    delay_seconds: float = Field(default=0, ge=0, le=60)
    unknown_customer: bool = False
    schema_drift: SchemaDrift | None = None
    fault: Fault | None = None

    @model_validator(mode="after")
    def _one_completion_rule(self) -> Self:
        if self.after_checks is not None and self.after_seconds is not None:
            raise ValueError("give either afterChecks or afterSeconds, not both")
        if self.outcome is Outcome.NEVER and (
            self.after_checks is not None or self.after_seconds is not None
        ):
            raise ValueError("an operation that never finishes takes no afterChecks or afterSeconds")
        return self

    def finishes(self, *, checks: int, elapsed_seconds: float) -> bool:
        """Whether an operation checked ``checks`` times, ``elapsed_seconds`` old, has now finished."""
        if self.outcome is Outcome.NEVER:
            return False
        if self.after_seconds is not None:
            return elapsed_seconds >= self.after_seconds
        return checks >= (self.after_checks or 1)


class BehaviourUpdate(Behaviour):
    """Body of ``POST /_control/behaviour``: a behaviour and the customer it is for (none: everyone)."""

    customer_id: str | None = Field(default=None, min_length=1)

    def behaviour(self) -> Behaviour:
        """The behaviour without its scope."""
        return Behaviour.model_validate(self.model_dump(exclude={"customer_id"}))
