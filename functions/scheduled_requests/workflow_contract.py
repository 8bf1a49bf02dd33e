"""What the ScheduledRequest state machine and its functions agree on.

The front door writes `ExecutionInput`; the state machine hands each target a `ProcessorEvent`; a target
raises `TransientProcessingError` for problems worth retrying (the class name is the Lambda `errorType`
that the ASL's Retry names). The state names are the ones the front door reads back from the history.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

WAIT_STATE = "WaitUntilTriggerAt"
PROCESS_STATE = "ProcessRequest"
CANCELLED_ERROR = "ScheduleCancelled"


class CamelModel(BaseModel):
    """JSON in camelCase, Python in snake_case; immutable."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        validate_by_alias=True,
        validate_by_name=True,
        serialize_by_alias=True,
        frozen=True,
    )


class TargetReference(CamelModel):
    """A registered target: its public name and the Lambda function behind it."""

    name: str
    function_arn: str


class ExecutionInput(CamelModel):
    """The state machine input the front door starts each execution with."""

    schedule_id: str
    trigger_at: str = Field(description="UTC, whole seconds: YYYY-MM-DDTHH:MM:SSZ")
    payload: dict[str, Any]
    target: TargetReference
    request_fingerprint: str = Field(description="SHA-256 hex of the canonical request")


class ProcessorEvent(CamelModel):
    """What the state machine passes to a target function for one attempt."""

    model_config = ConfigDict(extra="ignore")

    schedule_id: str = Field(min_length=1)
    trigger_at: str
    payload: dict[str, Any]
    attempt: int = Field(ge=1)


class TransientProcessingError(Exception):
    """A problem that may go away on its own; the state machine retries the task with backoff."""
