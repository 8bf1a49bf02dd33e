"""Models at the stream trigger's boundaries: its settings, a customer change, the execution input."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, PlainSerializer, ValidationError
from pydantic.alias_generators import to_camel

from functions.common.settings import EnvironmentSettings
from functions.consent_deletion.revocation import RevocationReason
from functions.consent_deletion.stream_trigger.errors import UnparseableRecord

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.parser.models import DynamoDBStreamRecordModel

CUSTOMER_ID_ATTRIBUTE = "customerId"
# Only this view type carries both images; with any other a MODIFY would look like a revocation.
REQUIRED_STREAM_VIEW_TYPE = "NEW_AND_OLD_IMAGES"


def rfc3339_utc_seconds(moment: datetime) -> str:
    """Format ``moment`` as RFC 3339 in UTC, whole seconds, e.g. ``2024-05-01T12:00:00Z``."""
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


Rfc3339UtcSeconds = Annotated[AwareDatetime, PlainSerializer(rfc3339_utc_seconds, return_type=str)]


class StreamTriggerSettings(EnvironmentSettings):
    """Environment of the stream trigger function."""

    state_machine_arn: str = Field(
        alias="STATE_MACHINE_ARN",
        pattern=r"^arn:[^:]+:states:[^:]+:[^:]*:stateMachine:[^:]+$",
    )


class StartOutcome(StrEnum):
    SKIPPED = "SKIPPED"
    STARTED = "STARTED"
    ALREADY_STARTED = "ALREADY_STARTED"


class CustomerChange(BaseModel):
    """One change to a Customers item, as the stream reports it, with its images deserialised."""

    model_config = ConfigDict(frozen=True)

    event_id: str = Field(min_length=1)
    event_name: Literal["INSERT", "MODIFY", "REMOVE"]
    customer_id: str = Field(min_length=1)
    changed_at: AwareDatetime
    old_image: dict[str, Any] | None
    new_image: dict[str, Any] | None

    @classmethod
    def from_stream_record(cls, record: DynamoDBStreamRecordModel) -> CustomerChange:
        """Build a change from a parsed DynamoDB stream record; raise ``UnparseableRecord`` if it cannot."""
        change = record.dynamodb
        if change.StreamViewType != REQUIRED_STREAM_VIEW_TYPE:
            raise UnparseableRecord(
                f"stream view type {change.StreamViewType} lacks the images;"
                f" the table's stream must be {REQUIRED_STREAM_VIEW_TYPE}"
            )
        try:
            return cls(
                event_id=record.eventID,
                event_name=record.eventName,
                customer_id=change.Keys.get(CUSTOMER_ID_ATTRIBUTE),
                changed_at=change.ApproximateCreationDateTime,
                old_image=change.OldImage,
                new_image=change.NewImage,
            )
        except ValidationError as error:
            raise UnparseableRecord(f"stream record {record.eventID}: {error}") from error


class ConsentDeletionInput(BaseModel):
    """Input of a ConsentDeletion execution."""

    model_config = ConfigDict(frozen=True, alias_generator=to_camel, populate_by_name=True)

    customer_id: str = Field(min_length=1)
    revoked_at: Rfc3339UtcSeconds
    reason: RevocationReason
    source_event_id: str = Field(min_length=1)

    def to_json(self) -> str:
        """Serialise with the camelCase field names the state machine reads."""
        return self.model_dump_json(by_alias=True)


class ConsentDeletionRequest(BaseModel):
    """An execution to start: its deterministic name and its input."""

    model_config = ConfigDict(frozen=True)

    execution_name: str
    execution_input: ConsentDeletionInput
