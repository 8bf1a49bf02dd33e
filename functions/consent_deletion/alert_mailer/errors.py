"""Named failures of the alert mailer; both fail the invocation so Lambda retries it."""

from __future__ import annotations


class AlertMailerError(Exception):
    """Base class: an alert that was not delivered."""


class MalformedAlertMessage(AlertMailerError):
    """The SNS event or its message does not match the alert contract."""


class AlertDeliveryFailed(AlertMailerError):
    """SES did not accept the e-mail."""
