"""The optimized Step Functions integration: `arn:aws:states:::states:startExecution`, on this same engine.

The state's parameters are StartExecution's request (`StateMachineArn`, `Input` as an object or a JSON
string, `Name`); the request-response result, and the TaskSubmitted output of `.sync`, is the response as
the Java SDK presents it (`ExecutionArn`, `StartDate` in epoch milliseconds, SDK metadata). What a `.sync`
task waits for is the child's end: its DescribeExecution, shaped here (`describe`), with `Output` a JSON
string (`.sync`) or parsed (`.sync:2`); a child that did not succeed fails the task with States.TaskFailed
and that description as the cause. A waiting parent holds the child's `wait_token`, so the child's end finds
its parent through the store's token table, which survives a restart.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from local.engine.errors import ApiError, StatesError
from local.engine.store import ExecutionRecord

# Starts an execution as StartExecution does (state machine ARN, input, name) and answers its response.
ExecutionStarter = Callable[[str, str | None, str | None], Any]

TASK_FAILED = "States.TaskFailed"
_WAIT_PREFIX = "execution:"
_SDK_NAME = "AWSStepFunctions"


def start_execution(starter: ExecutionStarter, parameters: Any) -> dict[str, Any]:
    """Start the child the parameters describe; raises StatesError named as Step Functions names it."""
    request = parameters if isinstance(parameters, dict) else {}
    state_machine_arn = request.get("StateMachineArn")
    if not isinstance(state_machine_arn, str):
        raise StatesError("States.Runtime", "The field 'StateMachineArn' is required")
    name = request.get("Name")
    try:
        response = starter(
            state_machine_arn, _input_text(request.get("Input")), name if isinstance(name, str) else None
        )
    except ApiError as error:
        raise _failure(error) from error
    started: datetime = response["startDate"]
    return {
        "ExecutionArn": response["executionArn"],
        "SdkHttpMetadata": {"HttpStatusCode": 200},
        "SdkResponseMetadata": {"RequestId": str(uuid.uuid4())},
        "StartDate": _millis(started.timestamp()),
    }


def wait_token(child_arn: str) -> str:
    """The token a `.sync` task waits on: the child's ARN, so that the child's end can find it."""
    return f"{_WAIT_PREFIX}{child_arn}"


def waited_child(token: str) -> str | None:
    """The child execution a `wait_token` names (None for any other token)."""
    return token[len(_WAIT_PREFIX) :] if token.startswith(_WAIT_PREFIX) else None


def describe(record: ExecutionRecord, *, parse_output: bool, redrive_status: str) -> dict[str, Any]:
    """The child's DescribeExecution as a `.sync` task returns it (PascalCase, dates in epoch millis)."""
    described: dict[str, Any] = {
        "ExecutionArn": record.arn,
        "Input": record.input,
        "InputDetails": {"Included": True},
        "Name": record.name,
        "RedriveCount": record.redrive_count,
        "RedriveStatus": redrive_status,
        "StartDate": _millis(record.start_date),
        "StateMachineArn": record.state_machine_arn,
        "Status": record.status,
    }
    if record.output is not None:
        described["Output"] = json.loads(record.output) if parse_output else record.output
        described["OutputDetails"] = {"Included": True}
    if record.stop_date is not None:
        described["StopDate"] = _millis(record.stop_date)
    if record.error is not None:
        described["Error"] = record.error
    if record.cause is not None:
        described["Cause"] = record.cause
    if record.state_machine_version_arn is not None:
        described["StateMachineVersionArn"] = record.state_machine_version_arn
    if record.state_machine_alias_arn is not None:
        described["StateMachineAliasArn"] = record.state_machine_alias_arn
    return described


def _input_text(value: Any) -> str | None:
    """Input as StartExecution takes it: a string is the JSON text itself, anything else is serialised."""
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _failure(error: ApiError) -> StatesError:
    code = error.code
    exception = code if code.endswith("Exception") else f"{code}Exception"
    details = "; ".join(
        (
            f"Service: {_SDK_NAME}",
            "Status Code: 400",
            f"Error Code: {code}",
            f"Request ID: {uuid.uuid4()}",
            "Proxy: null",
        )
    )
    return StatesError(f"StepFunctions.{exception}", f"{error.message} ({details})")


def _millis(epoch_seconds: float) -> int:
    return round(epoch_seconds * 1000)
