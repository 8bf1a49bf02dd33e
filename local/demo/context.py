"""What every demo scenario gets: the running stack's addresses, HTTP clients, and the report."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from local.demo.clients import ClockClient, aws_client
from local.demo.report import DemoReport
from local.stack import LocalStack, StackAddresses
from local.stack.workflows import DeployedWorkflow

T = TypeVar("T")
WAIT_SECONDS = 15.0
POLL_SECONDS = 0.1


@dataclass(frozen=True)
class DemoContext:
    """The stack under demonstration; scenarios use its HTTP endpoints like any client would."""

    stack: LocalStack
    report: DemoReport
    clock: ClockClient

    @property
    def addresses(self) -> StackAddresses:
        """Where the stack listens."""
        return self.stack.addresses

    def workflow(self, name: str) -> DeployedWorkflow:
        """A deployed workflow (its state machine ARN and local resources)."""
        return self.stack.workflows[name]

    def aws(self, service: str) -> Any:
        """boto3 for an AWS service of the embedded emulator (SQS, SNS, DynamoDB, ...)."""
        return aws_client(service, self.addresses.aws)

    def stepfunctions(self) -> Any:
        """boto3 for the local Step Functions API."""
        return aws_client("stepfunctions", self.addresses.stepfunctions)

    @staticmethod
    def wait_for(produce: Callable[[], T | None], timeout_seconds: float = WAIT_SECONDS) -> T | None:
        """The first non-empty result of `produce`, polled until `timeout_seconds` (of real time) pass.

        For what the stack does in the background on its own (stream and topic deliveries), never for
        what a clock move does: that is finished when the move returns.
        """
        deadline = time.monotonic() + timeout_seconds
        while True:
            result = produce()
            if result or time.monotonic() >= deadline:
                return result
            time.sleep(POLL_SECONDS)
