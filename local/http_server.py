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
idle keep-alive connections dropped after `IDLE_TIMEOUT_SECONDS`, `stop()` that ends open connections
too, and a client that resets its connection logged as one debug line, not a traceback on stderr.

Every server answers malformed requests the same way, in JSON, before `answer()` sees them, and closes
their connection: a method it does not serve 405 with `Allow`; a malformed or contradictory Content-Length,
a malformed chunk or a body that ends early 400; a body announced or sent larger than `max_body_bytes` 413,
unread (before "100 Continue" when the client waits for one); a body that does not arrive within
`BODY_TIMEOUT_SECONDS` 408; a transfer coding other than chunked 501. Chunked bodies are decoded.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import socket
import sys
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from collections.abc import Iterable

logger = logging.getLogger(__name__)

LISTEN_BACKLOG = 1024
IDLE_TIMEOUT_SECONDS = 30.0
BODY_TIMEOUT_SECONDS = 5.0
MAX_BODY_BYTES = 10 * 1024 * 1024
"""API Gateway's payload limit, and above the largest request the Step Functions API accepts (a 1 MiB
definition is at most 3 MiB once escaped inside a JSON request)."""
LINGER_SECONDS = 2.0
POLL_INTERVAL_SECONDS = 0.05  # how soon `stop()` is noticed
_BODY_CHUNK_BYTES = 64 * 1024
_FRAMING_HEADERS = frozenset({"content-length", "connection", "transfer-encoding"})
_MAX_CHUNK_LINE_BYTES = 4096
_HEX_DIGITS = frozenset(b"0123456789abcdefABCDEF")
_CHUNKED = "chunked"


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

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that resets or drops its connection is routine: one debug line. Anything else is our
        defect, logged with its traceback (socketserver's default prints it to stderr instead)."""
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)):
            logger.debug("connection from %s ended: %s", client_address, error)
        else:
            logger.error("request from %s failed", client_address, exc_info=error)

    def _close_connections(self) -> None:
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):  # already closed by the peer
                connection.shutdown(socket.SHUT_RDWR)


def error_code(status: HTTPStatus) -> str:
    """The name an error answer gives a status, e.g. "MethodNotAllowed": its phrase without spaces, except
    for 413, whose phrase changed in Python 3.13 ("Content Too Large")."""
    if status == HTTPStatus.REQUEST_ENTITY_TOO_LARGE:
        return "RequestEntityTooLarge"
    return "".join(status.phrase.replace("-", " ").split())


class _RefusedError(Exception):
    """A request answered with an HTTP error before it reaches `answer()`."""

    def __init__(self, status: HTTPStatus, message: str, headers: Iterable[tuple[str, str]] = ()) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = tuple(headers)


class _ClientGoneError(Exception):
    """The client reset the connection while sending its body: nobody is left to answer."""


