"""Fixtures: the front door and the processor as Lambda handlers, against moto.

moto executes the stand-in state machine below in background threads (`execute_state_machine`), so
executions really wait, run and finish. The stand-in has the contract's state names; its
`ProcessRequest` is a Wait whose end comes from the payload (`finishProcessingAt`), so a test decides
whether processing is instant, still under way, or fails (no such field: the Wait fails).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from moto import mock_aws

from functions.scheduled_requests.front_door import adapters as front_door_adapters
from functions.scheduled_requests.front_door import handler as front_door
from functions.scheduled_requests.processor import handler as processor

PROCESSOR_ARN = "arn:aws:lambda:us-east-1:123456789012:function:example-processor"
REPORTS_ARN = "arn:aws:lambda:us-east-1:123456789012:function:reports"
STAND_IN_DEFINITION = {
    "Comment": "Stand-in for ScheduledRequest with the contract's state names.",
    "StartAt": "WaitUntilTriggerAt",
    "States": {
        "WaitUntilTriggerAt": {"Type": "Wait", "TimestampPath": "$.triggerAt", "Next": "ProcessRequest"},
        "ProcessRequest": {
            "Type": "Wait",
            "TimestampPath": "$.payload.finishProcessingAt",
            "Next": "Processed",
        },
        "Processed": {"Type": "Pass", "Parameters": {"processed.$": "$.scheduleId"}, "End": True},
    },
}
INSTANT_PROCESSING = {"finishProcessingAt": "2000-01-01T00:00:00Z"}
ENDLESS_PROCESSING = {"finishProcessingAt": "2099-01-01T00:00:00Z"}


@dataclass(frozen=True)
class LambdaContextStub:
    function_name: str = "test-function"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:test-function"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: dict[str, Any]


def in_an_hour() -> str:
    """A triggerAt one hour from now."""
    return (datetime.now(UTC) + timedelta(hours=1)).isoformat()


def rest_event(
    method: str,
    path: str,
    *,
    body: str | None = None,
    headers: dict[str, str] | None = None,
    schedule_id: str | None = None,
) -> dict[str, Any]:
    """An API Gateway REST (v1) proxy event, as the Lambda proxy integration delivers it."""
    resource = "/schedules/{scheduleId}" if schedule_id is not None else path
    headers = headers or {}
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {name: [value] for name, value in headers.items()},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": {"scheduleId": schedule_id} if schedule_id is not None else None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": resource,
            "httpMethod": method,
            "path": f"/prod{path}",
            "stage": "prod",
            "requestId": str(uuid.uuid4()),
            "identity": {"sourceIp": "127.0.0.1"},
        },
        "body": body,
        "isBase64Encoded": False,
    }


class ScheduleApi:
    """Calls the front door's Lambda handler the way API Gateway would."""

    def post(
        self, body: Any, *, key: str | None = None, content_type: str | None = "application/json"
    ) -> Answer:
        headers = {"Content-Type": content_type} if content_type is not None else {}
        if key is not None:
            headers["Idempotency-Key"] = key
        text = body if isinstance(body, str) else json.dumps(body)
        return self._call(rest_event("POST", "/schedules", body=text, headers=headers))

    def get(self, schedule_id: str) -> Answer:
        return self._call(rest_event("GET", f"/schedules/{schedule_id}", schedule_id=schedule_id))

    def delete(self, schedule_id: str) -> Answer:
        return self._call(rest_event("DELETE", f"/schedules/{schedule_id}", schedule_id=schedule_id))

    def wait_for_status(self, schedule_id: str, wanted: str, attempts: int = 200) -> Answer:
        """Poll GET until the schedule reaches `wanted` (moto runs executions in threads)."""
        for _ in range(attempts):
            answer = self.get(schedule_id)
            if answer.body.get("status") == wanted:
                return answer
            time.sleep(0.05)
        raise AssertionError(f"schedule {schedule_id} never became {wanted}; last answer {answer}")

    @staticmethod
    def _call(event: dict[str, Any]) -> Answer:
        response = front_door.handler(event, LambdaContextStub())
        headers = {name: values[-1] for name, values in (response.get("multiValueHeaders") or {}).items()}
        headers.update(response.get("headers") or {})
        return Answer(response["statusCode"], headers, json.loads(response["body"]))


@dataclass(frozen=True)
class StandInMachine:
    arn: str
    client: Any

    def executions(self) -> list[dict[str, Any]]:
        return list(self.client.list_executions(stateMachineArn=self.arn)["executions"])


def _reset_cached_clients() -> None:
    front_door.schedule_service.cache_clear()
    front_door_adapters.stepfunctions_client.cache_clear()
    processor.idempotent_processor.cache_clear()


@pytest.fixture
def state_machine(monkeypatch: pytest.MonkeyPatch) -> Iterator[StandInMachine]:
    """The stand-in machine in moto, and the front door's environment pointing at it."""
    _reset_cached_clients()
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        client = boto3.client("stepfunctions")
        arn = client.create_state_machine(
            name=f"ScheduledRequest-{uuid.uuid4().hex[:12]}",
            definition=json.dumps(STAND_IN_DEFINITION),
            roleArn="arn:aws:iam::123456789012:role/scheduled-request",
        )["stateMachineArn"]
        monkeypatch.setenv("STATE_MACHINE_ARN", arn)
        monkeypatch.setenv(
            "TARGET_FUNCTIONS", json.dumps({"example-processor": PROCESSOR_ARN, "reports": REPORTS_ARN})
        )
        monkeypatch.setenv("DEFAULT_TARGET", "example-processor")
        monkeypatch.setenv("CLOCK_SKEW_SECONDS", "30")
        monkeypatch.setenv("MAX_HORIZON_DAYS", "364")
        monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "schedule-api")
        yield StandInMachine(arn, client)
    _reset_cached_clients()


@pytest.fixture
def api(state_machine: StandInMachine) -> ScheduleApi:
    return ScheduleApi()


@pytest.fixture
def idempotency_table(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A Powertools idempotency table in moto DynamoDB (partition key "id", TTL "expiration")."""
    _reset_cached_clients()
    with mock_aws():
        name = f"idempotency-{uuid.uuid4().hex[:12]}"
        dynamodb = boto3.client("dynamodb")
        dynamodb.create_table(
            TableName=name,
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        dynamodb.update_time_to_live(
            TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expiration"}
        )
        monkeypatch.setenv("IDEMPOTENCY_TABLE_NAME", name)
        monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "example-processor")
        yield name
    _reset_cached_clients()


@pytest.fixture
def lambda_context() -> Callable[[], LambdaContextStub]:
    return LambdaContextStub
