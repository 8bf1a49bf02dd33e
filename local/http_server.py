"""The HTTP server every local endpoint is built on: the Step Functions API, the Schedule API and the fake
vendor. Each subclasses `LocalHttpServer` and `LocalRequestHandler` and writes only its routes.

    class _Handler(LocalRequestHandler):
        def answer(self, body: bytes) -> None:
            self.send_answer(200, [("Content-Type", "application/json")], b"{}")

    server = LocalHttpServer(("127.0.0.1", 0), _Handler)
    server.serve_in_background("my-api")
    ...
    server.stop()

Why it exists: http.server writes an answer's headers and its body in two small send() calls. With
Nagle's algorithm on, the body waits for the client to acknowledge the headers, and the client delays
that acknowledgement by up to 40 ms, so every answer on a kept-alive connection took ~44 ms. Here every
accepted socket has TCP_NODELAY and an answer leaves in one write.

Besides: HTTP/1.1 keep-alive, a thread per connection, a listen backlog that takes a burst of clients,
idle keep-alive connections dropped after `IDLE_TIMEOUT_SECONDS`, a request whose announced body does
not arrive within `BODY_TIMEOUT_SECONDS` answered 408 and its connection closed, and `stop()` that ends
open connections too.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable

logger = logging.getLogger(__name__)

LISTEN_BACKLOG = 1024
IDLE_TIMEOUT_SECONDS = 30.0
BODY_TIMEOUT_SECONDS = 5.0
POLL_INTERVAL_SECONDS = 0.05  # how soon `stop()` is noticed
_BODY_CHUNK_BYTES = 64 * 1024
_FRAMING_HEADERS = frozenset({"content-length", "connection", "transfer-encoding"})


class LocalHttpServer(ThreadingHTTPServer):
    """A threading HTTP server that knows its open connections, so that `stop()` also ends idle ones."""

    daemon_threads = True
    request_queue_size = LISTEN_BACKLOG

    def __init__(self, address: tuple[str, int], handler_class: type[LocalRequestHandler]) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        super().__init__(address, handler_class)

    @property
    def bound_address(self) -> tuple[str, int]:
        """The bound (host, port); the port is the one picked when 0 was asked for."""
        host, port = self.server_address[:2]
        return str(host), int(port)

    def serve_in_background(self, name: str) -> None:
        """Serve from a daemon thread called `name` until `stop()`."""
        self._thread = threading.Thread(
            target=self.serve_forever, kwargs={"poll_interval": POLL_INTERVAL_SECONDS}, name=name, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop accepting, end open connections (idle keep-alive ones included) and release the port."""
        self.shutdown()
        self._close_connections()
        self.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def get_request(self) -> tuple[socket.socket, Any]:
        connection, client_address = super().get_request()
        with self._connections_lock:
            self._connections.add(connection)
        return connection, client_address

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def _close_connections(self) -> None:
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):  # already closed by the peer
                connection.shutdown(socket.SHUT_RDWR)


class LocalRequestHandler(BaseHTTPRequestHandler):
    """Reads each request's body, hands it to `answer()`, and writes answers in one piece.

    A subclass implements `answer(body)`, which calls `send_answer` once, or sets `close_connection`
    and returns to drop the connection unanswered.
    """

    protocol_version = "HTTP/1.1"  # keep-alive: boto3 and urllib3 reuse connections
    timeout = IDLE_TIMEOUT_SECONDS  # an idle keep-alive connection is dropped after this
    disable_nagle_algorithm = True  # TCP_NODELAY on the accepted socket
    body_timeout_seconds = BODY_TIMEOUT_SECONDS  # a body must arrive within this, all of it
    max_body_bytes: int | None = None
    """Read at most this much of a body; the connection closes after an answer to a longer one."""

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_PATCH(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    @property
    def request_path(self) -> str:
        """The request target without its query string."""
        return self.path.split("?", 1)[0]

    def answer(self, body: bytes) -> None:
        """Route the request in `self.command`, `self.path` and `self.headers`, whose body is `body`,
        and answer it."""
        raise NotImplementedError

    def send_answer(self, status: int, headers: Iterable[tuple[str, str]], body: bytes) -> None:
        """Write status line, headers and body in one write.

        Framing is this method's: Content-Length is computed and Connection headers in `headers` are
        dropped; set `close_connection` before the call to close the connection after the answer.
        """
        self.log_request(status, len(body))
        reason = self.responses.get(status, ("",))[0]
        lines = [
            f"{self.protocol_version} {status} {reason}",
            f"Server: {self.version_string()}",
            f"Date: {self.date_time_string()}",
        ]
        lines += [f"{name}: {value}" for name, value in headers if name.lower() not in _FRAMING_HEADERS]
        lines.append(f"Content-Length: {len(body)}")
        if self.close_connection:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "strict")
        try:
            self.wfile.write(head + body)
        except ConnectionError:  # the client gave up waiting: nobody is left to answer
            self.close_connection = True

    def send_json(self, status: int, document: object, headers: Iterable[tuple[str, str]] = ()) -> None:
        """`send_answer` with a JSON body."""
        self.send_answer(
            status, [("Content-Type", "application/json"), *headers], json.dumps(document).encode()
        )

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s %s", self.address_string(), format % args)

    def _serve(self) -> None:
        try:
            body = self._read_body()
        except ValueError:
            self.close_connection = True
            self.send_json(
                HTTPStatus.BAD_REQUEST, {"error": "BadRequest", "message": "invalid Content-Length"}
            )
            return
        except TimeoutError:
            self.close_connection = True
            message = f"the request body did not arrive within {self.body_timeout_seconds:g} s"
            self.send_json(HTTPStatus.REQUEST_TIMEOUT, {"error": "RequestTimeout", "message": message})
            return
        if body is None:  # the client left halfway through its body
            self.close_connection = True
            return
        self.answer(body)

    def _read_body(self) -> bytes | None:
        """The body Content-Length announces, read in chunks so that memory follows what arrives, all of
        it within `body_timeout_seconds`; None when the client goes away before the end.

        Raises ValueError for a malformed Content-Length, TimeoutError when the body is late.
        """
        length = int(self.headers.get("Content-Length") or 0)
        if length < 0:
            raise ValueError(length)
        wanted = length if self.max_body_bytes is None else min(length, self.max_body_bytes)
        if wanted < length:
            # The rest stays unread, so the connection cannot carry another request.
            self.close_connection = True
        chunks: list[bytes] = []
        received = 0
        deadline = time.monotonic() + self.body_timeout_seconds
        try:
            while received < wanted:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError
                self.connection.settimeout(remaining)
                chunk = self.rfile.read1(min(_BODY_CHUNK_BYTES, wanted - received))
                if not chunk:
                    return None
                chunks.append(chunk)
                received += len(chunk)
        except ConnectionError:
            return None
        finally:
            self.connection.settimeout(self.timeout)
        return b"".join(chunks)
