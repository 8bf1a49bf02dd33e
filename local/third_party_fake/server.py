"""The fake vendor served over real HTTP, with control routes for tests and the local stack.

Vendor routes (API key required): ``POST /customers/{customerId}/deletions``,
``GET /operations/{operationId}``. Control routes (no key): ``GET|POST /_control/behaviour``,
``GET /_control/requests``, ``GET /_control/operations``, ``POST /_control/api-key``,
``POST /_control/reset``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, ValidationError

from local.third_party_fake.behaviour import BehaviourUpdate
from local.third_party_fake.vendor import Clock, FakeVendor, Reply

DEFAULT_API_KEY = "local-third-party-api-key"
DEFAULT_API_KEY_HEADER = "x-api-key"
_CONTROL_PREFIX = "/_control/"
_MAX_BODY_BYTES = 64 * 1024


def _utc_now() -> datetime:
    return datetime.now(UTC)


class _ApiKeyChange(BaseModel):
    api_key: str = Field(alias="apiKey", min_length=1)


class _FakeApiHttpServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self, address: tuple[str, int], vendor: FakeVendor, api_key_header: str, stopping: threading.Event
    ) -> None:
        super().__init__(address, _FakeApiRequestHandler)
        self.vendor = vendor
        self.api_key_header = api_key_header
        self.stopping = stopping


class _FakeApiRequestHandler(BaseHTTPRequestHandler):
    # HTTP/1.1 keeps connections alive, as a real vendor would, so the client's pooling is exercised.
    protocol_version = "HTTP/1.1"
    server_version = "FakeThirdPartyApi/1.0"
    # Idle keep-alive connections are dropped after this, so no thread waits for ever.
    timeout = 30
    # Headers and body go out in separate writes; with Nagle on, delayed ACKs add ~40 ms to each answer.
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def log_message(self, format: str, *args: Any) -> None:
        # Quiet: GET /_control/requests is the request log.
        return

    @property
    def _server(self) -> _FakeApiHttpServer:
        return cast(_FakeApiHttpServer, self.server)

    def _dispatch(self, method: str) -> None:
        body = self._read_body()
        if self.path.startswith(_CONTROL_PREFIX):
            reply = self._control(method, urlsplit(self.path).path.removeprefix(_CONTROL_PREFIX), body)
        else:
            reply = self._server.vendor.handle(
                method, self.path, self.headers.get(self._server.api_key_header)
            )
        if reply.delay_seconds and self._server.stopping.wait(reply.delay_seconds):
            # Shutting down: drop the connection rather than answer late.
            self.close_connection = True
            return
        self._send(reply)

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        if length > _MAX_BODY_BYTES:
            # The rest stays unread, so the connection cannot carry another request.
            self.close_connection = True
        return self.rfile.read(min(length, _MAX_BODY_BYTES)) if length else b""

    def _control(self, method: str, name: str, body: bytes) -> Reply:
        action = self._control_routes().get((method, name))
        if action is None:
            return Reply.json(404, {"error": "NOT_FOUND", "message": f"no control route {method} {name}"})
        try:
            return Reply.json(200, action(body))
        except ValidationError as error:
            details = error.errors(include_url=False, include_context=False, include_input=False)
            return Reply.json(400, {"error": "INVALID_CONTROL_REQUEST", "details": details})

    def _control_routes(self) -> dict[tuple[str, str], Callable[[bytes], object]]:
        vendor = self._server.vendor
        return {
            ("GET", "behaviour"): lambda _: vendor.behaviours(),
            ("POST", "behaviour"): self._set_behaviour,
            ("GET", "requests"): lambda _: {"requests": vendor.requests()},
            ("GET", "operations"): lambda _: {"operations": vendor.operations()},
            ("POST", "api-key"): self._set_api_key,
            ("POST", "reset"): self._reset,
        }

    def _set_behaviour(self, body: bytes) -> object:
        update = BehaviourUpdate.model_validate_json(body or b"{}")
        self._server.vendor.set_behaviour(update.behaviour(), update.customer_id)
        return update.model_dump(mode="json")

    def _set_api_key(self, body: bytes) -> object:
        self._server.vendor.set_api_key(_ApiKeyChange.model_validate_json(body).api_key)
        return {}

    def _reset(self, _: bytes) -> object:
        self._server.vendor.reset()
        return {}

    def _send(self, reply: Reply) -> None:
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(reply.body)))
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(reply.body)
        except ConnectionError:
            # The client gave up (its read timeout was shorter than our delay): nothing to answer.
            self.close_connection = True


class FakeThirdPartyApi:
    """The fake vendor, served from a background thread; embeddable in tests and the local stack.

    ``clock`` measures ``afterSeconds`` and dates ``Retry-After``; pass a virtual clock to drive it.
    With ``state_dir``, operations and behaviours survive a restart (see ``FakeVendor``).
    Delays of slow responses are real time, since they exist to trip the client's read timeout.

    Example:
        >>> fake = FakeThirdPartyApi(api_key="k")
        >>> base_url = fake.start(port=0)        # "http://127.0.0.1:<free port>"
        >>> fake.vendor.set_behaviour(Behaviour(after_checks=3))
        >>> fake.stop()
    """

    def __init__(
        self,
        *,
        api_key: str = DEFAULT_API_KEY,
        api_key_header: str = DEFAULT_API_KEY_HEADER,
        clock: Clock = _utc_now,
        state_dir: Path | None = None,
    ) -> None:
        self.vendor = FakeVendor(api_key=api_key, clock=clock, state_dir=state_dir)
        self._api_key_header = api_key_header
        self._stopping = threading.Event()
        self._server: _FakeApiHttpServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """The URL the client should use as the vendor's base URL; only while started."""
        if self._server is None:
            raise RuntimeError("the fake third-party API is not running")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Listen on ``host``:``port`` (0: a free port) and serve in a daemon thread; return the base URL."""
        if self._server is not None:
            raise RuntimeError("the fake third-party API is already running")
        self._stopping.clear()
        self._server = _FakeApiHttpServer((host, port), self.vendor, self._api_key_header, self._stopping)
        # A short poll interval keeps stop() quick, which matters for tests that start a fake each.
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="fake-third-party-api", daemon=True
        )
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        """Stop serving, cut short any delayed answers, and release the port."""
        if self._server is None:
            return
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join()
        self._server = None
        self._thread = None

    def __enter__(self) -> FakeThirdPartyApi:
        if self._server is None:
            self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
