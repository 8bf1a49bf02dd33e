"""In-process Lambda handlers (context object, result wrapping, error mapping) and MockConfigFile."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from local.engine import ApiError, Engine, MemoryStore, SkipClock
from local.engine.mock_config import MockConfig, MockConfigError, MockedResponse

from .conftest import START, Starter, history_types, output_of


class PaymentDeclined(Exception):
    """A business error raised by a handler."""


def _invoke_machine(function: str = "charge") -> dict[str, Any]:
    return {
        "StartAt": "Charge",
        "States": {
            "Charge": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": function, "Payload.$": "$"},
                "End": True,
            }
        },
    }


def test_lambda_invoke_wraps_the_payload_like_aws(skip_engine: Engine, start: Starter) -> None:
    # Given a handler that reports what its context object says
    def handler(event: Any, context: Any) -> Any:
        return {
            "amount": event["amount"],
            "name": context.function_name,
            "arn": context.invoked_function_arn,
            "memory": context.memory_limit_in_mb,
            "has_time_left": context.get_remaining_time_in_millis() > 0,
            "log_group": context.log_group_name,
            "request_id_length": len(context.aws_request_id),
        }

    skip_engine.register_lambda("charge", handler)
    arn = start(skip_engine, _invoke_machine(), {"amount": 12})
    skip_engine.run_until_idle()
    # Then the output is the Invoke response with the handler result as Payload
    output = output_of(skip_engine, arn)
    assert output["StatusCode"] == 200
    assert output["ExecutedVersion"] == "$LATEST"
    assert output["SdkHttpMetadata"]["HttpStatusCode"] == 200
    assert output["Payload"] == {
        "amount": 12,
        "name": "charge",
        "arn": "arn:aws:lambda:us-east-1:123456789012:function:charge",
        "memory": 128,
        "has_time_left": True,
        "log_group": "/aws/lambda/charge",
        "request_id_length": 36,
    }


def test_handler_exception_becomes_the_aws_error_document(skip_engine: Engine, start: Starter) -> None:
    # Given a handler that raises a named exception
    def handler(event: Any, context: Any) -> Any:
        raise PaymentDeclined("card expired")

    skip_engine.register_lambda("arn:aws:lambda:us-east-1:123456789012:function:charge", handler)
    arn = start(skip_engine, _invoke_machine(), {"amount": 12})
    skip_engine.run_until_idle()
    # Then error = exception class name, cause = the Lambda runtime's JSON error document
    described = skip_engine.describe_execution(arn)
    assert described["error"] == "PaymentDeclined"
    cause = json.loads(described["cause"])
    assert cause["errorMessage"] == "card expired"
    assert cause["errorType"] == "PaymentDeclined"
    assert len(cause["requestId"]) == 36
    assert any("raise PaymentDeclined" in line for line in cause["stackTrace"])
    assert history_types(skip_engine, arn)[-2:] == ["TaskFailed", "ExecutionFailed"]


def test_unknown_function_is_a_resource_not_found_error(skip_engine: Engine, start: Starter) -> None:
    # Given no handler for the function; When invoked; Then Lambda.ResourceNotFoundException
    arn = start(skip_engine, _invoke_machine("missing"), {})
    skip_engine.run_until_idle()
    described = skip_engine.describe_execution(arn)
    assert described["error"] == "Lambda.ResourceNotFoundException"
    assert "Function not found: arn:aws:lambda:us-east-1:123456789012:function:missing" in described["cause"]


MOCKS = {
    "StateMachines": {
        "Orders": {
            "TestCases": {
                "HappyPath": {"Charge": "ChargeOk"},
                "RetryPath": {"Charge": "ChargeFlaky"},
            }
        }
    },
    "MockedResponses": {
        "ChargeOk": {"0": {"Return": {"StatusCode": 200, "Payload": {"charged": True}}}},
        "ChargeFlaky": {
            "0": {"Throw": {"Error": "Lambda.TooManyRequestsException", "Cause": "slow down"}},
            "1-2": {"Throw": {"Error": "Lambda.TooManyRequestsException", "Cause": "still slow"}},
            "3": {"Return": {"StatusCode": 200, "Payload": {"charged": "late"}}},
        },
    },
}
ORDERS = {
    "StartAt": "Charge",
    "States": {
        "Charge": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "charge", "Payload.$": "$"},
            "Retry": [
                {"ErrorEquals": ["Lambda.TooManyRequestsException"], "MaxAttempts": 5, "IntervalSeconds": 1}
            ],
            "OutputPath": "$.Payload",
            "End": True,
        }
    },
}


@pytest.mark.parametrize(
    ("test_case", "expected", "attempts"), [("HappyPath", True, 1), ("RetryPath", "late", 4)]
)
def test_mock_config_answers_per_test_case_and_attempt(
    tmp_path: Path, test_case: str, expected: Any, attempts: int
) -> None:
    # Given a MockConfigFile on disk and no handler registered
    config = tmp_path / "mocks.json"
    config.write_text(json.dumps(MOCKS))
    engine = Engine(clock=SkipClock(start=START), store=MemoryStore(), mock_config=str(config))
    machine = engine.create_state_machine(
        name="Orders", definition=json.dumps(ORDERS), role_arn="arn:aws:iam::123456789012:role/sfn"
    )
    # When an execution is started on "<arn>#<test case>"
    arn = engine.start_execution(f"{machine['stateMachineArn']}#{test_case}", input="{}")["executionArn"]
    engine.run_until_idle()
    # Then the mocked responses were used attempt by attempt
    assert output_of(engine, arn) == {"charged": expected}
    assert history_types(engine, arn).count("TaskScheduled") == attempts


def test_mock_config_from_environment_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given SFN_MOCK_CONFIG pointing to a file
    config = tmp_path / "mocks.json"
    config.write_text(json.dumps(MOCKS))
    monkeypatch.setenv("SFN_MOCK_CONFIG", str(config))
    engine = Engine(clock=SkipClock(start=START), store=MemoryStore())
    machine = engine.create_state_machine(
        name="Orders", definition=json.dumps(ORDERS), role_arn="arn:aws:iam::123456789012:role/sfn"
    )
    # When started with a test case; Then the mock answers
    arn = engine.start_execution(f"{machine['stateMachineArn']}#HappyPath", input="{}")["executionArn"]
    engine.run_until_idle()
    assert output_of(engine, arn) == {"charged": True}
    # And an unknown test case is rejected
    with pytest.raises(ApiError) as raised:
        engine.start_execution(f"{machine['stateMachineArn']}#Nope", input="{}")
    assert raised.value.code == "ValidationException"


def test_attempt_keys_choose_the_response_and_past_the_last_the_last_repeats() -> None:
    # Given a mocked response whose attempt keys are written out of order
    config = MockConfig(
        {
            "StateMachines": {"Orders": {"TestCases": {"Flaky": {"Charge": "ChargeFlaky"}}}},
            "MockedResponses": {
                "ChargeFlaky": {
                    "3": {"Return": {"charged": "late"}},
                    "0": {"Throw": {"Error": "Slow", "Cause": "first"}},
                    "1-2": {"Throw": {"Error": "Slow", "Cause": "again"}},
                }
            },
        }
    )
    # When the state is invoked six times
    answers = [config.response("Orders", "Flaky", "Charge", attempt) for attempt in range(6)]
    # Then each attempt gets the response its key covers, and the last one repeats
    first, again = MockedResponse(error="Slow", cause="first"), MockedResponse(error="Slow", cause="again")
    late = MockedResponse(returns={"charged": "late"})
    assert answers == [first, again, again, late, late, late]
    assert config.response("Orders", "Flaky", "Refund", 0) is None


def _mocks_with_attempts(attempts: Any) -> dict[str, Any]:
    return {
        "StateMachines": {"Orders": {"TestCases": {"HappyPath": {"Charge": "ChargeOk"}}}},
        "MockedResponses": {"ChargeOk": attempts},
    }


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ({"MockedResponse": {}}, "MockedResponse: unknown field"),
        (_mocks_with_attempts({"a": {"Return": 1}}), "MockedResponses.ChargeOk: attempt key 'a' is neither"),
        (_mocks_with_attempts({"-1": {"Return": 1}}), "attempt key '-1' is neither"),
        (_mocks_with_attempts({"1-": {"Return": 1}}), "attempt key '1-' is neither"),
        (_mocks_with_attempts({"": {"Return": 1}}), "attempt key '' is neither"),
        (_mocks_with_attempts({"2-1": {"Return": 1}}), "attempt range '2-1' ends before it starts"),
        (_mocks_with_attempts({"0-2": {"Return": 1}, "2": {"Return": 2}}), "attempt 2 is answered twice"),
        (_mocks_with_attempts({}), "MockedResponses.ChargeOk: has no attempts"),
        (_mocks_with_attempts([]), "MockedResponses.ChargeOk: must be a JSON object"),
        (_mocks_with_attempts({"0": {}}), "MockedResponses.ChargeOk.0: needs exactly one of Return or Throw"),
        (_mocks_with_attempts({"0": {"Return": 1, "Throw": {"Error": "E"}}}), "needs exactly one of Return"),
        (_mocks_with_attempts({"0": {"Retrun": 1}}), "MockedResponses.ChargeOk.0.Retrun: unknown field"),
        (
            _mocks_with_attempts({"0": {"Throw": "E"}}),
            "MockedResponses.ChargeOk.0.Throw: must be a JSON object",
        ),
        (_mocks_with_attempts({"0": {"Throw": {"Error": 5}}}), "ChargeOk.0.Throw.Error: must be a string"),
        (
            {"StateMachines": {"Orders": {"TestCases": {"HappyPath": {"Charge": "ChargeOK"}}}}},
            "StateMachines.Orders.TestCases.HappyPath.Charge: names the response 'ChargeOK', which is not in",
        ),
        (
            {"StateMachines": {"Orders": {"TestCases": {"HappyPath": {"Charge": 1}}}}},
            "Charge: must be a string",
        ),
    ],
)
def test_an_invalid_mock_configuration_is_refused_when_the_engine_is_built(
    document: Any, problem: str
) -> None:
    # Given a document that is not a valid MockConfigFile
    # When an engine is built with it
    with pytest.raises(MockConfigError) as raised:
        Engine(clock=SkipClock(start=START), store=MemoryStore(), mock_config=document)
    # Then it is refused at once, naming where the problem is, as the API error Step Functions would give
    assert problem in raised.value.problem
    assert raised.value.code == "ValidationException"


def test_valid_attempt_keys_and_a_null_return_are_accepted() -> None:
    # Given single attempts, a range, and a response that returns null
    document = _mocks_with_attempts(
        {"0": {"Return": None}, "1-2": {"Throw": {"Error": "E"}}, "3": {"Return": 1}}
    )
    # When it is loaded; Then null is an answer, and a Throw may leave out its Cause
    config = MockConfig(document)
    assert config.response("Orders", "HappyPath", "Charge", 0) == MockedResponse(returns=None)
    assert config.response("Orders", "HappyPath", "Charge", 1) == MockedResponse(error="E")


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (None, "cannot read it (No such file or directory)"),
        ("{not json", "not JSON (Expecting property name"),
    ],
)
def test_a_mock_configuration_file_that_cannot_be_read_is_named(
    tmp_path: Path, content: str | None, problem: str
) -> None:
    # Given a path to a missing file, or to a file that is not JSON
    path = tmp_path / "mocks.json"
    if content is not None:
        path.write_text(content)
    # When it is loaded
    with pytest.raises(MockConfigError) as raised:
        MockConfig.load(path)
    # Then the error names the file and says why
    assert raised.value.source == str(path)
    assert raised.value.problem.startswith(problem)


def _slow_task_machine(timeout_seconds: int) -> dict[str, Any]:
    return {
        "StartAt": "Slow",
        "States": {
            "Slow": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:slow",
                "TimeoutSeconds": timeout_seconds,
                "Catch": [{"ErrorEquals": ["States.Timeout"], "Next": "GaveUp"}],
                "End": True,
            },
            "GaveUp": {"Type": "Pass", "End": True},
        },
    }


def test_a_handler_that_returns_after_its_timeout_is_reported_as_timed_out(
    virtual_engine: Engine, start: Starter
) -> None:
    # Given a Task with TimeoutSeconds 5 whose handler takes 10 s of engine time
    def slow(event: Any, context: Any) -> Any:
        virtual_engine.clock.advance(10)  # type: ignore[attr-defined]
        return {"late": True}

    virtual_engine.register_lambda("slow", slow)
    arn = start(virtual_engine, _slow_task_machine(5))
    # When it runs
    virtual_engine.run_until_idle()
    # Then the result is discarded: the task timed out with States.Timeout, which Catch sees
    events = virtual_engine.get_execution_history(arn)["events"]
    timed_out = [e for e in events if e["type"] == "LambdaFunctionTimedOut"]
    assert [e["lambdaFunctionTimedOutEventDetails"]["error"] for e in timed_out] == ["States.Timeout"]
    assert "LambdaFunctionSucceeded" not in history_types(virtual_engine, arn)
    assert output_of(virtual_engine, arn)["Error"] == "States.Timeout"


def test_a_handler_that_returns_within_its_timeout_succeeds(virtual_engine: Engine, start: Starter) -> None:
    # Given the same Task whose handler takes 3 s of its 5
    def quick_enough(event: Any, context: Any) -> Any:
        virtual_engine.clock.advance(3)  # type: ignore[attr-defined]
        return {"late": False}

    virtual_engine.register_lambda("slow", quick_enough)
    arn = start(virtual_engine, _slow_task_machine(5))
    # When it runs; Then its result is the output
    virtual_engine.run_until_idle()
    assert output_of(virtual_engine, arn) == {"late": False}
