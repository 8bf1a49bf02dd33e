"""The Step Functions endpoint at the edges of its input: definitions nested too deep or too large, deep or
malformed JSON, malformed HTTP framing (Content-Length, chunked bodies, oversized or late bodies) and methods
no server serves. Each is refused with a 4xx in AWS's error shape, creates nothing, and the server keeps
serving. The HTTP-level ones are the shared base's, so they are checked on every local server."""

from __future__ import annotations

import http.client
import json
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
from botocore.exceptions import ClientError

from local.engine import Engine
from local.http_server import LocalRequestHandler
from tests.local.sfn_api.helpers import ROLE_ARN, definition
from tests.local.sfn_api.local_servers import SERVERS

GUARD_SECONDS = 30  # only so that a broken server fails the test instead of hanging it
CLOSE_WAIT_SECONDS = 5  # how long a connection that should close is given to close
SHORT_BODY_TIMEOUT_SECONDS = 1.0
MIB = 1024 * 1024
PASS_MACHINE = definition({"Done": {"Type": "Pass", "End": True}}, "Done")
TARGET = "AWSStepFunctions."


@dataclass(frozen=True)
class RawReply:
    """One answer read off a raw socket, and whether the server closed the connection after it."""

    status: int
    headers: dict[str, str]
    body: bytes
    closed: bool

    def document(self) -> Any:
        return json.loads(self.body)


def _address(base_url: str) -> tuple[str, int]:
    parts = urlsplit(base_url)
    return parts.hostname or "", parts.port or 80


def _request_head(operation: str, *framing: str) -> bytes:
    lines = [
        "POST / HTTP/1.1",
        "Host: local",
        f"X-Amz-Target: {TARGET}{operation}",
        "Content-Type: application/x-amz-json-1.0",
        *framing,
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")  # HTTP's header encoding


def _read_reply(connection: socket.socket, *, expect_close: bool, has_body: bool = True) -> RawReply:
    received = b""
    while b"\r\n\r\n" not in received:
        chunk = connection.recv(65536)
        assert chunk, f"the connection closed without an answer; received {received!r}"
        received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value.strip() for name, value in (line.split(":", 1) for line in header_lines)}
    while has_body and len(body) < int(headers.get("content-length", "0")):
        chunk = connection.recv(65536)
        assert chunk, "the connection closed inside the answer's body"
        body += chunk
    closed = False
    if expect_close:
        connection.settimeout(CLOSE_WAIT_SECONDS)
        try:
            closed = connection.recv(1) == b""
        except TimeoutError:
            closed = False
    return RawReply(int(status_line.split()[1]), headers, body, closed)


def _exchange(
    base_url: str, request: bytes, *, half_close: bool = False, expect_close: bool = True
) -> RawReply:
    """Send `request` as raw bytes on a new connection and read the answer (and the connection's end)."""
    with socket.create_connection(_address(base_url), timeout=GUARD_SECONDS) as connection:
        connection.sendall(request)
        if half_close:
            connection.shutdown(socket.SHUT_WR)
        has_body = not request.startswith(b"HEAD ")
        return _read_reply(connection, expect_close=expect_close, has_body=has_body)


def _assert_refused(reply: RawReply, status: int, code: str, *, aws_shape: bool = True) -> str:
    assert reply.status == status, reply
    assert reply.headers["connection"] == "close"
    assert reply.closed
    document = reply.document()
    assert document["__type" if aws_shape else "error"] == code
    return str(document["message"])


def _chunked(body: bytes, sizes: tuple[int, ...] = (7, 1)) -> bytes:
    """`body` as chunks of the given sizes (the rest in one last chunk), with an extension and a trailer."""
    encoded = b""
    rest = body
    for size in sizes:
        piece, rest = rest[:size], rest[size:]
        encoded += f"{len(piece):x};note=x\r\n".encode() + piece + b"\r\n"
    if rest:
        encoded += f"{len(rest):X}\r\n".encode() + rest + b"\r\n"
    return encoded + b"0\r\nX-Trailer: ignored\r\n\r\n"


def _create_request(name: str, definition_text: str = PASS_MACHINE) -> bytes:
    return json.dumps({"name": name, "roleArn": ROLE_ARN, "definition": definition_text}).encode()


def _machine_names(sfn: Any) -> list[str]:
    return sorted(machine["name"] for machine in sfn.list_state_machines()["stateMachines"])


