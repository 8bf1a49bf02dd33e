"""An embeddable HTTP server speaking the Step Functions API (AWS JSON 1.0) plus the clock control endpoint.

    server = SfnApiServer(engine, host="127.0.0.1", port=0)
    host, port = server.start()        # serves in a background thread
    ...
    server.close()

The server does not own the engine: whoever built it starts and closes it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import threading
import uuid
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, ClassVar

from local.sfn_api.clock_control import CLOCK_PATH, ClockControl, ClockControlError, clock_state, move_clock
from local.sfn_api.dispatch import ApiDispatcher, HttpAnswer
from local.sfn_api.protocol import CONTENT_TYPE

if TYPE_CHECKING:
    from collections.abc import Callable

logger = logging.getLogger(__name__)


class _SfnHttpServer(ThreadingHTTPServer):
    """Tracks open connections so that `close()` also ends idle keep-alive connections."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], engine: Any, clock_control: ClockControl) -> None:
        self.clock_control = clock_control
        self.dispatcher = ApiDispatcher(engine)
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _RequestHandler)

    def get_request(self) -> tuple[socket.socket, Any]:
        connection, client_address = super().get_request()
        with self._connections_lock:
            self._connections.add(connection)
        return connection, client_address

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):  # already closed by the peer
                connection.shutdown(socket.SHUT_RDWR)


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: boto3 reuses connections
    server: _SfnHttpServer
    _json_headers: ClassVar[dict[str, str]] = {"Content-Type": "application/json"}

    def do_POST(self) -> None:
        body = self._read_body()
        if self.path.split("?", 1)[0] == CLOCK_PATH:
            self._answer_clock(lambda: move_clock(self.server.clock_control, body))
            return
        answer = self.server.dispatcher.handle(self.headers.get("X-Amz-Target"), body)
        self._send(answer, {"Content-Type": CONTENT_TYPE, "x-amzn-RequestId": str(uuid.uuid4())})

    def do_GET(self) -> None:
        if self.path.split("?", 1)[0] == CLOCK_PATH:
            self._answer_clock(lambda: clock_state(self.server.clock_control))
            return
        message = f"No route for GET {self.path}; the Step Functions API takes POST / with X-Amz-Target"
        self._send_json(HTTPStatus.NOT_FOUND, {"error": "NotFound", "message": message})

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s %s", self.address_string(), format % args)

    def _answer_clock(self, produce: Callable[[], dict[str, str]]) -> None:
        try:
            document = produce()
        except ClockControlError as error:
            self._send_json(HTTPStatus.BAD_REQUEST, {"error": error.code, "message": error.message})
            return
        except Exception as error:  # an engine bug while running due work must still get an answer
            logger.exception("Clock request failed")
            self._send_json(
                HTTPStatus.INTERNAL_SERVER_ERROR,
                {"error": "InternalFailure", "message": f"{type(error).__name__}: {error}"},
            )
            return
        self._send_json(HTTPStatus.OK, document)

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _send_json(self, status: int, document: dict[str, Any]) -> None:
        self._send(HttpAnswer(status, json.dumps(document).encode()), self._json_headers)

    def _send(self, answer: HttpAnswer, headers: dict[str, str]) -> None:
        self.send_response(answer.status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        self.wfile.write(answer.body)


class SfnApiServer:
    """The Step Functions API on one host/port, served from a background thread."""

    def __init__(
        self,
        engine: Any,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        clock_control: ClockControl | None = None,
    ) -> None:
        """`clock_control` is what `/_local/clock` reads and moves; by default the engine itself."""
        self._engine = engine
        self._clock_control = clock_control or engine
        self._requested_address = (host, port)
        self._httpd: _SfnHttpServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> tuple[str, int]:
        """Bind (port 0 picks a free port), serve in a daemon thread, and return the bound (host, port)."""
        if self._httpd is not None:
            raise RuntimeError("server already started")
        self._httpd = _SfnHttpServer(self._requested_address, self._engine, self._clock_control)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.2}, name="sfn-api", daemon=True
        )
        self._thread.start()
        return self.address

    @property
    def address(self) -> tuple[str, int]:
        """The bound (host, port)."""
        if self._httpd is None:
            raise RuntimeError("server not started")
        host, port = self._httpd.server_address[:2]
        return str(host), int(port)

    @property
    def endpoint_url(self) -> str:
        """`http://host:port`, ready for `boto3.client("stepfunctions", endpoint_url=...)`."""
        host, port = self.address
        return f"http://{f'[{host}]' if ':' in host else host}:{port}"

    def close(self) -> None:
        """Stop accepting requests, end open connections and release the port; safe to call twice."""
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.close_connections()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None
        self._thread = None

    def __enter__(self) -> SfnApiServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
