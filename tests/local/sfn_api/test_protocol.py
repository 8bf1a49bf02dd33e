"""The AWS JSON 1.0 mapping on its own: request decoding, response encoding, error mapping."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from local.engine.errors import ApiError
from local.sfn_api.dispatch import ApiDispatcher
from local.sfn_api.protocol import (
    MissingParameterError,
    SerializationError,
    UnknownOperationError,
    decode_request,
    encode_response,
)

TARGET = "AWSStepFunctions."


class RecordingEngine:
    """Stands in for the engine: records calls, answers or raises what the test sets up."""

    def __init__(self, answer: Any = None, error: Exception | None = None) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self._answer = answer
        self._error = error

    def describe_execution(self, execution_arn: str) -> Any:
        return self._record("describe_execution", execution_arn=execution_arn)

    def get_execution_history(self, execution_arn: str, **options: Any) -> Any:
        return self._record("get_execution_history", execution_arn=execution_arn, **options)

    def close(self) -> None:
        raise AssertionError("close must never be reachable through the API")

    def _record(self, name: str, **arguments: Any) -> Any:
        self.calls.append((name, arguments))
        if self._error is not None:
            raise self._error
        return self._answer


def test_decode_maps_operation_and_parameters_to_snake_case() -> None:
    # Given a GetExecutionHistory request as boto3 sends it
    body = json.dumps({"executionArn": "arn:x", "maxResults": 5, "reverseOrder": True}).encode()

    # When it is decoded
    call = decode_request(f"{TARGET}GetExecutionHistory", body)

    # Then the engine method and its keyword arguments are snake_case
    assert call.method_name == "get_execution_history"
    assert call.arguments == {"execution_arn": "arn:x", "max_results": 5, "reverse_order": True}


@pytest.mark.parametrize("target", [None, "Other.StartExecution", f"{TARGET}Close", f"{TARGET}"])
def test_decode_rejects_targets_that_name_no_operation(target: str | None) -> None:
    # Given / When / Then: a target outside the Step Functions model is an unknown operation
    with pytest.raises(UnknownOperationError):
        decode_request(target, b"{}")


def test_decode_reports_missing_required_parameters_like_aws() -> None:
    # Given a StartExecution without its stateMachineArn
    # When it is decoded / Then the message names the member the way AWS does
    with pytest.raises(MissingParameterError, match="Value null at 'stateMachineArn'"):
        decode_request(f"{TARGET}StartExecution", b'{"input": "{}"}')


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"[1, 2]", b'{"executionArn": "a", "maxResults": "ten"}', b'{"executionArn": 7}'],
)
def test_decode_rejects_bodies_of_the_wrong_shape(body: bytes) -> None:
    # Given / When / Then
    with pytest.raises(SerializationError):
        decode_request(f"{TARGET}GetExecutionHistory", body)


def test_encode_sends_timestamps_as_epoch_seconds_and_omits_absent_members() -> None:
    # Given an engine result with a timestamp, a nested timestamp and an absent member
    started = datetime(2026, 1, 1, 0, 0, 1, 500000, tzinfo=UTC)
    result = {"startDate": started, "stopDate": None, "events": [{"timestamp": started, "id": 1}]}

    # When it is encoded
    document = json.loads(encode_response(result))

    # Then
    assert document == {"startDate": 1767225601.5, "events": [{"timestamp": 1767225601.5, "id": 1}]}


def test_dispatch_calls_the_engine_and_answers_200() -> None:
    # Given an engine that describes an execution
    engine = RecordingEngine(answer={"executionArn": "arn:x", "status": "RUNNING"})

    # When DescribeExecution arrives with an AWS-only option the engine does not model
    answer = ApiDispatcher(engine).handle(
        f"{TARGET}DescribeExecution", b'{"executionArn": "arn:x", "includedData": "ALL_DATA"}'
    )

    # Then the engine saw only what it declares, and the caller got its answer
    assert answer.status == 200
    assert json.loads(answer.body) == {"executionArn": "arn:x", "status": "RUNNING"}
    assert engine.calls == [("describe_execution", {"execution_arn": "arn:x"})]


def test_dispatch_passes_every_parameter_to_an_engine_method_taking_keywords() -> None:
    # Given an engine method with **options
    engine = RecordingEngine(answer={"events": []})

    # When
    ApiDispatcher(engine).handle(f"{TARGET}GetExecutionHistory", b'{"executionArn": "a", "nextToken": "t"}')

    # Then
    assert engine.calls == [("get_execution_history", {"execution_arn": "a", "next_token": "t"})]


def test_dispatch_maps_api_errors_to_their_aws_type() -> None:
    # Given an engine that does not know the execution
    engine = RecordingEngine(error=ApiError("ExecutionDoesNotExist", "Execution Does Not Exist: 'arn:x'"))

    # When
    answer = ApiDispatcher(engine).handle(f"{TARGET}DescribeExecution", b'{"executionArn": "arn:x"}')

    # Then
    assert answer.status == 400
    assert json.loads(answer.body) == {
        "__type": "ExecutionDoesNotExist",
        "message": "Execution Does Not Exist: 'arn:x'",
    }


def test_dispatch_answers_500_when_the_engine_breaks() -> None:
    # Given an engine with a bug
    engine = RecordingEngine(error=KeyError("boom"))

    # When
    answer = ApiDispatcher(engine).handle(f"{TARGET}DescribeExecution", b'{"executionArn": "arn:x"}')

    # Then
    assert answer.status == 500
    assert json.loads(answer.body)["__type"] == "InternalFailure"


def test_dispatch_reports_operations_the_engine_does_not_implement() -> None:
    # Given an engine without activities
    engine = RecordingEngine()

    # When a real AWS operation it lacks arrives
    answer = ApiDispatcher(engine).handle(f"{TARGET}CreateActivity", b'{"name": "a"}')

    # Then
    assert answer.status == 400
    assert json.loads(answer.body)["__type"] == "UnknownOperationException"