def _nested_parallel(depth: int) -> str:
    text = PASS_MACHINE
    for _ in range(depth):
        text = (
            '{"StartAt": "Fork", "States": {"Fork": {"Type": "Parallel", "Branches": ['
            + text
            + '], "End": true}}}'
        )
    return text


def _definition_of_size(size: int) -> str:
    """A valid definition of exactly `size` UTF-8 bytes, padded with two-byte characters (and one 'x')."""

    def text(result: str) -> str:
        states = {"Done": {"Type": "Pass", "Result": result, "End": True}}
        return json.dumps({"StartAt": "Done", "States": states}, ensure_ascii=False)

    padding = size - len(text("").encode())
    padded = text("é" * (padding // 2) + "x" * (padding % 2))
    assert len(padded.encode()) == size
    return padded


def _client_error(call: Callable[[], Any]) -> dict[str, Any]:
    with pytest.raises(ClientError) as raised:
        call()
    return {
        "status": raised.value.response["ResponseMetadata"]["HTTPStatusCode"],
        "code": raised.value.response["Error"]["Code"],
        "message": raised.value.response["Error"]["Message"],
    }


@pytest.fixture
def nothing_created(sfn: Any) -> Callable[[], None]:
    """Creates a state machine; the callable it gives asserts that the server still answers and lists that
    machine and no other."""
    sfn.create_state_machine(name="Existing", definition=PASS_MACHINE, roleArn=ROLE_ARN)
    before = _machine_names(sfn)

    def check() -> None:
        assert _machine_names(sfn) == before == ["Existing"]

    return check


# ---------------------------------------------------------------- definitions


def test_a_definition_nested_3000_levels_deep_is_an_invalid_definition(
    sfn: Any, nothing_created: Callable[[], None]
) -> None:
    # Given Parallel states nested 3,000 deep (a RecursionError and a 500 before)
    deep = _nested_parallel(3000)

    # When it is created
    error = _client_error(lambda: sfn.create_state_machine(name="Deep", definition=deep, roleArn=ROLE_ARN))

    # Then it is an InvalidDefinition naming the problem, and nothing was created
    assert error["status"] == 400
    assert error["code"] == "InvalidDefinition"
    assert "nests objects and arrays more than 512 levels deep" in error["message"]
    nothing_created()


def test_validating_a_definition_nested_too_deep_reports_it(sfn: Any) -> None:
    result = sfn.validate_state_machine_definition(definition=_nested_parallel(3000))

    assert result["result"] == "FAIL"
    assert result["diagnostics"][0]["code"] == "INVALID_JSON_DESCRIPTION"
    assert "more than 512 levels deep" in result["diagnostics"][0]["message"]


AWS_DEFINITION_TOO_LONG = (
    "1 validation error detected: Value at 'definition' failed to satisfy constraint: "
    "Member must have length less than or equal to 1048576"
)


def test_a_definition_over_1_mib_is_refused_with_aws_validation_error(
    sfn: Any, nothing_created: Callable[[], None]
) -> None:
    # Given a definition one byte over AWS's 1 MiB limit (accepted before, whatever its size)
    too_large = _definition_of_size(MIB + 1)

    # When it is created
    error = _client_error(
        lambda: sfn.create_state_machine(name="Large", definition=too_large, roleArn=ROLE_ARN)
    )

    # Then AWS's ValidationException, word for word, and nothing was created
    assert error == {"status": 400, "code": "ValidationException", "message": AWS_DEFINITION_TOO_LONG}
    nothing_created()


def test_a_definition_of_exactly_1_mib_is_accepted(sfn: Any) -> None:
    arn = sfn.create_state_machine(name="Largest", definition=_definition_of_size(MIB), roleArn=ROLE_ARN)[
        "stateMachineArn"
    ]

    assert len(sfn.describe_state_machine(stateMachineArn=arn)["definition"].encode()) == MIB


def test_updating_to_a_definition_over_1_mib_is_refused_and_keeps_the_old_one(sfn: Any) -> None:
    # Given a state machine
    arn = sfn.create_state_machine(name="Kept", definition=PASS_MACHINE, roleArn=ROLE_ARN)["stateMachineArn"]

    # When it is updated to a definition over the limit, or one is validated
    update = _client_error(
        lambda: sfn.update_state_machine(stateMachineArn=arn, definition=_definition_of_size(MIB + 1))
    )
    validate = _client_error(
        lambda: sfn.validate_state_machine_definition(definition=_definition_of_size(MIB + 1))
    )

    # Then both are AWS's ValidationException, and the machine keeps its definition
    assert update["code"] == validate["code"] == "ValidationException"
    assert update["message"] == validate["message"] == AWS_DEFINITION_TOO_LONG
    assert sfn.describe_state_machine(stateMachineArn=arn)["definition"] == PASS_MACHINE


# ---------------------------------------------------------------- deep or malformed JSON


def test_an_execution_input_nested_too_deep_is_invalid_execution_input(sfn: Any) -> None:
    # Given a state machine and an input nested 20,000 deep (a RecursionError and a 500 before)
    arn = sfn.create_state_machine(name="Runs", definition=PASS_MACHINE, roleArn=ROLE_ARN)["stateMachineArn"]

    # When an execution is started with it
    error = _client_error(lambda: sfn.start_execution(stateMachineArn=arn, input="[" * 20_000 + "]" * 20_000))

    # Then InvalidExecutionInput, and no execution exists
    assert (error["status"], error["code"]) == (400, "InvalidExecutionInput")
    assert "more than 512 levels deep" in error["message"]
    assert sfn.list_executions(stateMachineArn=arn)["executions"] == []


def test_a_task_output_nested_too_deep_is_invalid_output(sfn: Any) -> None:
    error = _client_error(
        lambda: sfn.send_task_success(taskToken="token", output="[" * 20_000 + "]" * 20_000)
    )

    assert (error["status"], error["code"]) == (400, "InvalidOutput")
    assert "more than 512 levels deep" in error["message"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param(
            b'{"maxResults": ' + b"[" * 20_000 + b"]" * 20_000 + b"}",
            "Request body nests objects and arrays more than 512 levels deep",
            id="nested 20000 deep",
        ),
        pytest.param(
            _create_request("Half\ud800"),  # json.dumps writes the half pair as the escape "\ud800"
            "Request body has a string with an unpaired UTF-16 surrogate escape",
            id="unpaired surrogate",
        ),
    ],
)
def test_a_request_body_that_no_json_reader_can_carry_is_a_serialization_exception(
    endpoint_url: str, nothing_created: Callable[[], None], body: bytes, message: str
) -> None:
    # When the body reaches the API (a 500, and a machine named with half a character, before)
    request = _request_head("CreateStateMachine", f"Content-Length: {len(body)}") + body
    reply = _exchange(endpoint_url, request, expect_close=False)

    # Then a SerializationException, and nothing was created
    assert reply.status == 400
    assert reply.document() == {"__type": "SerializationException", "message": message}
    nothing_created()


# ---------------------------------------------------------------- Content-Length


@pytest.mark.parametrize(
    "framing",
    [
        pytest.param(("Content-Length: abc",), id="not a number"),
        pytest.param(("Content-Length: -5",), id="negative"),
        pytest.param(("Content-Length: +5",), id="signed"),
        pytest.param(("Content-Length: 1_0",), id="underscore"),
        pytest.param(("Content-Length: \u00b2",), id="superscript digit"),
        pytest.param(("Content-Length: ",), id="empty"),
        pytest.param(("Content-Length: 2, 3",), id="two values"),
        pytest.param(("Content-Length: 2", "Content-Length: 3"), id="two headers"),
    ],
)
def test_a_malformed_content_length_is_a_400_and_the_server_keeps_serving(
    endpoint_url: str, nothing_created: Callable[[], None], framing: tuple[str, ...]
) -> None:
    # When a request announces its body with a malformed Content-Length (`abc` closed the connection
    # unanswered, `-5` was a 200 with the body ignored)
    request = _request_head("CreateStateMachine", *framing) + _create_request("Framed")
    reply = _exchange(endpoint_url, request)

    # Then a 400 in AWS's shape naming Content-Length, the connection closed, nothing created
    assert "Content-Length" in _assert_refused(reply, 400, "BadRequest")
    nothing_created()


def test_a_body_shorter_than_its_content_length_never_reaches_the_api(
    endpoint_url: str, nothing_created: Callable[[], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(LocalRequestHandler, "body_timeout_seconds", SHORT_BODY_TIMEOUT_SECONDS)
    # Given a complete, valid CreateStateMachine body announced 10 bytes longer than it is
    body = _create_request("Truncated")
    request = _request_head("CreateStateMachine", f"Content-Length: {len(body) + 10}") + body

    # When it is sent and the client waits, or the client ends its side of the connection
    late = _exchange(endpoint_url, request)
    ended = _exchange(endpoint_url, request, half_close=True)

    # Then a 408 once the body timeout passes, a 400 at once for the ended one, and nothing was created
    _assert_refused(late, 408, "RequestTimeout")
    assert "ended after" in _assert_refused(ended, 400, "BadRequest")
    nothing_created()


# ---------------------------------------------------------------- body size


def test_a_body_announced_over_the_cap_is_refused_413_before_it_is_read(
    endpoint_url: str, nothing_created: Callable[[], None]
) -> None:
    # Given a request announcing a 20 MiB body and sending a few bytes of it
    request = _request_head("CreateStateMachine", f"Content-Length: {20 * MIB}") + b'{"name": '
    started = time.monotonic()

    # When it reaches the server
    reply = _exchange(endpoint_url, request)

    # Then a 413 at once, without waiting for the body, and nothing was created
    assert time.monotonic() - started < LocalRequestHandler.body_timeout_seconds
    assert "at most 10485760 bytes" in _assert_refused(reply, 413, "RequestEntityTooLarge")
    nothing_created()


def test_a_client_sending_a_body_over_the_cap_reads_its_413(endpoint_url: str) -> None:
    # Given an 11 MiB body, sent whole by a client that reads the answer only once it has sent it all
    connection = http.client.HTTPConnection(*_address(endpoint_url), timeout=GUARD_SECONDS)
    try:
        body = b'{"name": "' + b"x" * (11 * MIB) + b'"}'

        # When it is sent
        connection.request("POST", "/", body, {"X-Amz-Target": f"{TARGET}ListStateMachines"})
        response = connection.getresponse()

        # Then the client reads a 413 (the server drained the rest instead of resetting the connection)
        assert response.status == 413
        assert json.loads(response.read())["__type"] == "RequestEntityTooLarge"
    finally:
        connection.close()


def test_a_client_waiting_for_100_continue_gets_its_413_instead(endpoint_url: str) -> None:
    request = _request_head("CreateStateMachine", f"Content-Length: {20 * MIB}", "Expect: 100-continue")

    reply = _exchange(endpoint_url, request)

    _assert_refused(reply, 413, "RequestEntityTooLarge")


# ---------------------------------------------------------------- chunked bodies


def test_a_chunked_body_is_decoded_and_the_connection_kept(endpoint_url: str) -> None:
    # Given a CreateStateMachine body sent in chunks, with an extension and a trailer (a 200 with the body
    # ignored before, and the chunks read as a next request)
    request = _request_head("CreateStateMachine", "Transfer-Encoding: chunked") + _chunked(
        _create_request("Chunked")
    )
    with socket.create_connection(_address(endpoint_url), timeout=GUARD_SECONDS) as connection:
        # When it is sent, and then a second request on the same connection
        connection.sendall(request)
        created = _read_reply(connection, expect_close=False)
        connection.sendall(_request_head("ListStateMachines", "Content-Length: 2") + b"{}")
        listed = _read_reply(connection, expect_close=False)

    # Then the machine was created from the decoded body, and the connection served the next request
    assert created.status == 200
    assert created.document()["stateMachineArn"].endswith(":Chunked")
    assert listed.status == 200
    assert [machine["name"] for machine in listed.document()["stateMachines"]] == ["Chunked"]


_CHUNKED_CREATE = _create_request("BadlyChunked")
_ONE_CHUNK = f"{len(_CHUNKED_CREATE):x}\r\n".encode() + _CHUNKED_CREATE + b"\r\n"


@pytest.mark.parametrize(
    ("framing", "body", "refusal"),
    [
        pytest.param(
            ("Transfer-Encoding: chunked",), b"zz\r\n{}\r\n0\r\n\r\n", (400, "BadRequest"), id="bad size"
        ),
        pytest.param(
            ("Transfer-Encoding: chunked",),
            f"{len(_CHUNKED_CREATE) - 1:x}\r\n".encode() + _CHUNKED_CREATE + b"\r\n0\r\n\r\n",
            (400, "BadRequest"),
            id="chunk longer than its size",
        ),
        pytest.param(("Transfer-Encoding: chunked",), _ONE_CHUNK, (400, "BadRequest"), id="no last chunk"),
        pytest.param(
            ("Transfer-Encoding: chunked", f"Content-Length: {len(_CHUNKED_CREATE)}"),
            _ONE_CHUNK + b"0\r\n\r\n",
            (400, "BadRequest"),
            id="chunked and content-length",
        ),
        pytest.param(
            ("Transfer-Encoding: gzip, chunked",),
            _ONE_CHUNK + b"0\r\n\r\n",
            (501, "NotImplemented"),
            id="gzip",
        ),
    ],
)
def test_a_malformed_or_unsupported_chunked_body_is_refused(
    endpoint_url: str,
    nothing_created: Callable[[], None],
    framing: tuple[str, ...],
    body: bytes,
    refusal: tuple[int, str],
) -> None:
    # When a CreateStateMachine body arrives in malformed or unsupported chunks, and the client ends its side
    reply = _exchange(endpoint_url, _request_head("CreateStateMachine", *framing) + body, half_close=True)

    # Then it is refused, and nothing was created
    _assert_refused(reply, *refusal)
    nothing_created()


def test_a_chunked_body_growing_past_the_cap_is_refused_413(
    endpoint_url: str, nothing_created: Callable[[], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(LocalRequestHandler, "max_body_bytes", 1024)
    body = _create_request(
        "Grown", definition({"Done": {"Type": "Pass", "Result": "x" * 2000, "End": True}}, "Done")
    )

    reply = _exchange(
        endpoint_url,
        _request_head("CreateStateMachine", "Transfer-Encoding: chunked") + _chunked(body, (600, 600)),
    )

    assert "grows past 1024 bytes" in _assert_refused(reply, 413, "RequestEntityTooLarge")
    nothing_created()


# ---------------------------------------------------------------- every local server


@pytest.fixture(params=list(SERVERS))
def each_server(request: pytest.FixtureRequest, engine: Engine) -> Iterator[tuple[str, str, str]]:
    """(name, base URL, a path answering GET with 200) of each local server in turn."""
    with SERVERS[request.param](engine) as (base_url, path):
        yield request.param, base_url, path


@pytest.mark.parametrize("method", ["TRACE", "OPTIONS", "CONNECT", "BREW"])
def test_a_method_no_server_serves_is_a_405_with_allow(
    each_server: tuple[str, str, str], method: str
) -> None:
    name, base_url, path = each_server
    if name == "schedule api" and method == "OPTIONS":
        pytest.skip("API Gateway answers OPTIONS like an unknown route (test_stack_over_http.py)")

    # When a request uses a method the server does not serve (TRACE was a 501 HTML page)
    reply = _exchange(base_url, f"{method} {path} HTTP/1.1\r\nHost: local\r\n\r\n".encode())

    # Then a 405 with a JSON body and the methods it does serve, and the server keeps serving
    message = _assert_refused(reply, 405, "MethodNotAllowed", aws_shape=name == "step functions api")
    assert method in message
    assert "POST" in reply.headers["allow"].split(", ")
    assert _get_status(base_url, path) == 200


def test_a_head_request_gets_a_405_without_a_body(each_server: tuple[str, str, str]) -> None:
    _, base_url, path = each_server

    reply = _exchange(base_url, f"HEAD {path} HTTP/1.1\r\nHost: local\r\n\r\n".encode())

    assert reply.status == 405
    assert int(reply.headers["content-length"]) > 0  # the length a GET-like answer would have had
    assert reply.body == b""
    assert reply.closed


def test_a_malformed_request_line_is_answered_in_json(each_server: tuple[str, str, str]) -> None:
    name, base_url, _ = each_server

    reply = _exchange(base_url, b"GET / HTTP/9.x\r\n\r\n")

    message = _assert_refused(reply, 400, "BadRequest", aws_shape=name == "step functions api")
    assert "Bad request version" in message


CHUNKED_POSTS = {
    "step functions api": ("/_local/clock", {"advanceSeconds": 60}),
    "schedule api": ("/_local/clock", {"advanceSeconds": 60}),
    "fake vendor": ("/_control/api-key", {"apiKey": "rotated"}),
}


def test_every_server_decodes_a_chunked_body(each_server: tuple[str, str, str], engine: Engine) -> None:
    # Given a body its route needs, sent in chunks (the body read as empty before)
    name, base_url, _ = each_server
    path, document = CHUNKED_POSTS[name]
    before = engine.now()
    head = f"POST {path} HTTP/1.1\r\nHost: local\r\nTransfer-Encoding: chunked\r\n\r\n".encode()

    # When it is sent
    with socket.create_connection(_address(base_url), timeout=GUARD_SECONDS) as connection:
        connection.sendall(head + _chunked(json.dumps(document).encode()))
        reply = _read_reply(connection, expect_close=False)

    # Then the route read it whole
    assert reply.status == 200, reply
    if path == "/_local/clock":
        assert (engine.now() - before).total_seconds() == 60


def _get_status(base_url: str, path: str) -> int:
    connection = http.client.HTTPConnection(*_address(base_url), timeout=GUARD_SECONDS)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()
