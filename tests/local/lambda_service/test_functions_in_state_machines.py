"""State machines in a `python -m local sfn` child call functions created through its Lambda API or given
with `--function`: outputs, errors caught by name, retries, timeouts, one set of modules per function."""

from __future__ import annotations

import json
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from tests.local.lambda_service.lambda_code import create_function, lambda_client
from tests.local.sfn_api.helpers import ROLE_ARN, make_client, wait_for_status
from tests.local.sfn_api.sfn_process import SfnProcess

FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:{}"


class Endpoint(NamedTuple):
    sfn: Any
    lambdas: Any


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Endpoint]:
    work = tmp_path_factory.mktemp("functions-in-state-machines")
    code = work / "greeter"
    code.mkdir()
    (code / "greeting.py").write_text(
        textwrap.dedent(
            """
            def greet(event, context):
                return {"greeting": f"hello {event['who']}", "function": context.function_name}
            """
        )
    )
    server = SfnProcess(
        "--clock", "skip", "--function", f"cli-greeter={code}:greeting.greet", log_path=work / "sfn.log"
    )
    endpoint_url = server.start()
    try:
        yield Endpoint(make_client(endpoint_url), lambda_client(endpoint_url))
    finally:
        server.stop()


def run_machine(sfn: Any, states: dict[str, Any], start_at: str, execution_input: Any) -> dict[str, Any]:
    """Create a Standard machine, run it once with `execution_input`, and return the finished description."""
    definition = json.dumps({"StartAt": start_at, "States": states})
    machine_arn = sfn.create_state_machine(
        name=f"Lambda-{uuid.uuid4().hex[:8]}", definition=definition, roleArn=ROLE_ARN
    )["stateMachineArn"]
    execution_arn = sfn.start_execution(stateMachineArn=machine_arn, input=json.dumps(execution_input))[
        "executionArn"
    ]
    return wait_for_status(sfn, execution_arn)


def task(resource: str, **fields: Any) -> dict[str, Any]:
    return {"Type": "Task", "Resource": resource, **fields}


def test_a_function_created_through_the_lambda_api_gives_the_task_its_output(endpoint: Endpoint) -> None:
    # Given a function created with boto3 from a zip built in memory
    name = create_function(
        endpoint.lambdas,
        """
        import os

        def handler(event, context):
            region = os.environ["AWS_REGION"]
            return {"total": sum(event["items"]), "function": context.function_name, "region": region}
        """,
    )

    # When a state machine calls it by ARN, and once more through lambda:invoke by name
    described = run_machine(
        endpoint.sfn,
        {
            "Sum": task(FUNCTION_ARN.format(name), ResultPath="$.sum", Next="SumAgain"),
            "SumAgain": task(
                "arn:aws:states:::lambda:invoke",
                Parameters={"FunctionName": name, "Payload": {"items.$": "$.items"}},
                ResultSelector={"total.$": "$.Payload.total", "status.$": "$.StatusCode"},
                ResultPath="$.again",
                End=True,
            ),
        },
        "Sum",
        {"items": [1, 2, 3]},
    )

    # Then both tasks got the function's result
    assert described["status"] == "SUCCEEDED", described
    output = json.loads(described["output"])
    assert output["sum"] == {"total": 6, "function": name, "region": "us-east-1"}
    assert output["again"] == {"total": 6, "status": 200}


def test_an_exception_is_caught_by_its_error_type_with_the_runtime_error_document(endpoint: Endpoint) -> None:
    # Given a function that raises an exception of its own
    name = create_function(
        endpoint.lambdas,
        """
        class PaymentDeclined(Exception):
            pass

        def handler(event, context):
            raise PaymentDeclined(f"card {event['card']} declined")
        """,
    )

    # When a Task calls it with a Catch on that exception's name
    described = run_machine(
        endpoint.sfn,
        {
            "Charge": task(
                FUNCTION_ARN.format(name),
                Catch=[{"ErrorEquals": ["PaymentDeclined"], "ResultPath": "$.failure", "Next": "Declined"}],
                End=True,
            ),
            "Declined": {"Type": "Pass", "End": True},
        },
        "Charge",
        {"card": "4242"},
    )

    # Then the Catch took it, with the errorType as the error and the runtime's error document as the cause
    assert described["status"] == "SUCCEEDED", described
    failure = json.loads(described["output"])["failure"]
    assert failure["Error"] == "PaymentDeclined"
    cause = json.loads(failure["Cause"])
    assert cause["errorType"] == "PaymentDeclined"
    assert cause["errorMessage"] == "card 4242 declined"
    assert cause["stackTrace"][0].startswith('  File "/var/task/handler.py", line 6, in handler')