class LocalRequestHandler(BaseHTTPRequestHandler):
    """Reads each request's body, hands it to `answer()`, and writes answers in one piece.

    A subclass implements `answer(body)`, which calls `send_answer` once, or sets `close_connection`
    and returns to drop the connection unanswered.
    """

    protocol_version = "HTTP/1.1"  # keep-alive: boto3 and urllib3 reuse connections
    timeout = IDLE_TIMEOUT_SECONDS  # an idle keep-alive connection is dropped after this
    disable_nagle_algorithm = True  # TCP_NODELAY on the accepted socket
    body_timeout_seconds = BODY_TIMEOUT_SECONDS  # a body must arrive within this, all of it
    max_body_bytes = MAX_BODY_BYTES
    """A longer body is refused with 413, unread."""
    allowed_methods: tuple[str, ...] = ("GET", "POST", "PUT", "PATCH", "DELETE")
    """The methods this server serves (each needs its `do_` method); any other is answered 405."""

    _framing: int | str | None = None  # the body's Content-Length or _CHUNKED, once the request is accepted

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
            self.wfile.write(head if self.command == "HEAD" else head + body)
        except ConnectionError:  # the client gave up waiting: nobody is left to answer
            self.close_connection = True

    def send_json(self, status: int, document: object, headers: Iterable[tuple[str, str]] = ()) -> None:
        """`send_answer` with a JSON body."""
        self.send_answer(
            status, [("Content-Type", "application/json"), *headers], json.dumps(document).encode()
        )

    def send_error_answer(
        self, status: HTTPStatus, message: str, headers: Iterable[tuple[str, str]] = ()
    ) -> None:
        """Answer a request refused at the HTTP level: `{"error": error_code(status), "message": message}`.

        A server whose API has its own error shape overrides this.
        """
        self.send_json(status, {"error": error_code(status), "message": message}, headers)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's own refusals (a malformed request line, headers too large, ...): JSON, not HTML."""
        status = HTTPStatus(code)
        text = message or status.phrase
        self._refuse(_RefusedError(status, f"{text}: {explain}" if explain else text))

    def parse_request(self) -> bool:
        self._framing = None
        return super().parse_request() and self._accept()

    def handle_expect_100(self) -> bool:
        # A request refused on its headers gets its answer instead of "100 Continue": no body is sent.
        return self._accept() and super().handle_expect_100()

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s %s", self.address_string(), format % args)

    def _accept(self) -> bool:
        """Check the method and the body's framing (once per request); False when refused and answered."""
        if self._framing is not None:
            return True
        try:
            if self.command not in self.allowed_methods:
                allowed = ", ".join(self.allowed_methods)
                raise _RefusedError(
                    HTTPStatus.METHOD_NOT_ALLOWED,
                    f"{self.command} is not served here; use {allowed}",
                    [("Allow", allowed)],
                )
            self._framing = self._body_framing()
        except _RefusedError as refusal:
            self._refuse(refusal)
            return False
        return True

    def _body_framing(self) -> int | str:
        """The announced Content-Length, or _CHUNKED; raises _RefusedError for framing it refuses."""
        codings = [
            coding.strip().lower()
            for value in self.headers.get_all("Transfer-Encoding", [])
            for coding in value.split(",")
        ]
        lengths = self.headers.get_all("Content-Length", [])
        if codings:
            if lengths:  # which one frames the body? Two readers may disagree (request smuggling)
                raise _RefusedError(
                    HTTPStatus.BAD_REQUEST, "Send either Transfer-Encoding or Content-Length, not both"
                )
            if codings != [_CHUNKED]:
                raise _RefusedError(
                    HTTPStatus.NOT_IMPLEMENTED,
                    f"Transfer-Encoding {', '.join(codings)!r} is not supported; only chunked is",
                )
            return _CHUNKED
        values = {value.strip() for header in lengths for value in header.split(",")}
        if not values:
            return 0
        text = values.pop()
        if values or not (text.isascii() and text.isdigit()):
            raise _RefusedError(
                HTTPStatus.BAD_REQUEST,
                f"Invalid Content-Length {', '.join(lengths)!r}: it must be one number of bytes, 0 or more",
            )
        length = int(text)
        if length > self.max_body_bytes:
            raise self._too_large(f"announces {length} bytes")
        return length

    def _too_large(self, what: str) -> _RefusedError:
        return _RefusedError(
            HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
            f"The request body {what}; at most {self.max_body_bytes} bytes are accepted",
        )

    def _serve(self) -> None:
        try:
            body = self._read_body()
        except _RefusedError as refusal:
            self._refuse(refusal)
            return
        except _ClientGoneError:
            self.close_connection = True
            return
        self.answer(body)

    def _refuse(self, refusal: _RefusedError) -> None:
        """Answer with the error and close: what is left of the request on the connection cannot be
        told apart from the next one."""
        self.close_connection = True
        self.send_error_answer(refusal.status, refusal.message, refusal.headers)
        self._discard_unread_input()

    def _discard_unread_input(self) -> None:
        """Read and drop what the client still sends, for at most LINGER_SECONDS, before the connection
        closes: closing a socket with unread input resets the connection, and the reset can destroy the
        answer before the client has read it."""
        deadline = time.monotonic() + LINGER_SECONDS
        with contextlib.suppress(OSError, ValueError):  # the client is gone, or its reads timed out before
            self.connection.shutdown(socket.SHUT_WR)  # the answer is complete; the client sees its end
            while (remaining := deadline - time.monotonic()) > 0:
                self.connection.settimeout(remaining)
                if not self.rfile.read1(_BODY_CHUNK_BYTES):
                    return

    def _read_body(self) -> bytes:
        """The body, as its framing says, read in chunks so that memory follows what arrives, all of it
        within `body_timeout_seconds`.

        Raises _RefusedError for a body that is late (408), too large (413) or malformed or cut short (400),
        _ClientGoneError when the client resets the connection.
        """
        framing = self._framing
        deadline = time.monotonic() + self.body_timeout_seconds
        try:
            if framing == _CHUNKED:
                return self._read_chunked(deadline)
            return self._read_exactly(int(framing or 0), deadline)
        except TimeoutError:
            message = f"The request body did not arrive within {self.body_timeout_seconds:g} s"
            raise _RefusedError(HTTPStatus.REQUEST_TIMEOUT, message) from None
        except ConnectionError:
            raise _ClientGoneError from None
        finally:
            with contextlib.suppress(OSError):
                self.connection.settimeout(self.timeout)

    def _read_exactly(self, length: int, deadline: float) -> bytes:
        chunks: list[bytes] = []
        received = 0
        while received < length:
            self._wait_for_input(deadline)
            chunk = self.rfile.read1(min(_BODY_CHUNK_BYTES, length - received))
            if not chunk:
                raise _RefusedError(
                    HTTPStatus.BAD_REQUEST,
                    f"The request body ended after {received} of the {length} bytes announced",
                )
            chunks.append(chunk)
            received += len(chunk)
        return b"".join(chunks)

    def _read_chunked(self, deadline: float) -> bytes:
        """A chunked body (RFC 9112 section 7.1): sized chunks up to a zero-sized one, then trailer fields,
        which are ignored."""
        chunks: list[bytes] = []
        received = 0
        while size := self._chunk_size(self._read_line(deadline)):
            received += size
            if received > self.max_body_bytes:
                raise self._too_large(f"grows past {self.max_body_bytes} bytes")
            chunks.append(self._read_exactly(size, deadline))
            if self._read_line(deadline):
                raise _RefusedError(HTTPStatus.BAD_REQUEST, "A chunk is longer than its size line says")
        while self._read_line(deadline):
            pass
        return b"".join(chunks)

    @staticmethod
    def _chunk_size(line: bytes) -> int:
        digits = line.split(b";", 1)[0].strip()  # a chunk extension follows ";"
        if not digits or len(digits) > 16 or not _HEX_DIGITS.issuperset(digits):
            shown = line[:40].decode("latin-1")
            raise _RefusedError(HTTPStatus.BAD_REQUEST, f"Malformed chunk size line {shown!r}")
        return int(digits, 16)

    def _read_line(self, deadline: float) -> bytes:
        """One line of a chunked body, without its line end; every read within the deadline."""
        line = b""
        while True:
            self._wait_for_input(deadline)
            buffered = cast("io.BufferedReader", self.rfile).peek(1)  # one read from the socket at most
            if not buffered:
                raise _RefusedError(HTTPStatus.BAD_REQUEST, "The request body ended inside a chunk")
            end = buffered.find(b"\n")
            line += self.rfile.read(len(buffered) if end < 0 else end + 1)
            if len(line) > _MAX_CHUNK_LINE_BYTES:
                raise _RefusedError(HTTPStatus.BAD_REQUEST, "A chunk size or trailer line is too long")
            if end >= 0:
                return line.rstrip(b"\r\n")

    def _wait_for_input(self, deadline: float) -> None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        self.connection.settimeout(remaining)
