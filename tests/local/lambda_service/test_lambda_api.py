"""The Lambda API of `python -m local sfn`, through boto3 and the AWS CLI: functions' life cycle, Invoke's
three invocation types, AWS's errors, concurrent invocations and functions that survive a restart."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from botocore.exceptions import ClientError

from tests.local.lambda_service.lambda_code import ROLE_ARN, create_function, lambda_client, zip_of
from tests.local.sfn_api.sfn_process import SfnProcess

AWS_CLI = shutil.which("aws")
EVENT_DEADLINE_SECONDS = 30

ECHO = """
import os

def handler(event, context):
    return {"event": event, "version": "one", "colour": os.environ.get("COLOUR")}
"""


class Endpoint(NamedTuple):
    url: str
    lambdas: Any


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Endpoint]:
    work = tmp_path_factory.mktemp("lambda-api")
    server = SfnProcess(log_path=work / "sfn.log")
    url = server.start()
    try:
        yield Endpoint(url, lambda_client(url))
    finally:
        server.stop()


def invoke(lambdas: Any, name: str, event: Any, **options: Any) -> tuple[dict[str, Any], Any]:
    """(response, decoded payload) of a RequestResponse Invoke."""
    response = lambdas.invoke(FunctionName=name, Payload=json.dumps(event).encode(), **options)
    body = response["Payload"].read()
    return response, json.loads(body) if body else None


def error_code(call: Any) -> str:
    with pytest.raises(ClientError) as raised:
        call()
    code: str = raised.value.response["Error"]["Code"]
    return code


def test_a_function_is_created_read_changed_invoked_and_deleted_with_boto3(endpoint: Endpoint) -> None:
    lambdas = endpoint.lambdas
    # Given a function created from a zip built in memory
    name = create_function(lambdas, ECHO, Environment={"Variables": {"COLOUR": "red"}}, MemorySize=256)

    # When it is read, listed, invoked, given new code and settings, invoked again and deleted
    configuration = lambdas.get_function_configuration(FunctionName=name)
    function = lambdas.get_function(FunctionName=name)
    listed = [item["FunctionName"] for item in lambdas.list_functions()["Functions"]]
    _, first = invoke(lambdas, name, {"n": 1})
    lambdas.update_function_code(
        FunctionName=name, ZipFile=zip_of({"handler.py": ECHO.replace('"one"', '"two"')})
    )
    lambdas.update_function_configuration(FunctionName=name, Environment={"Variables": {"COLOUR": "blue"}})
    _, second = invoke(lambdas, configuration["FunctionArn"], {"n": 2})
    lambdas.delete_function(FunctionName=name)

    # Then each call shows what Lambda shows, later invocations run the new code and settings,
    # and the function is gone
    assert configuration["FunctionArn"] == f"arn:aws:lambda:us-east-1:123456789012:function:{name}"
    assert (configuration["Runtime"], configuration["Handler"], configuration["Role"]) == (
        "python3.12",
        "handler.handler",
        ROLE_ARN,
    )
    assert (configuration["MemorySize"], configuration["Timeout"], configuration["State"]) == (
        256,
        3,
        "Active",
    )
    assert function["Configuration"]["CodeSha256"] == configuration["CodeSha256"]
    assert name in listed
    assert first == {"event": {"n": 1}, "version": "one", "colour": "red"}
    assert second == {"event": {"n": 2}, "version": "two", "colour": "blue"}
    assert error_code(lambda: lambdas.get_function(FunctionName=name)) == "ResourceNotFoundException"


def test_a_function_error_comes_back_as_aws_reports_it(endpoint: Endpoint) -> None:
    # Given a function that raises
    name = create_function(
        endpoint.lambdas,
        """
        def handler(event, context):
            raise KeyError("missing")
        """,
    )

    # When it is invoked
    response, payload = invoke(endpoint.lambdas, name, {})

    # Then the call succeeds with FunctionError Unhandled and the runtime's error document
    assert response["StatusCode"] == 200
    assert response["FunctionError"] == "Unhandled"
    assert payload["errorType"] == "KeyError"
    assert payload["errorMessage"] == "'missing'"
    assert payload["stackTrace"] == [
        '  File "/var/task/handler.py", line 3, in handler\n    raise KeyError("missing")\n'
    ]


def test_event_invocations_run_in_the_background_and_dry_runs_run_nothing(
    endpoint: Endpoint, tmp_path: Path
) -> None:
    # Given a function that writes its event to the file the event names
    name = create_function(
        endpoint.lambdas,
        """
        import json

        def handler(event, context):
            with open(event["path"], "a") as out:
                out.write(json.dumps(event) + "\\n")
        """,
    )
    path = tmp_path / "events.jsonl"

    # When it is invoked asynchronously, and as a dry run
    queued = endpoint.lambdas.invoke(
        FunctionName=name, InvocationType="Event", Payload=json.dumps({"path": str(path), "n": 1}).encode()
    )
    dry = endpoint.lambdas.invoke(
        FunctionName=name, InvocationType="DryRun", Payload=json.dumps({"path": str(path), "n": 2}).encode()
    )
    deadline = time.monotonic() + EVENT_DEADLINE_SECONDS
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.02)

    # Then the Event call was accepted at once and ran; the dry run only checked the function exists
    assert queued["StatusCode"] == 202
    assert dry["StatusCode"] == 204
    time.sleep(0.2)
    assert [json.loads(line)["n"] for line in path.read_text().splitlines()] == [1]


def test_concurrent_invocations_run_in_separate_worker_processes(endpoint: Endpoint) -> None:
    # Given a function that takes half a second and answers with its process id
    name = create_function(
        endpoint.lambdas,
        """
        import os, time

        def handler(event, context):
            time.sleep(0.5)
            return os.getpid()
        """,
    )

    clients = [lambda_client(endpoint.url) for _ in range(4)]  # creating clients is not thread-safe

    # When four invocations arrive at once
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=4) as pool:
        pids = list(pool.map(lambda client: invoke(client, name, {})[1], clients))
    elapsed = time.monotonic() - started

    # Then each ran in a process of its own, side by side
    assert len(set(pids)) == 4
    assert elapsed < 4 * 0.5


def test_the_api_refuses_what_lambda_refuses(endpoint: Endpoint) -> None:
    lambdas = endpoint.lambdas
    # Given one existing function
    name = create_function(lambdas, ECHO)

    # When it is created again, a Node.js function is created, a missing function is invoked,
    # and a bad zip is uploaded
    codes = [
        error_code(
            lambda: lambdas.create_function(
                FunctionName=name,
                Runtime="python3.12",
                Role=ROLE_ARN,
                Handler="handler.handler",
                Code={"ZipFile": zip_of({"handler.py": ECHO})},
            )
        ),
        error_code(
            lambda: lambdas.create_function(
                FunctionName="node-fn",
                Runtime="nodejs20.x",
                Role=ROLE_ARN,
                Handler="index.handler",
                Code={"ZipFile": zip_of({"index.js": "exports.handler = async () => 1"})},
            )
        ),
        error_code(lambda: lambdas.invoke(FunctionName="no-such-function", Payload=b"{}")),
        error_code(lambda: lambdas.update_function_code(FunctionName=name, ZipFile=b"not a zip")),
    ]

    # Then each error has AWS's name
    assert codes == [
        "ResourceConflictException",
        "InvalidParameterValueException",
        "ResourceNotFoundException",
        "InvalidParameterValueException",
    ]


@pytest.mark.skipif(AWS_CLI is None, reason="the AWS CLI is not installed")
def test_the_aws_cli_lists_and_invokes_functions(endpoint: Endpoint, tmp_path: Path) -> None:
    assert AWS_CLI is not None
    # Given a function created through boto3
    name = create_function(endpoint.lambdas, ECHO)
    common = ["--endpoint-url", endpoint.url, "--region", "us-east-1", "--output", "json"]

    # When the AWS CLI lists the functions and invokes this one
    listed = subprocess.run(
        [AWS_CLI, "lambda", "list-functions", *common],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    answer = tmp_path / "answer.json"
    invoked = subprocess.run(
        [
            AWS_CLI,
            "lambda",
            "invoke",
            "--function-name",
            name,
            "--payload",
            '{"via": "cli"}',
            str(answer),
            *common,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    # Then the list shows it and the invocation wrote the function's answer
    assert listed.returncode == 0, listed.stderr
    assert name in [function["FunctionName"] for function in json.loads(listed.stdout)["Functions"]]
    assert invoked.returncode == 0, invoked.stderr
    assert json.loads(answer.read_text())["event"] == {"via": "cli"}


def test_functions_created_through_the_api_survive_a_restart_with_a_state_dir(tmp_path: Path) -> None:
    # Given a server with a state directory and a function created through its API
    state = ("--state-dir", str(tmp_path / "state"))
    first = SfnProcess(*state, log_path=tmp_path / "first.log")
    name = create_function(lambda_client(first.start()), ECHO, Environment={"Variables": {"COLOUR": "green"}})

    # When the server is killed and started again on the same directory
    first.kill()
    with SfnProcess(*state, log_path=tmp_path / "second.log") as second:
        lambdas = lambda_client(second.endpoint_url)
        configuration = lambdas.get_function_configuration(FunctionName=name)
        _, answer = invoke(lambdas, name, {"after": "restart"})

    # Then the function is still there, with its settings and code
    assert configuration["Environment"]["Variables"] == {"COLOUR": "green"}
    assert answer == {"event": {"after": "restart"}, "version": "one", "colour": "green"}
