"""Lambda entry point: an SNS alert from the ConsentDeletion workflow → one e-mail to the contacts.

Failures are raised, never swallowed: SNS invokes the function asynchronously, so Lambda
retries a failed invocation and then sends the event to the function's on-failure destination.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from functions.common.observability import TRACED_AWS_CALLS, lambda_entry_point, service_logger_and_tracer
from functions.consent_deletion.alert_mailer.adapters import SesAlertSender, sesv2_client
from functions.consent_deletion.alert_mailer.logic import deliver_alert
from functions.consent_deletion.alert_mailer.models import MailerSettings, parse_alerts

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

SERVICE_NAME = "consent-deletion-alert-mailer"
logger, tracer = service_logger_and_tracer(SERVICE_NAME, traced=TRACED_AWS_CALLS)


@lambda_entry_point(logger, tracer)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, list[str]]:
    alerts = parse_alerts(event)
    settings = MailerSettings.from_environ()
    sender = SesAlertSender(sesv2_client(), settings.sender)
    message_ids = [
        deliver_alert(alert, settings.recipients, settings.console_base_url, sender) for alert in alerts
    ]
    # The e-mails carry summaries of the causes; the full causes stay here, with the request id.
    logger.info(
        "Alerts e-mailed",
        extra={
            "executions": [alert.execution_name for alert in alerts],
            "causes": [alert.cause for alert in alerts],
            "message_ids": message_ids,
        },
    )
    return {"messageIds": message_ids}
