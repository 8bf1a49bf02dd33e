"""Step Functions behind the `ExecutionGateway` interface (boto3).

An endpoint URL (from `AWS_ENDPOINT_URL_STEPFUNCTIONS`, see settings) points the client at the local
Step Functions engine; without one boto3 resolves the endpoint as usual, which includes its own
`AWS_ENDPOINT_URL_SFN` and `AWS_ENDPOINT_URL` variables. The same code talks to AWS, moto or the engine.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from functions.scheduled_requests.front_door.errors import ExecutionNameTaken, ExecutionServiceUnavailable
from functions.scheduled_requests.front_door.executions import ExecutionSnapshot, HistoryEvent

# ExecutionLimitExceeded: the account's open executions are at their quota; it eases as schedules finish.
_RETRYABLE_CODES = frozenset(
    {
        "ThrottlingException",
        "Throttling",
        "TooManyRequestsException",
        "ServiceUnavailable",
        "ExecutionLimitExceeded",
    }
)
_SERVER_ERROR = 500


@lru_cache(maxsize=4)
def stepfunctions_client(endpoint_url: str | None = None) -> Any:
    """The process-wide Step Functions client for `endpoint_url`, built on first use (not at import)."""
    # Standard retry mode backs off on throttling. Step Functions answers these calls in milliseconds,
    # so short timeouts let a stuck call be retried and still answer within the function's timeout.
    config = Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=2, read_timeout=3)
    return boto3.client("stepfunctions", endpoint_url=endpoint_url, config=config)


def execution_arn_prefix(state_machine_arn: str) -> str:
    """`arn:...:execution:<machine>:` for an unqualified `arn:...:stateMachine:<machine>`."""
    head, separator, machine = state_machine_arn.partition(":stateMachine:")
    if not separator or not machine or ":" in machine:
        raise ValueError(f"expected an unqualified state machine ARN, got {state_machine_arn!r}")
    return f"{head}:execution:{machine}:"


class StepFunctionsExecutions:
    """Executions of one state machine, addressed by execution name."""

    def __init__(self, client: Any, state_machine_arn: str) -> None:
        self._client = client
        self._state_machine_arn = state_machine_arn
        self._arn_prefix = execution_arn_prefix(state_machine_arn)

    def start(self, name: str, execution_input: str) -> str:
        """StartExecution; ExecutionAlreadyExists becomes ExecutionNameTaken."""
        try:
            with _unavailable_on_service_trouble():
                response = self._client.start_execution(
                    stateMachineArn=self._state_machine_arn, name=name, input=execution_input
                )
        except ClientError as error:
            if _code(error) == "ExecutionAlreadyExists":
                raise ExecutionNameTaken(name) from error
            raise
        return str(response["executionArn"])

    def describe(self, name: str) -> ExecutionSnapshot | None:
        """DescribeExecution, or None when the execution does not exist."""
        try:
            with _unavailable_on_service_trouble():
                response = self._client.describe_execution(executionArn=self._arn_prefix + name)
        except ClientError as error:
            if _code(error) == "ExecutionDoesNotExist":
                return None
            raise
        return ExecutionSnapshot(
            name=response["name"],
            arn=response["executionArn"],
            status=response["status"],
            input=response.get("input", "{}"),
            output=response.get("output"),
            error=response.get("error"),
            cause=response.get("cause"),
            start_date=_utc(response["startDate"]),
            stop_date=_utc(response["stopDate"]) if response.get("stopDate") else None,
        )

    def history(self, name: str) -> list[HistoryEvent]:
        """GetExecutionHistory, every page, oldest event first."""
        paginator = self._client.get_paginator("get_execution_history")
        events: list[HistoryEvent] = []
        with _unavailable_on_service_trouble():
            for page in paginator.paginate(executionArn=self._arn_prefix + name, includeExecutionData=True):
                events.extend(_history_event(event) for event in page["events"])
        return events

    def stop(self, name: str, *, error: str, cause: str) -> datetime | None:
        """StopExecution; returns the stop time Step Functions recorded (emulators may leave it out)."""
        with _unavailable_on_service_trouble():
            response = self._client.stop_execution(
                executionArn=self._arn_prefix + name, error=error, cause=cause
            )
        stopped_at = response.get("stopDate")
        return _utc(stopped_at) if stopped_at else None


def _history_event(event: dict[str, Any]) -> HistoryEvent:
    entered = event.get("stateEnteredEventDetails") or {}
    return HistoryEvent(
        type=event["type"],
        timestamp=_utc(event["timestamp"]),
        state_name=entered.get("name"),
        state_input=entered.get("input"),
    )


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


@contextmanager
def _unavailable_on_service_trouble() -> Iterator[None]:
    """Throttling, 5xx and connection problems (after boto3's own retries) become a 503 for the client."""
    try:
        yield
    except ClientError as error:
        status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))
        if _code(error) in _RETRYABLE_CODES or status >= _SERVER_ERROR:
            raise ExecutionServiceUnavailable() from error
        raise
    except BotoCoreError as error:
        raise ExecutionServiceUnavailable() from error
