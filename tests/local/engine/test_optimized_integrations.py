"""Optimized DynamoDB and EventBridge integrations against a moto server given as the AWS endpoint."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

import boto3
import pytest

from local.engine import Engine, MemoryStore, SkipClock, integration_eventbridge
from local.engine.errors import ApiError, StatesError

from .conftest import ROLE_ARN, START, Starter, output_of

REGION = "us-east-1"


@pytest.fixture
def engine(aws_endpoint: str) -> Engine:
    """An engine whose integrations call the moto server."""
    return Engine(clock=SkipClock(start=START), store=MemoryStore(), aws_endpoint_url=aws_endpoint)


def _client(service: str, endpoint: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )


@pytest.fixture
def table(aws_endpoint: str) -> str:
    """A fresh table keyed by `id`."""
    name = f"orders-{uuid.uuid4().hex[:8]}"
    _client("dynamodb", aws_endpoint).create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    return name


def _chain(*states: tuple[str, dict[str, Any]], **top: Any) -> dict[str, Any]:
    names = [name for name, _ in states]
    built = {}
    for index, (name, state) in enumerate(states):
        follow = {"Next": names[index + 1]} if index + 1 < len(names) else {"End": True}
        built[name] = {"Type": "Task", **state, **follow}
    return {"StartAt": names[0], "States": built, **top}


def test_item_operations_return_dynamodb_responses(engine: Engine, start: Starter, table: str) -> None:
    # Given a machine that puts, reads, updates and deletes one item (with a binary attribute)
    blob = base64.b64encode(b"\x00\x01binary").decode()
    key = {"id": {"S.$": "$.id"}}
    definition = _chain(
        (
            "Put",
            {
                "Resource": "arn:aws:states:::dynamodb:putItem",
                "Parameters": {
                    "TableName": table,
                    "Item": {"id": {"S.$": "$.id"}, "count": {"N": "1"}, "blob": {"B": blob}},
                },
                "ResultPath": "$.put",
            },
        ),
        (
            "Get",
            {
                "Resource": "arn:aws:states:::dynamodb:getItem",
                "Parameters": {"TableName": table, "Key": key},
                "ResultPath": "$.get",
            },
        ),
        (
            "Update",
            {
                "Resource": "arn:aws:states:::dynamodb:updateItem",
                "Parameters": {
                    "TableName": table,
                    "Key": key,
                    "UpdateExpression": "SET #c = #c + :one",
                    "ExpressionAttributeNames": {"#c": "count"},
                    "ExpressionAttributeValues": {":one": {"N": "1"}},
                    "ReturnValues": "UPDATED_NEW",
                },
                "ResultPath": "$.update",
            },
        ),
        (
            "Delete",
            {
                "Resource": "arn:aws:states:::dynamodb:deleteItem",
                "Parameters": {"TableName": table, "Key": key, "ReturnValues": "ALL_OLD"},
                "ResultPath": "$.delete",
            },
        ),
    )
    # When it runs
    arn = start(engine, definition, {"id": "o-1"})
    engine.run_until_idle()
    # Then each state's result is the API response in DynamoDB JSON, without response metadata
    # (moto reports ConsumedCapacity even when it was not asked for)
    output = output_of(engine, arn)
    assert output["put"] == {}
    assert output["get"] == {"Item": {"id": {"S": "o-1"}, "count": {"N": "1"}, "blob": {"B": blob}}}
    assert output["update"]["Attributes"] == {"count": {"N": "2"}}
    assert output["delete"]["Attributes"]["count"] == {"N": "2"}
    # And the item is gone
    assert "Item" not in _client("dynamodb", engine.dispatcher.aws_endpoint_url or "").get_item(
        TableName=table, Key={"id": {"S": "o-1"}}
    )


def test_a_failed_condition_is_caught_by_its_aws_name_in_jsonata(
    engine: Engine, start: Starter, table: str, aws_endpoint: str
) -> None:
    # Given an existing item and a JSONata state that puts it only if it does not exist
    _client("dynamodb", aws_endpoint).put_item(TableName=table, Item={"id": {"S": "o-2"}})
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "PutOnce",
        "States": {
            "PutOnce": {
                "Type": "Task",
                "Resource": "arn:aws:states:::dynamodb:putItem",
                "Arguments": {
                    "TableName": table,
                    "Item": {"id": {"S": "{% $states.input.id %}"}},
                    "ConditionExpression": "attribute_not_exists(id)",
                },
                "Catch": [
                    {
                        "ErrorEquals": ["DynamoDB.ConditionalCheckFailedException"],
                        "Output": "{% $states.errorOutput %}",
                        "Next": "AlreadyThere",
                    }
                ],
                "End": True,
            },
            "AlreadyThere": {"Type": "Pass", "End": True},
        },
    }
    # When it runs
    arn = start(engine, definition, {"id": "o-2"})
    engine.run_until_idle()
    # Then the Catch on AWS's error name took it, with the SDK's cause
    output = output_of(engine, arn)
    assert output["Error"] == "DynamoDB.ConditionalCheckFailedException"
    details = "Service: AmazonDynamoDBv2; Status Code: 400; Error Code: ConditionalCheckFailedException"
    assert details in output["Cause"]


@pytest.mark.parametrize(
    ("parameters", "error"),
    [
        ({"TableName": "no-such-table", "Key": {"id": {"S": "x"}}}, "DynamoDB.ResourceNotFoundException"),
        ({"TableName": "no-such-table"}, "DynamoDB.AmazonDynamoDBException"),
    ],
)
def test_failed_calls_are_named_like_step_functions(
    engine: Engine, start: Starter, parameters: dict[str, Any], error: str
) -> None:
    # Given a GetItem the service (or its SDK) refuses; When run
    definition = _chain(("Get", {"Resource": "arn:aws:states:::dynamodb:getItem", "Parameters": parameters}))
    arn = start(engine, definition)
    engine.run_until_idle()
    # Then the execution fails with the modelled exception, else DynamoDB's generic one
    described = engine.describe_execution(arn)
    assert (described["status"], described["error"]) == ("FAILED", error)


@pytest.fixture
def bus_to_queue(aws_endpoint: str) -> tuple[str, str]:
    """A bus whose rule for source `orders` targets a fresh queue: (bus name, queue URL)."""
    suffix = uuid.uuid4().hex[:8]
    events, sqs = _client("events", aws_endpoint), _client("sqs", aws_endpoint)
    bus = f"bus-{suffix}"
    events.create_event_bus(Name=bus)
    queue_url = sqs.create_queue(QueueName=f"q-{suffix}")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    events.put_rule(Name=f"r-{suffix}", EventBusName=bus, EventPattern=json.dumps({"source": ["orders"]}))
    events.put_targets(Rule=f"r-{suffix}", EventBusName=bus, Targets=[{"Id": "q", "Arn": queue_arn}])
    return bus, queue_url


def _received(aws_endpoint: str, queue_url: str) -> dict[str, Any]:
    messages = _client("sqs", aws_endpoint).receive_message(QueueUrl=queue_url, WaitTimeSeconds=2)
    return dict(json.loads(messages["Messages"][0]["Body"]))


def test_put_events_delivers_and_returns_the_entries(
    engine: Engine, start: Starter, bus_to_queue: tuple[str, str], aws_endpoint: str
) -> None:
    # Given a state that sends one event whose Detail is JSON
    bus, queue_url = bus_to_queue
    entry = {"EventBusName": bus, "Source": "orders", "DetailType": "placed", "Detail": {"id.$": "$.id"}}
    definition = _chain(
        ("Send", {"Resource": "arn:aws:states:::events:putEvents", "Parameters": {"Entries": [entry]}})
    )
    # When it runs
    arn = start(engine, definition, {"id": "o-3"})
    engine.run_until_idle()
    # Then the output is the PutEvents response
    output = output_of(engine, arn)
    assert output["FailedEntryCount"] == 0
    assert [sorted(item) for item in output["Entries"]] == [["EventId"]]
    # And the rule's queue got the event, its Resources naming the state machine and the execution
    event = _received(aws_endpoint, queue_url)
    assert event["detail"] == {"id": "o-3"}
    machine_arn = engine.describe_execution(arn)["stateMachineArn"]
    assert event["resources"] == [machine_arn, arn]


def test_put_events_waits_for_the_task_token(
    engine: Engine, start: Starter, bus_to_queue: tuple[str, str], aws_endpoint: str
) -> None:
    # Given a JSONata state that sends its task token in an event and waits for it
    bus, queue_url = bus_to_queue
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "Ask",
        "States": {
            "Ask": {
                "Type": "Task",
                "Resource": "arn:aws:states:::events:putEvents.waitForTaskToken",
                "Arguments": {
                    "Entries": [
                        {
                            "EventBusName": bus,
                            "Source": "orders",
                            "DetailType": "approve",
                            "Detail": {"token": "{% $states.context.Task.Token %}"},
                        }
                    ]
                },
                "End": True,
            }
        },
    }
    arn = start(engine, definition)
    engine.run_until_idle()
    assert engine.describe_execution(arn)["status"] == "RUNNING"
    # When the receiver answers with the token it got
    token = _received(aws_endpoint, queue_url)["detail"]["token"]
    engine.send_task_success(task_token=token, output=json.dumps({"approved": True}))
    engine.run_until_idle()
    # Then the execution ends with the answer
    assert output_of(engine, arn) == {"approved": True}


def test_put_events_to_a_missing_bus_fails_with_an_event_bridge_error(engine: Engine, start: Starter) -> None:
    # Given an event for a bus that does not exist; When sent
    entry = {"EventBusName": "no-such-bus", "Source": "orders", "DetailType": "placed", "Detail": "{}"}
    definition = _chain(
        ("Send", {"Resource": "arn:aws:states:::events:putEvents", "Parameters": {"Entries": [entry]}})
    )
    arn = start(engine, definition)
    engine.run_until_idle()
    # Then the task fails with an EventBridge error name
    described = engine.describe_execution(arn)
    assert described["status"] == "FAILED"
    assert described["error"] == "EventBridge.ResourceNotFoundException"


@pytest.mark.parametrize(
    "resource",
    [
        "arn:aws:states:::dynamodb:getItem.waitForTaskToken",
        "arn:aws:states:::dynamodb:scan",
        "arn:aws:states:::events:putEvents.sync",
        "arn:aws:states:::batch:submitJob.sync",
        "arn:aws:states:::aws-sdk:s3:listBuckets.sync",
    ],
)
def test_resources_the_engine_cannot_run_are_refused_at_create(engine: Engine, resource: str) -> None:
    # Given a Task naming a resource the local engine does not run
    definition = json.dumps(_chain(("T", {"Resource": resource})))
    message = (
        f"The resource provided {resource} is not recognized. The value is not a valid resource ARN, "
        "or the resource is not available in this region."
    )
    # When it is validated, Then the diagnostic says so at the resource
    validated = engine.validate_state_machine_definition(definition)
    assert validated["result"] == "FAIL"
    assert [(d["message"], d["location"]) for d in validated["diagnostics"]] == [
        (message, "/States/T/Resource")
    ]
    # And CreateStateMachine refuses it
    with pytest.raises(ApiError) as refused:
        engine.create_state_machine(name="refused", definition=definition, role_arn=ROLE_ARN)
    assert refused.value.code == "InvalidDefinition"
    assert message in refused.value.message


class _PartlyFailingEvents:
    """An EventBridge client whose PutEvents rejects every entry, as AWS reports it (HTTP 200)."""

    def put_events(self, **request: Any) -> dict[str, Any]:
        failed = {"ErrorCode": "InternalFailure", "ErrorMessage": "try again"}
        return {"Entries": [failed for _ in request["Entries"]], "FailedEntryCount": len(request["Entries"])}


def test_failed_entries_fail_the_task_with_event_bridge_failed_entry() -> None:
    # Given a PutEvents response with a failed entry; When the integration gets it
    entries = {"Entries": [{"Source": "orders", "DetailType": "placed", "Detail": {}}]}
    with pytest.raises(StatesError) as failed:
        integration_eventbridge.put_events(
            _PartlyFailingEvents(), entries, state_machine_arn="sm", execution_arn="ex"
        )
    # Then the task fails with EventBridge.FailedEntry and the response as its cause
    assert failed.value.error == "EventBridge.FailedEntry"
    assert json.loads(failed.value.cause)["FailedEntryCount"] == 1
