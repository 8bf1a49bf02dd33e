"""The ConsentDeletion workflow as the stack wires it: table stream -> stream trigger -> execution ->
vendor fake and ledger; alert topic -> alert mailer, with undeliverable alerts kept in their queue.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import create_engine, text

from catalog.consent_deletion import (
    ALERT_TOPIC,
    CONSENT_DELETION,
    CUSTOMERS_TABLE,
    LEDGER,
    UNDELIVERED_ALERT_QUEUE,
)
from local.stack import LocalStack
from tests.local.stack.conftest import client
from tests.local.stack.waiting import eventually


def _customers(stack: LocalStack) -> tuple[Any, str]:
    table = stack.workflows[CONSENT_DELETION.name].resources.table_names[CUSTOMERS_TABLE]
    return client("dynamodb", stack.addresses.aws), table


def _executions_of(stack: LocalStack, customer_id: str) -> list[dict[str, Any]]:
    sfn = client("stepfunctions", stack.addresses.stepfunctions)
    arn = stack.workflows[CONSENT_DELETION.name].state_machine_arn
    executions = sfn.list_executions(stateMachineArn=arn)["executions"]
    return [execution for execution in executions if execution["name"].startswith(f"{customer_id}-")]


def test_a_revocation_becomes_one_completed_deletion_and_other_changes_start_nothing(
    stack: LocalStack,
) -> None:
    dynamodb, table = _customers(stack)
    # Given a change that revokes nothing (a customer who never consented), then a revocation
    dynamodb.put_item(TableName=table, Item={"customerId": {"S": "T-0"}, "analyticsConsent": {"BOOL": False}})
    dynamodb.put_item(TableName=table, Item={"customerId": {"S": "T-1"}, "analyticsConsent": {"BOOL": True}})
    dynamodb.update_item(
        TableName=table,
        Key={"customerId": {"S": "T-1"}},
        UpdateExpression="SET analyticsConsent = :no",
        ExpressionAttributeValues={":no": {"BOOL": False}},
    )

    # When the stream is delivered (in order: the first change is behind the revocation's execution)
    started = eventually(lambda: _executions_of(stack, "T-1"))

    # Then the revocation started exactly one deletion and the other change none
    assert len(started) == 1
    assert _executions_of(stack, "T-0") == []

    # And when the clock passes the first status check, the deletion completes and is in the ledger
    stack.advance(600)
    sfn = client("stepfunctions", stack.addresses.stepfunctions)
    described = sfn.describe_execution(executionArn=started[0]["executionArn"])
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"])["state"] == "COMPLETED"
    engine = create_engine(stack.workflows[CONSENT_DELETION.name].resources.database_urls[LEDGER])
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT execution_name FROM completed_deletion WHERE customer_id = 'T-1'")
        ).all()
    engine.dispose()
    assert [row.execution_name for row in rows] == [started[0]["name"]]


def test_an_alert_the_mailer_cannot_read_ends_in_the_undelivered_alert_queue(stack: LocalStack) -> None:
    resources = stack.workflows[CONSENT_DELETION.name].resources
    sns, sqs = client("sns", stack.addresses.aws), client("sqs", stack.addresses.aws)
    # Given an alert message the mailer cannot parse
    malformed = json.dumps({"kind": "NOT_A_KIND", "sentAt": datetime.now(UTC).isoformat()})

    # When it is published to the alert topic
    sns.publish(TopicArn=resources.topic_arns[ALERT_TOPIC], Message=malformed)

    # Then, after the invocation and its retries failed, the SNS event is kept with its error
    queue_url = resources.queue_urls[UNDELIVERED_ALERT_QUEUE]
    messages = eventually(
        lambda: sqs.receive_message(QueueUrl=queue_url, MessageAttributeNames=["All"]).get("Messages", [])
    )
    assert len(messages) == 1
    event = json.loads(messages[0]["Body"])
    assert event["Records"][0]["Sns"]["Message"] == malformed
    assert messages[0]["MessageAttributes"]["ErrorCode"]["StringValue"] == "MalformedAlertMessage"
