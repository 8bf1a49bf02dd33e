"""SNS, SQS and aws-sdk integrations through boto3 (moto stands in for AWS)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from local.engine import Engine, MemoryStore, SkipClock

from .conftest import START, Starter, output_of


@pytest.fixture
def aws() -> Iterator[None]:
    """In-process moto for every boto3 client created meanwhile."""
    with mock_aws():
        yield


@pytest.fixture
def engine(aws: None) -> Engine:
    """An engine whose integrations reach moto."""
    return Engine(clock=SkipClock(start=START), store=MemoryStore())


def _task(resource: str, parameters: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "StartAt": "T",
        "States": {
            "T": {"Type": "Task", "Resource": resource, "Parameters": parameters, "End": True, **extra}
        },
    }


def test_sqs_send_message_serialises_an_object_body(engine: Engine, start: Starter) -> None:
    # Given a queue and a state that sends an object as the message body
    queue_url = boto3.client("sqs", region_name="us-east-1").create_queue(QueueName="orders")["QueueUrl"]
    definition = _task(
        "arn:aws:states:::sqs:sendMessage", {"QueueUrl": queue_url, "MessageBody": {"order.$": "$.order"}}
    )
    arn = start(engine, definition, {"order": 9})
    engine.run_until_idle()
    # Then the message arrived as JSON text and the output carries the MessageId
    messages = boto3.client("sqs", region_name="us-east-1").receive_message(QueueUrl=queue_url)["Messages"]
    assert json.loads(messages[0]["Body"]) == {"order": 9}
    assert output_of(engine, arn)["MessageId"] == messages[0]["MessageId"]


def test_sns_publish_returns_the_message_id(engine: Engine, start: Starter) -> None:
    # Given a topic; When a state publishes to it; Then the output has a MessageId
    topic = boto3.client("sns", region_name="us-east-1").create_topic(Name="alerts")["TopicArn"]
    arn = start(engine, _task("arn:aws:states:::sns:publish", {"TopicArn": topic, "Message": "hello"}))
    engine.run_until_idle()
    assert len(output_of(engine, arn)["MessageId"]) > 0


def test_aws_sdk_integration_calls_the_api_and_returns_its_response(engine: Engine, start: Starter) -> None:
    # Given a DynamoDB table
    dynamodb = boto3.client("dynamodb", region_name="us-east-1")
    dynamodb.create_table(
        TableName="consents",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    dynamodb.put_item(TableName="consents", Item={"id": {"S": "c-1"}, "state": {"S": "revoked"}})
    # When a state calls aws-sdk:dynamodb:getItem
    definition = _task(
        "arn:aws:states:::aws-sdk:dynamodb:getItem", {"TableName": "consents", "Key": {"id": {"S": "c-1"}}}
    )
    arn = start(engine, definition)
    engine.run_until_idle()
    # Then the output is the API response
    assert output_of(engine, arn)["Item"]["state"] == {"S": "revoked"}


@pytest.mark.parametrize(
    ("resource", "parameters", "error"),
    [
        (
            "arn:aws:states:::aws-sdk:secretsmanager:getSecretValue",
            {"SecretId": "nope"},
            "SecretsManager.ResourceNotFoundException",
        ),
        (
            "arn:aws:states:::sqs:sendMessage",
            {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/nope", "MessageBody": "x"},
            "SQS.QueueDoesNotExistException",
        ),
    ],
)
def test_service_errors_are_named_like_step_functions(
    engine: Engine, start: Starter, resource: str, parameters: dict[str, Any], error: str
) -> None:
    # Given a call that the service rejects; When run
    arn = start(engine, _task(resource, parameters))
    engine.run_until_idle()
    # Then the error is "<Service>.<Code>Exception" and can be caught like on AWS
    described = engine.describe_execution(arn)
    assert described["status"] == "FAILED"
    assert described["error"] == error
