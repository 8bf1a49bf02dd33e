"""A topic delivering to a function, as an SNS subscription with the `lambda` protocol does it.

moto cannot call a local function, so the topic delivers to a queue of the stack's own, and
each poll turns the queued notifications into SNS events for the function. The function is invoked
asynchronously in AWS: a failed invocation is retried twice, then the notification goes to the
failure queue with the error as a message attribute (as an on-failure destination would keep it).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from local.stack.aws_services import EmbeddedAwsServices
from local.stack.functions import CatalogFunction, FunctionError

logger = logging.getLogger(__name__)
ASYNC_INVOKE_ATTEMPTS = 3
_MESSAGES_PER_POLL = 10


class TopicSubscription:
    """Subscribes a queue to a topic and hands what arrives to one function; `poll` runs in a loop."""

    def __init__(
        self,
        *,
        topic_arn: str,
        function: CatalogFunction,
        failure_queue_url: str,
        services: EmbeddedAwsServices,
    ) -> None:
        self._function = function
        self._failure_queue_url = failure_queue_url
        self._sqs = services.client("sqs")
        sns = services.client("sns")
        self._inbox_url = str(self._sqs.create_queue(QueueName=f"{function.name}-subscription")["QueueUrl"])
        inbox_arn = self._sqs.get_queue_attributes(QueueUrl=self._inbox_url, AttributeNames=["QueueArn"])
        self._subscription_arn = str(
            sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=inbox_arn["Attributes"]["QueueArn"])[
                "SubscriptionArn"
            ]
        )

    def poll(self) -> None:
        """Deliver every notification waiting in the subscription's queue."""
        # This loop is the queue's only reader and deletes each message once delivered, so nothing needs
        # hiding from other readers; a message whose delivery a crash cut short is due again at once.
        response = self._sqs.receive_message(
            QueueUrl=self._inbox_url,
            MaxNumberOfMessages=_MESSAGES_PER_POLL,
            WaitTimeSeconds=0,
            VisibilityTimeout=0,
        )
        for message in response.get("Messages", []):
            self._deliver(message["Body"])
            self._sqs.delete_message(QueueUrl=self._inbox_url, ReceiptHandle=message["ReceiptHandle"])

    def _deliver(self, body: str) -> None:
        event = {"Records": [self._sns_record(json.loads(body))]}
        error: FunctionError | None = None
        for _ in range(ASYNC_INVOKE_ATTEMPTS):
            try:
                self._function(event)
                return
            except FunctionError as failure:  # the next attempt, then the failure queue, deal with it
                logger.error("An SNS notification was not delivered: %s", failure)
                error = failure
        assert error is not None
        self._sqs.send_message(
            QueueUrl=self._failure_queue_url,
            MessageBody=json.dumps(event),
            MessageAttributes={
                "ErrorCode": {"DataType": "String", "StringValue": error.error_type},
                "ErrorMessage": {"DataType": "String", "StringValue": str(error)[:1000]},
            },
        )

    def _sns_record(self, notification: dict[str, Any]) -> dict[str, Any]:
        """The Records[] entry Lambda receives for one SNS notification."""
        sns = {
            "Type": notification.get("Type", "Notification"),
            "MessageId": notification["MessageId"],
            "TopicArn": notification["TopicArn"],
            "Subject": notification.get("Subject"),
            "Message": notification["Message"],
            "Timestamp": notification["Timestamp"],
            "SignatureVersion": notification.get("SignatureVersion", "1"),
            "Signature": notification.get("Signature", ""),
            "SigningCertUrl": notification.get("SigningCertURL"),
            "UnsubscribeUrl": notification.get("UnsubscribeURL"),
            "MessageAttributes": notification.get("MessageAttributes", {}),
        }
        return {
            "EventSource": "aws:sns",
            "EventVersion": "1.0",
            "EventSubscriptionArn": self._subscription_arn,
            "Sns": sns,
        }
