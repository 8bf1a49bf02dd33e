"""SES v2 behind the ``AlertSender`` interface."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import boto3
from botocore.client import BaseClient
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from functions.consent_deletion.alert_mailer.errors import AlertDeliveryFailed
from functions.consent_deletion.alert_mailer.models import AlertEmail

_CLIENT_CONFIG = Config(retries={"mode": "standard", "max_attempts": 5}, connect_timeout=5, read_timeout=10)


@cache
def sesv2_client() -> BaseClient:
    """One SES v2 client per process (endpoint from ``AWS_ENDPOINT_URL_SESV2`` when set)."""
    return boto3.client("sesv2", config=_CLIENT_CONFIG)


class SesAlertSender:
    """Sends alert e-mails from one verified SES identity."""

    def __init__(self, client: BaseClient, sender: str) -> None:
        self._client = client
        self._sender = sender

    def send(self, recipients: Sequence[str], email: AlertEmail) -> str:
        """Send ``email`` to ``recipients`` as one message; return SES's message id."""
        try:
            response = self._client.send_email(
                FromEmailAddress=self._sender,
                Destination={"ToAddresses": list(recipients)},
                Content={
                    "Simple": {
                        "Subject": {"Data": email.subject, "Charset": "UTF-8"},
                        "Body": {
                            "Text": {"Data": email.text, "Charset": "UTF-8"},
                            "Html": {"Data": email.html, "Charset": "UTF-8"},
                        },
                    }
                },
            )
        except (ClientError, BotoCoreError) as error:
            raise AlertDeliveryFailed(f"SES did not send the alert: {error}") from error
        return str(response["MessageId"])
