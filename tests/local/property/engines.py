"""Run one definition on the local engine and on moto's Step Functions executor, with the same names.

Both runners return an `Outcome`: status, parsed output, error, cause and the history events.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import boto3
from moto import mock_aws

from local.engine import Engine, MemoryStore, SkipClock

ROLE_ARN = "arn:aws:iam::123456789012:role/sfn"
REGION = "us-east-1"
START = datetime(2026, 1, 1, tzinfo=UTC)
# moto runs each execution in its own threads, in real time; generated machines never wait.
MOTO_DEADLINE_SECONDS = 30.0


@dataclass(frozen=True)
class Outcome:
    """How one execution ended, and its history."""

    status: str
    output: Any
    error: str | None
    cause: str | None
    events: list[dict[str, Any]]

    @property
    def event_types(self) -> list[str]:
        return [event["type"] for event in self.events]


def _outcome(described: dict[str, Any], events: list[dict[str, Any]]) -> Outcome:
    output = described.get("output")
    return Outcome(
        status=described["status"],
        output=json.loads(output) if output is not None else None,
        error=described.get("error"),
        cause=described.get("cause"),
        events=events,
    )


def new_local_engine() -> Engine:
    """An in-memory engine whose clock skips over any timer."""
    return Engine(clock=SkipClock(start=START), store=MemoryStore(), region=REGION)


def run_on_local_engine(
    engine: Engine, name: str, definition: dict[str, Any], execution_input: Any
) -> Outcome:
    """Create a machine called `name`, run one execution (also called `name`) to its end."""
    machine = engine.create_state_machine(name=name, definition=json.dumps(definition), role_arn=ROLE_ARN)
    arn = engine.start_execution(machine["stateMachineArn"], input=json.dumps(execution_input), name=name)[
        "executionArn"
    ]
    engine.run_until_idle()
    events: list[dict[str, Any]] = []
    token = None
    while True:
        page = engine.get_execution_history(arn, max_results=1000, next_token=token)
        events += page["events"]
        token = page.get("nextToken")
        if token is None:
            return _outcome(engine.describe_execution(arn), events)


class MotoStepFunctions:
    """moto's Step Functions backend with its executor switched on (in-process, no server)."""

    def __init__(self, client: Any) -> None:  # a boto3 "stepfunctions" client
        self.client = client

    def run(self, name: str, definition: dict[str, Any], execution_input: Any) -> Outcome:
        """Create a machine called `name`, start an execution called `name` and wait until it ends."""
        machine_arn = self.client.create_state_machine(
            name=name, definition=json.dumps(definition), roleArn=ROLE_ARN
        )["stateMachineArn"]
        arn = self.client.start_execution(
            stateMachineArn=machine_arn, name=name, input=json.dumps(execution_input)
        )["executionArn"]
        described = self._wait_until_finished(arn)
        events = self._history(arn)
        # moto's DescribeExecution returns a top-level string output without its JSON quotes; the
        # ExecutionSucceeded event carries it correctly.
        for event in events:
            if event["type"] == "ExecutionSucceeded":
                described["output"] = event["executionSucceededEventDetails"]["output"]
        return _outcome(described, events)

    def _wait_until_finished(self, arn: str) -> dict[str, Any]:
        deadline = time.monotonic() + MOTO_DEADLINE_SECONDS
        pause = 0.001
        while True:
            described: dict[str, Any] = dict(self.client.describe_execution(executionArn=arn))
            if described["status"] != "RUNNING":
                return described
            if time.monotonic() > deadline:
                raise TimeoutError(f"moto's execution {arn} still runs after {MOTO_DEADLINE_SECONDS} s")
            time.sleep(pause)
            pause = min(pause * 2, 0.02)

    def _history(self, arn: str) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = []
        request: dict[str, Any] = {"executionArn": arn, "maxResults": 1000}
        while True:
            page = self.client.get_execution_history(**request)
            events += page["events"]
            if "nextToken" not in page:
                return events
            request["nextToken"] = page["nextToken"]


@contextmanager
def moto_step_functions() -> Iterator[MotoStepFunctions]:
    """moto with `execute_state_machine` on, for the duration of the block."""
    # moto logs every States.* error it raises while running a machine; failures are expected here.
    logging.getLogger("moto").setLevel(logging.CRITICAL)
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        yield MotoStepFunctions(boto3.client("stepfunctions", region_name=REGION))
