"""The stream trigger handler fed with real DynamoDB stream records from moto, starting moto executions.

moto's stream records are what GetRecords returns; Lambda adds ``eventSourceARN`` and sends
``ApproximateCreationDateTime`` as epoch seconds, so ``_as_lambda_event`` does the same.
"""

from __future__ import annotations

import copy
import json
import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from botocore.config import Config
from moto import mock_aws
from moto.events.models import EventPattern

from functions.consent_deletion.stream_trigger import handler
from functions.consent_deletion.stream_trigger.adapters import stepfunctions_client
from functions.consent_deletion.stream_trigger.logic import (
    REVOCATION_FILTER_PATTERNS,
    revocation_execution_name,
)

REGION = "us-east-1"
PASS_DEFINITION = json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}})


@dataclass(frozen=True)
class FakeLambdaContext:
    function_name: str = "consent-deletion-stream-trigger"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = (
        "arn:aws:lambda:us-east-1:123456789012:function:consent-deletion-stream-trigger"
    )
    aws_request_id: str = "00000000-0000-4000-8000-000000000000"


@dataclass(frozen=True)
class Aws:
    dynamodb: Any
    streams: Any
    stepfunctions: Any
    table: str
    stream_arn: str
    state_machine_arn: str


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[Aws]:
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        table = f"Customers-{uuid.uuid4().hex[:8]}"
        created = dynamodb.create_table(
            TableName=table,
            KeySchema=[{"AttributeName": "customerId", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "customerId", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        )
        stepfunctions = boto3.client("stepfunctions", region_name=REGION)
        state_machine_arn = stepfunctions.create_state_machine(
            name="ConsentDeletion",
            definition=PASS_DEFINITION,
            roleArn="arn:aws:iam::123456789012:role/consent-deletion",
        )["stateMachineArn"]
        monkeypatch.setenv("STATE_MACHINE_ARN", state_machine_arn)
        stepfunctions_client.cache_clear()
        yield Aws(
            dynamodb=dynamodb,
            # botocore now addresses DynamoDB Streams through account-based endpoints, which moto
            # 5.2.5 does not route; the classic regional endpoint reaches the same mock.
            streams=boto3.client(
                "dynamodbstreams", region_name=REGION, config=Config(account_id_endpoint_mode="disabled")
            ),
            stepfunctions=stepfunctions,
            table=table,
            stream_arn=created["TableDescription"]["LatestStreamArn"],
            state_machine_arn=state_machine_arn,
        )
        stepfunctions_client.cache_clear()


def _put(aws: Aws, customer_id: str, consent: bool) -> None:
    aws.dynamodb.put_item(
        TableName=aws.table,
        Item={"customerId": {"S": customer_id}, "analyticsConsent": {"BOOL": consent}},
    )


def _set_consent(aws: Aws, customer_id: str, consent: bool) -> None:
    aws.dynamodb.update_item(
        TableName=aws.table,
        Key={"customerId": {"S": customer_id}},
        UpdateExpression="SET analyticsConsent = :consent",
        ExpressionAttributeValues={":consent": {"BOOL": consent}},
    )


def _drop_consent(aws: Aws, customer_id: str) -> None:
    aws.dynamodb.update_item(
        TableName=aws.table,
        Key={"customerId": {"S": customer_id}},
        UpdateExpression="REMOVE analyticsConsent",
    )


def _rename(aws: Aws, customer_id: str, name: str) -> None:
    aws.dynamodb.update_item(
        TableName=aws.table,
        Key={"customerId": {"S": customer_id}},
        UpdateExpression="SET displayName = :name",
        ExpressionAttributeValues={":name": {"S": name}},
    )


def _delete(aws: Aws, customer_id: str) -> None:
    aws.dynamodb.delete_item(TableName=aws.table, Key={"customerId": {"S": customer_id}})


def _stream_records(aws: Aws) -> list[dict[str, Any]]:
    """Every record in the table's stream so far, read through the DynamoDB Streams API."""
    records: list[dict[str, Any]] = []
    shards = aws.streams.describe_stream(StreamArn=aws.stream_arn)["StreamDescription"]["Shards"]
    for shard in shards:
        iterator = aws.streams.get_shard_iterator(
            StreamArn=aws.stream_arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        while iterator:
            page = aws.streams.get_records(ShardIterator=iterator)
            if not page["Records"]:
                break
            records.extend(page["Records"])
            iterator = page.get("NextShardIterator")
    return records


def _as_lambda_event(aws: Aws, records: list[dict[str, Any]]) -> dict[str, Any]:
    """Wrap stream records the way a Lambda event source mapping delivers them."""
    delivered = []
    for record in records:
        lambda_record = copy.deepcopy(record)
        lambda_record["eventSourceARN"] = aws.stream_arn
        change = lambda_record["dynamodb"]
        change["ApproximateCreationDateTime"] = change["ApproximateCreationDateTime"].timestamp()
        delivered.append(lambda_record)
    return {"Records": delivered}


def _invoke(event: dict[str, Any]) -> dict[str, Any]:
    return dict(handler.lambda_handler(copy.deepcopy(event), FakeLambdaContext()))


def _executions(aws: Aws) -> dict[str, dict[str, Any]]:
    """Input of every execution of the state machine, by execution name."""
    listed = aws.stepfunctions.list_executions(stateMachineArn=aws.state_machine_arn)["executions"]
    return {
        execution["name"]: json.loads(
            aws.stepfunctions.describe_execution(executionArn=execution["executionArn"])["input"]
        )
        for execution in listed
    }


def test_only_revocations_start_executions(aws: Aws) -> None:
    # Given a day of changes to the Customers table, read back from its stream
    _put(aws, "revokes", consent=True)
    _set_consent(aws, "revokes", consent=False)
    _put(aws, "grants", consent=False)
    _set_consent(aws, "grants", consent=True)
    _put(aws, "renamed-then-deleted", consent=True)
    _rename(aws, "renamed-then-deleted", "Ada")
    _delete(aws, "renamed-then-deleted")
    _put(aws, "attribute-dropped", consent=True)
    _drop_consent(aws, "attribute-dropped")
    _put(aws, "never-consented", consent=False)
    _delete(aws, "never-consented")
    records = _stream_records(aws)
    event = _as_lambda_event(aws, records)

    # When the handler receives them in one batch
    response = _invoke(event)

    # Then every record succeeds and exactly the three revocations started, each with its reason
    assert response == {"batchItemFailures": []}
    executions = _executions(aws)
    assert {(run["customerId"], run["reason"]) for run in executions.values()} == {
        ("revokes", "CONSENT_REVOKED"),
        ("renamed-then-deleted", "CUSTOMER_DELETED"),
        ("attribute-dropped", "CONSENT_REVOKED"),
    }
    # ...each under the name derived from its customer and stream record
    for name, run in executions.items():
        assert name == revocation_execution_name(run["customerId"], run["sourceEventId"])
    # ...and the Lambda filter patterns let through exactly these records
    patterns = [EventPattern.load(json.dumps(pattern)) for pattern in REVOCATION_FILTER_PATTERNS]
    filtered = {
        record["eventID"]
        for record in event["Records"]
        if any(pattern.matches_event(record) for pattern in patterns)
    }
    assert filtered == {run["sourceEventId"] for run in executions.values()}


def test_redelivered_batch_starts_no_second_execution(aws: Aws) -> None:
    # Given a revocation that was handled once
    _put(aws, "c-1", consent=True)
    _set_consent(aws, "c-1", consent=False)
    event = _as_lambda_event(aws, _stream_records(aws))
    first = _invoke(event)

    # When Lambda delivers the same batch again, while the execution runs and after it has closed
    while_running = _invoke(event)
    [execution] = aws.stepfunctions.list_executions(stateMachineArn=aws.state_machine_arn)["executions"]
    aws.stepfunctions.stop_execution(executionArn=execution["executionArn"])
    after_closing = _invoke(event)

    # Then every delivery succeeds and there is still exactly one execution
    assert first == while_running == after_closing == {"batchItemFailures": []}
    assert len(_executions(aws)) == 1


def test_second_revocation_of_a_customer_starts_a_second_deletion(aws: Aws) -> None:
    # Given a customer who revokes, consents again and revokes again
    _put(aws, "c-2", consent=True)
    _set_consent(aws, "c-2", consent=False)
    _set_consent(aws, "c-2", consent=True)
    _set_consent(aws, "c-2", consent=False)

    # When the stream is handled
    response = _invoke(_as_lambda_event(aws, _stream_records(aws)))

    # Then each revocation has its own deletion
    assert response == {"batchItemFailures": []}
    executions = _executions(aws)
    assert len(executions) == 2
    assert {run["customerId"] for run in executions.values()} == {"c-2"}


def _poison_wrong_key_type(record: dict[str, Any]) -> None:
    record["dynamodb"]["Keys"] = {"customerId": {"N": "42"}}


def _poison_missing_time(record: dict[str, Any]) -> None:
    del record["dynamodb"]["ApproximateCreationDateTime"]


def _poison_unknown_event_name(record: dict[str, Any]) -> None:
    record["eventName"] = "UPSERT"


@pytest.mark.parametrize("poison", [_poison_wrong_key_type, _poison_missing_time, _poison_unknown_event_name])
def test_poison_record_is_reported_and_the_others_are_processed(aws: Aws, poison: Any) -> None:
    # Given three revocations, the middle one corrupted
    for customer_id in ("first", "poisoned", "last"):
        _put(aws, customer_id, consent=True)
        _set_consent(aws, customer_id, consent=False)
    event = _as_lambda_event(aws, _stream_records(aws))
    event["Records"] = [record for record in event["Records"] if record["eventName"] == "MODIFY"]
    poisoned = next(r for r in event["Records"] if r["dynamodb"]["Keys"]["customerId"]["S"] == "poisoned")
    poison(poisoned)

    # When the batch is handled
    response = _invoke(event)

    # Then only the poisoned record is reported, by its sequence number, and the others started
    assert response == {"batchItemFailures": [{"itemIdentifier": poisoned["dynamodb"]["SequenceNumber"]}]}
    assert {run["customerId"] for run in _executions(aws).values()} == {"first", "last"}


def test_name_taken_by_another_input_is_reported_not_swallowed(aws: Aws) -> None:
    # Given an execution that holds this revocation's name but was started with another input
    _put(aws, "c-3", consent=True)
    _set_consent(aws, "c-3", consent=False)
    event = _as_lambda_event(aws, _stream_records(aws))
    revocation = next(r for r in event["Records"] if r["eventName"] == "MODIFY")
    aws.stepfunctions.start_execution(
        stateMachineArn=aws.state_machine_arn,
        name=revocation_execution_name("c-3", revocation["eventID"]),
        input=json.dumps({"customerId": "someone-else"}),
    )

    # When the record is handled
    response = _invoke(event)

    # Then it is reported as failed so that it is retried and, in the end, dead-lettered
    assert response == {"batchItemFailures": [{"itemIdentifier": revocation["dynamodb"]["SequenceNumber"]}]}


class _FailureRecords(logging.Handler):
    """Collects the exception of each failure the stream trigger logs."""

    def __init__(self) -> None:
        super().__init__()
        self.exceptions: list[BaseException] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info and record.exc_info[1] is not None:
            self.exceptions.append(record.exc_info[1])


def test_after_a_refused_start_the_rest_of_the_batch_waits_for_the_retry(aws: Aws) -> None:
    # Given three revocations, and a state machine Step Functions no longer has
    for customer_id in ("first", "second", "third"):
        _put(aws, customer_id, consent=True)
        _set_consent(aws, customer_id, consent=False)
    event = _as_lambda_event(aws, _stream_records(aws))
    event["Records"] = [record for record in event["Records"] if record["eventName"] == "MODIFY"]
    aws.stepfunctions.delete_state_machine(stateMachineArn=aws.state_machine_arn)
    failures = _FailureRecords()
    logging.getLogger(handler.SERVICE_NAME).addHandler(failures)

    # When the batch is handled
    try:
        response = _invoke(event)
    finally:
        logging.getLogger(handler.SERVICE_NAME).removeHandler(failures)

    # Then all three are reported for the retry, without a batch error quoting each one's traceback, and
    # only the first start was attempted: one refused start, two records left for the retry
    assert response == {
        "batchItemFailures": [{"itemIdentifier": r["dynamodb"]["SequenceNumber"]} for r in event["Records"]]
    }
    assert [type(error).__name__ for error in failures.exceptions] == [
        "ExecutionStartFailed",
        "EarlierStartFailed",
        "EarlierStartFailed",
    ]
