"""`python -m local sfn --lambda-endpoint-url URL`: Lambda tasks call the Invoke API at URL (here a tiny
test server speaking it), and its answers and function errors reach the state machine as from AWS."""

from __future__ import annotations

import json
import textwrap
import threading
import urllib.parse
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar, NamedTuple

import pytest

from tests.local.sfn_api.helpers import ROLE_ARN, make_client, wait_for_status
from tests.local.sfn_api.sfn_process import SfnProcess

INVOKE_PREFIX = "/2015-03-31/functions/"


class Received(NamedTuple):
    function: str
    invocation_type: str | None
    event: Any


class _InvokeApi(BaseHTTPRequestHandler):
    """Answers Invoke for `remote-adder` (a result) and `remote-payment` (a function error)."""

    protocol_version = "HTTP/1.1"
    received: ClassVar[list[Received]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        # The name, a full ARN or a partial one, URL-encoded
        function = urllib.parse.unquote(self.path.removeprefix(INVOKE_PREFIX).split("/")[0]).split(":")[-1]
        event = json.loads(body) if body else None
        self.received.append(Received(function, self.headers.get("X-Amz-Invocation-Type"), event))
        if function == "remote-adder":
            self._answer(200, {"sum": event["a"] + event["b"]})
        elif function == "remote-payment":
            error = {"errorMessage": "balance too low", "errorType": "InsufficientFunds", "stackTrace": []}
            self._answer(200, error, {"X-Amz-Function-Error": "Unhandled"})
        else:
            missing = {"Type": "User", "message": f"Function not found: {function}"}
            self._answer(404, missing, {"x-amzn-ErrorType": "ResourceNotFoundException"})

    def _answer(self, status: int, document: Any, headers: dict[str, str] | None = None) -> None:
        body = json.dumps(document).encode()
        self.send_response(status)
        for name, value in {"Content-Type": "application/json", **(headers or {})}.items():
            self.send_header(name, value)
        self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class Endpoint(NamedTuple):
    sfn: Any
    received: list[Received]


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Endpoint]:
    work = tmp_path_factory.mktemp("lambda-endpoint-url")
    code = work / "here"
    code.mkdir()
    (code / "app.py").write_text(textwrap.dedent("def main(event, context):\n    return 'answered here'\n"))
    invoke_api = ThreadingHTTPServer(("127.0.0.1", 0), _InvokeApi)
    threading.Thread(target=invoke_api.serve_forever, daemon=True).start()
    server = SfnProcess(
        "--lambda-endpoint-url",
        f"http://127.0.0.1:{invoke_api.server_address[1]}",
        "--function",
        f"local-fn={code}:app.main",
        log_path=work / "sfn.log",
    )
    try:
        yield Endpoint(make_client(server.start()), _InvokeApi.received)
    finally:
        server.stop()
        invoke_api.shutdown()
        invoke_api.server_close()


def run_task(sfn: Any, function: str, execution_input: Any) -> dict[str, Any]:
    definition = json.dumps(
        {
            "StartAt": "Call",
            "States": {
                "Call": {
                    "Type": "Task",
                    "Resource": f"arn:aws:lambda:us-east-1:123456789012:function:{function}",
                    "End": True,
                }
            },
        }
    )
    machine_arn = sfn.create_state_machine(
        name=f"Remote-{uuid.uuid4().hex[:8]}", definition=definition, roleArn=ROLE_ARN
    )["stateMachineArn"]
    execution_arn = sfn.start_execution(stateMachineArn=machine_arn, input=json.dumps(execution_input))[
        "executionArn"
    ]
    return wait_for_status(sfn, execution_arn)


def test_the_endpoint_receives_the_payload_and_its_answer_is_the_task_output(endpoint: Endpoint) -> None:
    # Given the endpoint's function remote-adder
    # When a state machine calls it
    described = run_task(endpoint.sfn, "remote-adder", {"a": 2, "b": 40})

    # Then the endpoint got a RequestResponse Invoke with the state's input, and its answer is the output
    assert described["status"] == "SUCCEEDED", described
    assert json.loads(described["output"]) == {"sum": 42}
    assert Received("remote-adder", "RequestResponse", {"a": 2, "b": 40}) in endpoint.received


def test_a_function_error_from_the_endpoint_fails_the_task_like_a_local_function(endpoint: Endpoint) -> None:
    # Given the endpoint's function remote-payment, which answers with a function error
    # When a state machine calls it
    described = run_task(endpoint.sfn, "remote-payment", {"amount": 10})

    # Then the errorType is the error and the error document the cause
    assert described["status"] == "FAILED"
    assert described["error"] == "InsufficientFunds"
    assert json.loads(described["cause"]) == {
        "errorMessage": "balance too low",
        "errorType": "InsufficientFunds",
        "stackTrace": [],
    }


def test_a_function_the_endpoint_does_not_know_fails_with_resource_not_found(endpoint: Endpoint) -> None:
    # Given a name neither defined here nor at the endpoint
    # When a state machine calls it
    described = run_task(endpoint.sfn, "nowhere", {})

    # Then the endpoint's 404 is the task's error, in Step Functions' words
    assert described["status"] == "FAILED"
    assert described["error"] == "Lambda.ResourceNotFoundException"
    assert described["cause"].startswith("Function not found: nowhere (Service: AWSLambda; Status Code: 404;")


def test_a_function_defined_here_is_not_sent_to_the_endpoint(endpoint: Endpoint) -> None:
    # Given local-fn, given with --function
    # When a state machine calls it
    described = run_task(endpoint.sfn, "local-fn", {})

    # Then it answered here and the endpoint never heard of it
    assert described["status"] == "SUCCEEDED", described
    assert json.loads(described["output"]) == "answered here"
    assert "local-fn" not in [received.function for received in endpoint.received]
