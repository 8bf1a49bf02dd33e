"""The embedded AWS services with a state file: what a client got a 2xx for is there after a restart;
reading writes nothing."""

from __future__ import annotations

import json
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from local.engine import VirtualClock
from local.stack.aws_services import EmbeddedAwsServices

STACK_TIME = datetime(2031, 5, 1, 12, 0, tzinfo=UTC)


def _services(state_file: Path) -> EmbeddedAwsServices:
    return EmbeddedAwsServices(
        host="127.0.0.1", port=0, clock=VirtualClock(start=STACK_TIME).now, state_file=state_file
    )


def _sent_emails(services: EmbeddedAwsServices) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{services.endpoint_url}/moto-api/data.json", timeout=10) as response:
        messages: list[dict[str, Any]] = json.load(response)["ses"]["Message"]
    return messages


def test_items_messages_e_mails_and_secrets_survive_a_restart(tmp_path: Path) -> None:
    state_file = tmp_path / "aws.pickle"
    # Given services that accepted an item (on a table with a stream), a message, an e-mail and a secret
    first = _services(state_file)
    first.start()
    try:
        dynamodb = first.client("dynamodb")
        dynamodb.create_table(
            TableName="Customers",
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        )
        dynamodb.put_item(TableName="Customers", Item={"id": {"S": "C-1"}})
        sqs = first.client("sqs")
        queue_url = sqs.create_queue(QueueName="Inbox")["QueueUrl"]
        sqs.send_message(QueueUrl=queue_url, MessageBody="kept")
        # and a notification published to a topic whose subscriber (a queue, as the mailer's) has not read it
        sns = first.client("sns")
        topic_arn = sns.create_topic(Name="Alerts")["TopicArn"]
        subscriber_url = sqs.create_queue(QueueName="AlertSubscriber")["QueueUrl"]
        subscriber_arn = sqs.get_queue_attributes(QueueUrl=subscriber_url, AttributeNames=["QueueArn"])
        sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=subscriber_arn["Attributes"]["QueueArn"])
        sns.publish(TopicArn=topic_arn, Message="deletion timed out")
        ses = first.client("ses")
        ses.verify_domain_identity(Domain="example.com")
        ses.send_email(
            Source="alerts@example.com",
            Destination={"ToAddresses": ["oncall@example.com"]},
            Message={"Subject": {"Data": "Deletion timed out"}, "Body": {"Text": {"Data": "body"}}},
        )
        first.client("secretsmanager").create_secret(Name="ApiKey", SecretString="s3cret")
    finally:
        first.close()  # forgets everything in moto, as a stopped process would

    # When services start again on the same state file
    second = _services(state_file)
    second.start()
    try:
        # Then everything is there: the item and its stream record, the messages, the e-mail, the secret
        dynamodb = second.client("dynamodb")
        assert dynamodb.get_item(TableName="Customers", Key={"id": {"S": "C-1"}})["Item"] == {
            "id": {"S": "C-1"}
        }
        streams = second.client("dynamodbstreams")
        stream_arn = dynamodb.describe_table(TableName="Customers")["Table"]["LatestStreamArn"]
        shard = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"][0]["ShardId"]
        iterator = streams.get_shard_iterator(
            StreamArn=stream_arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON"
        )
        records = streams.get_records(ShardIterator=iterator["ShardIterator"])["Records"]
        assert [record["eventName"] for record in records] == ["INSERT"]
        # stamped with the stack's clock, not the wall clock
        assert records[0]["dynamodb"]["ApproximateCreationDateTime"] == STACK_TIME
        sqs = second.client("sqs")
        queue_url = sqs.get_queue_url(QueueName="Inbox")["QueueUrl"]
        assert [m["Body"] for m in sqs.receive_message(QueueUrl=queue_url)["Messages"]] == ["kept"]
        subscriber_url = sqs.get_queue_url(QueueName="AlertSubscriber")["QueueUrl"]
        notifications = sqs.receive_message(QueueUrl=subscriber_url)["Messages"]
        assert [json.loads(m["Body"])["Message"] for m in notifications] == ["deletion timed out"]
        assert [email["subject"] for email in _sent_emails(second)] == ["Deletion timed out"]
        assert second.client("secretsmanager").get_secret_value(SecretId="ApiKey")["SecretString"] == "s3cret"
    finally:
        second.close()


def test_reads_write_nothing_and_without_a_state_file_nothing_is_kept(tmp_path: Path) -> None:
    state_file = tmp_path / "aws.pickle"
    # Given services that saved their state after creating a queue
    services = _services(state_file)
    services.start()
    try:
        sqs = services.client("sqs")
        queue_url = sqs.create_queue(QueueName="Q")["QueueUrl"]
        saved = state_file.read_bytes()

        # When clients only read
        sqs.list_queues()
        sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["All"])
        sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=0)

        # Then the state file is untouched
        assert state_file.read_bytes() == saved
    finally:
        services.close()

    # And services without a state file start empty
    in_memory = EmbeddedAwsServices(host="127.0.0.1", port=0, clock=VirtualClock(start=STACK_TIME).now)
    in_memory.start()
    try:
        assert in_memory.client("sqs").list_queues().get("QueueUrls", []) == []
    finally:
        in_memory.close()
