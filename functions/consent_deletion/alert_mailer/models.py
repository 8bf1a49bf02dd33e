"""Models at the alert mailer's boundaries: its settings, the alert message, the rendered e-mail."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any, Final

from aws_lambda_powertools.utilities.data_classes import SNSEvent
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic.alias_generators import to_camel

from functions.common.settings import EnvironmentSettings
from functions.consent_deletion.alert_mailer.errors import MalformedAlertMessage

# SES v2 accepts at most 50 recipients per message.
MAX_RECIPIENTS: Final = 50
_EMAIL_ADDRESS: Final = re.compile(r"[^@\s,<>]+@[^@\s,<>]+\.[^@\s,<>]+")


class AlertKind(StrEnum):
    DELETION_TIMED_OUT = "DELETION_TIMED_OUT"
    DELETION_FAILED = "DELETION_FAILED"
    VENDOR_CONTRACT_CHANGED = "VENDOR_CONTRACT_CHANGED"
    VENDOR_REJECTED = "VENDOR_REJECTED"
    STALE_PENDING = "STALE_PENDING"


class DeletionAlert(BaseModel):
    """The JSON message the ConsentDeletion state machine (and the reconciler) publish to the topic."""

    # Unknown fields are tolerated so that the publisher can add context without breaking delivery.
    model_config = ConfigDict(frozen=True, alias_generator=to_camel, populate_by_name=True, extra="ignore")

    kind: AlertKind
    customer_id: str = Field(min_length=1)
    operation_id: str | None = None
    execution_arn: str = Field(pattern=r"^arn:[^:]+:states:[^:]+:[^:]*:execution:[^:]+:.+$")
    execution_name: str = Field(min_length=1)
    requested_at: AwareDatetime
    detected_at: AwareDatetime
    error: str | None = None
    cause: str | None = None


class MailerSettings(EnvironmentSettings):
    """Environment of the alert mailer function."""

    recipients: tuple[str, ...] = Field(alias="ALERT_RECIPIENTS", min_length=1, max_length=MAX_RECIPIENTS)
    sender: str = Field(alias="ALERT_SENDER", pattern=r"@")
    # Prefix of the execution link; the execution ARN is appended. Default: the AWS console.
    console_base_url: str | None = Field(default=None, alias="CONSOLE_BASE_URL")

    @field_validator("recipients", mode="before")
    @classmethod
    def _split_comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(address.strip() for address in value.split(",") if address.strip())
        return value

    @field_validator("recipients")
    @classmethod
    def _each_is_an_address(cls, recipients: tuple[str, ...]) -> tuple[str, ...]:
        invalid = [address for address in recipients if not _EMAIL_ADDRESS.fullmatch(address)]
        if invalid:
            raise ValueError(f"not e-mail addresses: {invalid}")
        return recipients

    @field_validator("console_base_url", mode="before")
    @classmethod
    def _blank_means_default(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value


class AlertEmail(BaseModel):
    """A rendered alert: subject line and the same content as plain text and HTML."""

    model_config = ConfigDict(frozen=True)

    subject: str
    text: str
    html: str


def parse_alerts(event: Any) -> list[DeletionAlert]:
    """Parse an SNS-to-Lambda event into its alerts; raise ``MalformedAlertMessage`` if any is invalid.

    A malformed alert is never skipped: the invocation fails so Lambda retries it and then hands
    the event to the function's on-failure destination, where a person can read it.
    """
    # Powertools' data class reads the event as it is; its parser's SnsEnvelope would validate the same
    # three keys but loads every event model Powertools has (about 50 ms of every cold start) to do it.
    try:
        messages = [record.sns.message for record in SNSEvent(event).records]
    except (KeyError, TypeError) as error:
        raise MalformedAlertMessage(
            f"the event is not an SNS notification ({type(error).__name__}: {error})"
        ) from error
    if not messages:
        raise MalformedAlertMessage("the SNS event carries no alert message")
    try:
        return [DeletionAlert.model_validate_json(message) for message in messages]
    except ValidationError as error:
        raise MalformedAlertMessage(str(error)) from error