def test_a_retry_invokes_the_function_again_until_it_succeeds(endpoint: Endpoint, tmp_path: Path) -> None:
    # Given a function that records each invocation in a file and fails the first two
    name = create_function(
        endpoint.lambdas,
        """
        class NotYet(Exception):
            pass

        def handler(event, context):
            with open(event["log"], "a") as log:
                log.write("called\\n")
            with open(event["log"]) as log:
                calls = len(log.readlines())
            if calls < 3:
                raise NotYet(f"call {calls}")
            return {"calls": calls}
        """,
    )
    log = tmp_path / "calls.log"

    # When a Task with a Retry on that error calls it
    described = run_machine(
        endpoint.sfn,
        {
            "Flaky": task(
                FUNCTION_ARN.format(name),
                Retry=[{"ErrorEquals": ["NotYet"], "IntervalSeconds": 1, "MaxAttempts": 3}],
                End=True,
            )
        },
        "Flaky",
        {"log": str(log)},
    )

    # Then the function ran three times and the third answer is the output
    assert described["status"] == "SUCCEEDED", described
    assert json.loads(described["output"]) == {"calls": 3}
    assert log.read_text().splitlines() == ["called"] * 3


def test_a_function_past_its_timeout_fails_the_task_and_the_engine_keeps_serving(endpoint: Endpoint) -> None:
    # Given a function with a one-second timeout that sleeps for a minute unless told otherwise
    name = create_function(
        endpoint.lambdas,
        """
        import time

        def handler(event, context):
            time.sleep(event["sleep"])
            return {"slept": event["sleep"]}
        """,
        Timeout=1,
    )
    states = {"Sleep": task(FUNCTION_ARN.format(name), End=True)}

    # When a state machine calls it, and then calls it again with a short sleep
    timed_out = run_machine(endpoint.sfn, states, "Sleep", {"sleep": 60})
    afterwards = run_machine(endpoint.sfn, states, "Sleep", {"sleep": 0})

    # Then the first execution failed as on AWS, and the function answered the next one in a new worker
    assert timed_out["status"] == "FAILED"
    assert timed_out["error"] == "Sandbox.Timedout"
    cause = json.loads(timed_out["cause"])
    assert cause["errorType"] == "Sandbox.Timedout"
    assert cause["errorMessage"].endswith("Task timed out after 1.00 seconds")
    assert afterwards["status"] == "SUCCEEDED", afterwards
    assert json.loads(afterwards["output"]) == {"slept": 0}


def test_two_functions_with_the_same_module_name_each_run_their_own_code(endpoint: Endpoint) -> None:
    # Given two functions whose code is a handler.py each, with different answers
    first = create_function(endpoint.lambdas, "def handler(event, context):\n    return 'first'\n")
    second = create_function(endpoint.lambdas, "def handler(event, context):\n    return 'second'\n")

    # When one state machine calls both, one after the other, twice
    states = {
        "First": task(FUNCTION_ARN.format(first), ResultPath="$.first", Next="Second"),
        "Second": task(FUNCTION_ARN.format(second), ResultPath="$.second", Next="FirstAgain"),
        "FirstAgain": task(FUNCTION_ARN.format(first), ResultPath="$.firstAgain", End=True),
    }
    described = run_machine(endpoint.sfn, states, "First", {})

    # Then each answered from its own handler.py
    assert described["status"] == "SUCCEEDED", described
    assert json.loads(described["output"]) == {"first": "first", "second": "second", "firstAgain": "first"}


def test_a_function_given_on_the_command_line_answers_tasks(endpoint: Endpoint) -> None:
    # Given the child started with --function cli-greeter=DIR:greeting.greet

    # When a state machine calls it by name through lambda:invoke
    described = run_machine(
        endpoint.sfn,
        {
            "Greet": task(
                "arn:aws:states:::lambda:invoke",
                Parameters={"FunctionName": "cli-greeter", "Payload.$": "$"},
                OutputPath="$.Payload",
                End=True,
            )
        },
        "Greet",
        {"who": "world"},
    )

    # Then the directory's handler answered, and the Lambda API lists the function
    assert described["status"] == "SUCCEEDED", described
    assert json.loads(described["output"]) == {"greeting": "hello world", "function": "cli-greeter"}
    listed = endpoint.lambdas.list_functions()["Functions"]
    assert "cli-greeter" in [function["FunctionName"] for function in listed]


def test_a_function_that_does_not_exist_fails_the_task_as_before(endpoint: Endpoint) -> None:
    # Given no function named "absent"
    # When a state machine calls it
    described = run_machine(endpoint.sfn, {"Call": task(FUNCTION_ARN.format("absent"), End=True)}, "Call", {})

    # Then the task fails as Step Functions reports a missing function
    assert described["status"] == "FAILED"
    assert described["error"] == "Lambda.ResourceNotFoundException"
    assert described["cause"].startswith(
        f"Function not found: {FUNCTION_ARN.format('absent')} (Service: AWSLambda; Status Code: 404; "
        "Error Code: ResourceNotFoundException;"
    )
