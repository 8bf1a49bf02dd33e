"""The HTTP behaviour every local server shares (`local.http_server`): kept-alive connections are reused,
a late body does not hold the server, a burst of connections is accepted. Speed lives in bench/."""

from __future__ import annotations

import http.client
import json
import logging
import socket
import struct
import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from local.engine import Engine
from local.http_server import LocalRequestHandler
from tests.local.sfn_api.local_servers import SERVERS

BODY_TIMEOUT_SECONDS = 2.0
GUARD_SECONDS = 30  # only so that a broken server fails the test instead of hanging it
BURST = 100


@pytest.fixture(params=list(SERVERS))
def served(request: pytest.FixtureRequest, engine: Engine) -> Iterator[tuple[str, str]]:
    """(base URL, a path answering GET with 200) of each local server in turn."""
    with SERVERS[request.param](engine) as served:
        yield served


def _connection(base_url: str) -> http.client.HTTPConnection:
    address = urlsplit(base_url)
    return http.client.HTTPConnection(address.hostname or "", address.port, timeout=GUARD_SECONDS)


def _get(connection: http.client.HTTPConnection, path: str) -> tuple[int, Any]:
    connection.request("GET", path)
    response = connection.getresponse()
    return response.status, json.loads(response.read())


def test_two_requests_on_one_connection_are_both_answered_on_it(served: tuple[str, str]) -> None:
    base_url, path = served
    connection = _connection(base_url)
    try:
        # Given a first request answered
        first = _get(connection, path)
        assert connection.sock is not None
        local_port = connection.sock.getsockname()[1]

        # When a second one goes out on the same connection
        second = _get(connection, path)

        # Then both were answered, over the one socket the first opened
        assert first[0] == second[0] == 200
        assert connection.sock is not None
        assert connection.sock.getsockname()[1] == local_port
    finally:
        connection.close()


def test_a_request_whose_body_never_arrives_is_closed_while_others_are_served(
    endpoint_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(LocalRequestHandler, "body_timeout_seconds", BODY_TIMEOUT_SECONDS)
    address = urlsplit(endpoint_url)
    # Given a client that announces a large body and sends two bytes of it
    with socket.create_connection((address.hostname, address.port), timeout=GUARD_SECONDS) as stalled:
        stalled.sendall(
            b"POST / HTTP/1.1\r\nHost: local\r\nX-Amz-Target: AWSStepFunctions.ListStateMachines\r\n"
            b"Content-Type: application/x-amz-json-1.0\r\nContent-Length: 10000000\r\n\r\n{}"
        )

        # When another client asks meanwhile
        other = _connection(endpoint_url)
        try:
            status, _ = _get(other, "/_local/clock")
        finally:
            other.close()
        stalled.setblocking(False)
        with pytest.raises(BlockingIOError):
            stalled.recv(1)  # still waiting for its body: nothing answered, nothing closed yet
        stalled.setblocking(True)
        stalled.settimeout(GUARD_SECONDS)

        # Then the other is answered, and the stalled one gets a 408 and the end of its connection
        assert status == 200
        received = b""
        while chunk := stalled.recv(65536):
            received += chunk
    assert received.startswith(b"HTTP/1.1 408 ")
    assert b"\r\nConnection: close\r\n" in received


def test_a_burst_of_connections_is_accepted_and_answered(endpoint_url: str) -> None:
    # Given a hundred clients that connect at the same moment
    start_together = threading.Barrier(BURST)
    statuses: list[int] = []
    failures: list[BaseException] = []

    def client() -> None:
        connection = _connection(endpoint_url)
        try:
            start_together.wait()
            statuses.append(_get(connection, "/_local/clock")[0])
        except Exception as error:  # a reset connection is what the test looks for
            failures.append(error)
        finally:
            connection.close()

    # When each sends one request
    threads = [threading.Thread(target=client) for _ in range(BURST)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(GUARD_SECONDS)

    # Then every connection was accepted and answered, none reset
    assert failures == []
    assert statuses == [200] * BURST


def test_a_client_that_resets_its_connection_is_one_debug_line_not_a_traceback(
    endpoint_url: str, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG, logger="local.http_server")
    address = urlsplit(endpoint_url)
    # Given a kept-alive connection whose first request was answered
    with socket.create_connection((address.hostname, address.port), timeout=GUARD_SECONDS) as client:
        client.sendall(b"GET /_local/clock HTTP/1.1\r\nHost: local\r\n\r\n")
        assert client.recv(65536).startswith(b"HTTP/1.1 200 ")

        # When the client resets it (SO_LINGER 0: close sends RST) while the server waits for the next
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    deadline = time.monotonic() + GUARD_SECONDS
    while not _reset_records(caplog) and time.monotonic() < deadline:
        time.sleep(0.01)

    # Then the server noted it in one debug line, printed no traceback, and still answers
    assert [record.levelno for record in _reset_records(caplog)] == [logging.DEBUG]
    assert "Traceback" not in capfd.readouterr().err
    other = _connection(endpoint_url)
    try:
        assert _get(other, "/_local/clock")[0] == 200
    finally:
        other.close()


def _reset_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if "Connection reset" in record.getMessage()]
