"""The stack as a client meets it: the Schedule API over HTTP, boto3 on the Step Functions and AWS ports."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from catalog.scheduled_request import (
    DEAD_LETTER_QUEUE,
    EXAMPLE_PROCESSOR,
    FAILURE_TOPIC,
    FRONT_DOOR,
    IDEMPOTENCY_TABLE,
    SCHEDULED_REQUEST,
)
from local.sfn_api.clock_control import format_rfc3339
from local.stack import LocalStack
from tests.local.lambda_service.lambda_code import create_function, lambda_client
from tests.local.sfn_api.helpers import wait_for_status
from tests.local.stack.conftest import client, clock_now
from tests.local.stack.http_json import Answer, call

TWO_DAYS = 2 * 86_400


def _create(stack: LocalStack, payload: dict[str, Any], *, after: timedelta) -> Answer:
    trigger_at = (clock_now(stack.addresses.api) + after).replace(microsecond=0)
    body = {"triggerAt": format_rfc3339(trigger_at), "payload": payload}
    return call("POST", f"{stack.addresses.api}/schedules", body)


def _advance(base_url: str, seconds: float) -> Answer:
    return call("POST", f"{base_url}/_local/clock", {"advanceSeconds": seconds})


def test_a_schedule_waits_then_runs_when_the_clock_reaches_it(stack: LocalStack) -> None:
    api = stack.addresses.api
    # Given a schedule two days ahead
    created = _create(stack, {"orderId": "T-1"}, after=timedelta(days=2))
    assert created.status == 202
    schedule_id = created.body["scheduleId"]
    # And its Location leads to it (the local API serves its stage at the root)
    assert created.headers["Location"] == f"/schedules/{schedule_id}"

    # Then it waits
    assert call("GET", f"{api}{created.headers['Location']}").body["status"] == "SCHEDULED"

    # When the virtual clock moves two days through the Schedule API port
    before = clock_now(api)
    moved = _advance(api, TWO_DAYS)

    # Then the clock moved, the schedule ran, and Step Functions (boto3) lists its execution
    assert moved.status == 200
    assert moved.body["mode"] == "virtual"
    assert datetime.fromisoformat(moved.body["now"]) - before >= timedelta(seconds=TWO_DAYS)
    read = call("GET", f"{api}/schedules/{schedule_id}")
    assert read.body["status"] == "SUCCEEDED"
    assert read.body["result"]["scheduleId"] == schedule_id
    sfn = client("stepfunctions", stack.addresses.stepfunctions)
    state_machine_arn = stack.workflows[SCHEDULED_REQUEST.name].state_machine_arn
    executions = sfn.list_executions(stateMachineArn=state_machine_arn)["executions"]
    assert {"name": schedule_id, "status": "SUCCEEDED"} in [
        {"name": execution["name"], "status": execution["status"]} for execution in executions
    ]


def test_a_waiting_schedule_can_be_cancelled_once(stack: LocalStack) -> None:
    api = stack.addresses.api
    # Given a waiting schedule
    schedule_id = _create(stack, {"orderId": "T-2"}, after=timedelta(days=1)).body["scheduleId"]

    # When it is cancelled, twice
    first = call("DELETE", f"{api}/schedules/{schedule_id}")
    second = call("DELETE", f"{api}/schedules/{schedule_id}")

    # Then the first cancels (the execution is aborted), the second conflicts
    assert (first.status, first.body["status"]) == (200, "CANCELLED")
    assert (second.status, second.body["error"]) == (409, "NOT_CANCELLABLE")
    sfn = client("stepfunctions", stack.addresses.stepfunctions)
    assert sfn.describe_execution(executionArn=_execution_arn(stack, schedule_id))["status"] == "ABORTED"


def test_a_request_that_keeps_failing_is_dead_lettered_and_notified(stack: LocalStack) -> None:
    api = stack.addresses.api
    resources = stack.workflows[SCHEDULED_REQUEST.name].resources
    sqs, sns = client("sqs", stack.addresses.aws), client("sns", stack.addresses.aws)
    inbox_url = sqs.create_queue(QueueName="stack-test-failure-inbox")["QueueUrl"]
    inbox_arn = sqs.get_queue_attributes(QueueUrl=inbox_url, AttributeNames=["QueueArn"])["Attributes"]
    sns.subscribe(
        TopicArn=resources.topic_arns[FAILURE_TOPIC],
        Protocol="sqs",
        Endpoint=inbox_arn["QueueArn"],
        Attributes={"RawMessageDelivery": "true"},
    )
    # Given a request whose every attempt fails
    schedule_id = _create(stack, {"simulate": "failure"}, after=timedelta(minutes=5)).body["scheduleId"]

    # When the clock passes its trigger time and every reschedule (5 + 10 + 20 minutes)
    _advance(api, 2 * 3600)

    # Then it failed, its request is in the dead-letter queue, and the failure topic told the inbox
    read = call("GET", f"{api}/schedules/{schedule_id}")
    assert (read.body["status"], read.body["error"]) == ("FAILED", "ScheduledRequestFailed")
    dead_letters = _messages(sqs, resources.queue_urls[DEAD_LETTER_QUEUE])
    assert [(message["scheduleId"], message["attempts"]) for message in dead_letters] == [(schedule_id, 4)]
    notifications = _messages(sqs, inbox_url)
    assert [message["scheduleId"] for message in notifications] == [schedule_id]
    # And the notification, which its subscribers get by e-mail, names the processor's error without its
    # stack trace (the execution's history keeps that)
    error = notifications[0]["error"]
    assert error["Error"] == "PermanentProcessingError"
    assert error["Cause"].startswith("PermanentProcessingError: ")
    assert "stackTrace" not in json.dumps(notifications[0])


def test_the_front_door_answers_for_itself(stack: LocalStack) -> None:
    # When a request has an invalid triggerAt
    answer = call("POST", f"{stack.addresses.api}/schedules", {"triggerAt": "tomorrow", "payload": {}})

    # Then the front door's own 400 comes back unchanged
    assert answer.status == 400
    assert answer.body["field"] == "triggerAt"


def test_routes_the_api_does_not_have_are_refused_like_api_gateway(stack: LocalStack) -> None:
    for method, path in (("GET", "/nothing-here"), ("PUT", "/schedules"), ("OPTIONS", "/schedules/x")):
        answer = call(method, f"{stack.addresses.api}{path}", {} if method == "PUT" else None)

        assert answer.status == 403
        assert answer.body == {
            "error": "MISSING_AUTHENTICATION_TOKEN",
            "message": "Missing Authentication Token",
        }


def test_both_clock_endpoints_read_the_same_clock(stack: LocalStack) -> None:
    # When the clock moves through the Step Functions port
    _advance(stack.addresses.stepfunctions, 60)

    # Then both ports report the same virtual time
    via_sfn = call("GET", f"{stack.addresses.stepfunctions}/_local/clock").body
    via_api = call("GET", f"{stack.addresses.api}/_local/clock").body
    assert via_sfn == via_api
    assert via_api["mode"] == "virtual"


def test_the_catalog_resources_exist_in_the_embedded_aws_services(stack: LocalStack) -> None:
    # Given what the catalog declares, Then each exists in moto under its local name
    resources = stack.workflows[SCHEDULED_REQUEST.name].resources
    sqs, sns = client("sqs", stack.addresses.aws), client("sns", stack.addresses.aws)
    dynamodb = client("dynamodb", stack.addresses.aws)
    assert set(resources.queue_urls) == {queue.logical_id for queue in SCHEDULED_REQUEST.queues}
    assert (
        sqs.get_queue_url(QueueName=f"ScheduledRequest-{DEAD_LETTER_QUEUE}")["QueueUrl"]
        == (resources.queue_urls[DEAD_LETTER_QUEUE])
    )
    assert resources.topic_arns[FAILURE_TOPIC] in [t["TopicArn"] for t in sns.list_topics()["Topics"]]
    table = dynamodb.describe_table(TableName=resources.table_names[IDEMPOTENCY_TABLE])["Table"]
    assert table["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
    ttl = dynamodb.describe_time_to_live(TableName=resources.table_names[IDEMPOTENCY_TABLE])
    assert ttl["TimeToLiveDescription"]["AttributeName"] == "expiration"


def test_each_function_gets_its_declared_environment_resolved_locally(stack: LocalStack) -> None:
    workflow = stack.workflows[SCHEDULED_REQUEST.name]
    front_door = workflow.function(FRONT_DOOR).environment
    processor = workflow.function(EXAMPLE_PROCESSOR).environment

    # Then catalog values became local addresses, and runtime endpoints point at the stack
    assert front_door["STATE_MACHINE_ARN"] == workflow.state_machine_arn
    assert json.loads(front_door["TARGET_FUNCTIONS"]) == {
        "example-processor": workflow.function(EXAMPLE_PROCESSOR).arn
    }
    assert front_door["AWS_ENDPOINT_URL_STEPFUNCTIONS"] == stack.addresses.stepfunctions
    assert processor["IDEMPOTENCY_TABLE_NAME"] == workflow.resources.table_names[IDEMPOTENCY_TABLE]
    assert processor["AWS_ENDPOINT_URL"] == stack.addresses.aws
    # And no function sees another's variables
    assert "IDEMPOTENCY_TABLE_NAME" not in front_door
    assert "STATE_MACHINE_ARN" not in processor


def _execution_arn(stack: LocalStack, schedule_id: str) -> str:
    state_machine_arn = stack.workflows[SCHEDULED_REQUEST.name].state_machine_arn
    return state_machine_arn.replace(":stateMachine:", ":execution:") + f":{schedule_id}"


def _messages(sqs: Any, queue_url: str) -> list[dict[str, Any]]:
    response = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
    return [json.loads(message["Body"]) for message in response.get("Messages", [])]


def test_a_function_added_through_the_lambda_api_runs_in_a_state_machine_of_the_stack(
    stack: LocalStack,
) -> None:
    # Given a function of the user's, created through the Lambda API on the stack's Step Functions port
    functions = lambda_client(stack.addresses.stepfunctions)
    name = create_function(
        functions, "def handler(event, context):\n    return {'doubled': event['n'] * 2}\n"
    )
    sfn = client("stepfunctions", stack.addresses.stepfunctions)
    machine = sfn.create_state_machine(
        name=f"UsesUserFunction-{name}",
        roleArn="arn:aws:iam::123456789012:role/local",
        definition=json.dumps(
            {
                "StartAt": "Double",
                "States": {
                    "Double": {
                        "Type": "Task",
                        "Resource": "arn:aws:states:::lambda:invoke",
                        "Parameters": {"FunctionName": name, "Payload.$": "$"},
                        "OutputPath": "$.Payload",
                        "End": True,
                    }
                },
            }
        ),
    )

    # When a state machine of the stack invokes it
    started = sfn.start_execution(stateMachineArn=machine["stateMachineArn"], input='{"n": 21}')
    execution = wait_for_status(sfn, started["executionArn"])

    # Then the function's own code answered
    assert execution["status"] == "SUCCEEDED", execution
    assert json.loads(execution["output"]) == {"doubled": 42}
