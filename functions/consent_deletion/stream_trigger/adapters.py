"""Step Functions behind the ``ExecutionStarter`` interface."""

from __future__ import annotations

from functools import cache

import boto3
from botocore.client import BaseClient
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from functions.consent_deletion.stream_trigger.errors import ExecutionAlreadyExists, ExecutionStartFailed

# Standard retry mode backs off with jitter on throttling; short timeouts keep a stuck call from
# holding a whole stream batch until the function times out.
_CLIENT_CONFIG = Config(retries={"mode": "standard", "max_attempts": 5}, connect_timeout=5, read_timeout=10)


@cache
def stepfunctions_client() -> BaseClient:
    """One Step Functions client per process (endpoint from ``AWS_ENDPOINT_URL_SFN`` when set)."""
    return boto3.client("stepfunctions", config=_CLIENT_CONFIG)


class StepFunctionsExecutionStarter:
    """Starts executions of one state machine."""

    def __init__(self, state_machine_arn: str, client: BaseClient) -> None:
        self._state_machine_arn = state_machine_arn
        self._client = client

    def start(self, name: str, execution_input: str) -> str:
        """Start execution ``name``; raise ``ExecutionAlreadyExists`` with the existing input if taken.

        Step Functions answers a repeated call with the same name and input successfully while
        that execution runs, and with ExecutionAlreadyExists once it has closed or when the
        input differs; the existing input is read back so the caller can tell the two apart.
        """
        try:
            response = self._client.start_execution(
                stateMachineArn=self._state_machine_arn, name=name, input=execution_input
            )
        except self._client.exceptions.ExecutionAlreadyExists:
            execution_arn = self.execution_arn(name)
            raise ExecutionAlreadyExists(execution_arn, self._existing_input(execution_arn)) from None
        except (ClientError, BotoCoreError) as error:
            raise ExecutionStartFailed(f"could not start execution {name}: {error}") from error
        return response["executionArn"]

    def execution_arn(self, name: str) -> str:
        """The ARN an execution called ``name`` of this state machine has."""
        prefix, _, state_machine_name = self._state_machine_arn.rpartition(":stateMachine:")
        return f"{prefix}:execution:{state_machine_name}:{name}"

    def _existing_input(self, execution_arn: str) -> str | None:
        try:
            described = self._client.describe_execution(executionArn=execution_arn)
        except (ClientError, BotoCoreError) as error:
            raise ExecutionStartFailed(f"could not read execution {execution_arn}: {error}") from error
        return described.get("input")
