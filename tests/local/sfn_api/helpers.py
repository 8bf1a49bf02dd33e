"""Helpers shared by the Step Functions API tests: boto3 clients, small machines, polling, raw HTTP."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from typing import Any

import boto3
from botocore.config import Config

CLOCK_START = datetime(2026, 1, 1, tzinfo=UTC)
ROLE_ARN = "arn:aws:iam::123456789012:role/sfn-api-tests"
FINISH_DEADLINE_SECONDS = 30


def make_client(endpoint_url: str, **config: Any) -> Any:
    """A real boto3 Step Functions client for the local endpoint (no retries: errors surface at once)."""
    return boto3.client(
        "stepfunctions",
        endpoint_url=endpoint_url,
        region_name="us-east-1",
        config=Config(retries={"max_attempts": 1, "mode": "standard"}, **config),
    )


def definition(states: dict[str, Any], start_at: str) -> str:
    return json.dumps({"StartAt": start_at, "States": states})


def wait_machine(seconds: int) -> str:
    """Waits `seconds`, then passes its input through."""
    return definition(
        {
            "WaitForIt": {"Type": "Wait", "Seconds": seconds, "Next": "Finish"},
            "Finish": {"Type": "Pass", "End": True},
        },
        "WaitForIt",
    )


def pass_chain_machine(length: int) -> str:
    """`length` Pass states in a row; the output is the input."""
    states: dict[str, Any] = {
        f"Step{i}": {"Type": "Pass", "Next": f"Step{i + 1}"} if i < length else {"Type": "Pass", "End": True}
        for i in range(1, length + 1)
    }
    return definition(states, "Step1")


def wait_for_status(sfn: Any, execution_arn: str, *, leaving: str = "RUNNING") -> dict[str, Any]:
    """Poll DescribeExecution until the status is no longer `leaving` (the engine runs in the background)."""
    deadline = time.monotonic() + FINISH_DEADLINE_SECONDS
    while True:
        description: dict[str, Any] = sfn.describe_execution(executionArn=execution_arn)
        if description["status"] != leaving or time.monotonic() > deadline:
            return description
        time.sleep(0.02)


def wait_for_event(sfn: Any, execution_arn: str, event_type: str) -> None:
    """Poll the history until an event of `event_type` appears (e.g. the Wait state was entered)."""
    deadline = time.monotonic() + FINISH_DEADLINE_SECONDS
    while time.monotonic() < deadline:
        events = sfn.get_execution_history(executionArn=execution_arn, maxResults=1000)["events"]
        if any(event["type"] == event_type for event in events):
            return
        time.sleep(0.02)


def http_json(url: str, body: dict[str, Any] | None = None, headers: dict[str, str] | None = None) -> Any:
    """(status, decoded JSON) of a GET (no body) or POST, without raising on 4xx/5xx."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers=headers or {}, method="POST" if data else "GET")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())
