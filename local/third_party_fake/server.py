"""The fake vendor served over real HTTP, with control routes for tests and the local stack.

Vendor routes (API key required): ``POST /customers/{customerId}/deletions``,
``GET /operations/{operationId}``; a deletion request may carry an ``Idempotency-Key`` header.
Control routes (no key): ``GET|POST /_control/behaviour``,
``GET /_control/requests``, ``GET /_control/operations``, ``POST /_control/api-key``,
``POST /_control/reset``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, ValidationError

from local.http_server import LocalHttpServer, LocalRequestHandler
from local.third_party_fake.behaviour import BehaviourUpdate
from local.third_party_fake.vendor import Clock, FakeVendor, Reply

DEFAULT_API_KEY = "local-third-party-api-key"
DEFAULT_API_KEY_HEADER = "x-api-key"
IDEMPOTENCY_KEY_HEADER = "Idempotency-Key"
_CONTROL_PREFIX = "/_control/"
_MAX_BODY_BYTES = 64 * 1024


def _utc_now() -> datetime:
    return datetime.now(UTC)


class _ApiKeyChange(BaseModel):
    api_key: str = Field(alias="apiKey", min_length=1)


class _FakeApiHttpServer(LocalHttpServer):
    def __init__(
        self, address: tuple[str, int], vendor: FakeVendor, api_key_header: str, stopping: threading.Event
    ) -> None:
        super().__init__(address, _FakeApiRequestHandler)
        self.vendor = vendor
        self.api_key_header = api_key_header
        self.stopping = stopping


class _FakeApiRequestHandler(LocalRequestHandler):
    server_version = "FakeThirdPartyApi/1.0"
    max_body_bytes = _MAX_BODY_BYTES
    server: _FakeApiHttpServer

    def answer(self, body: bytes) -> None:
        method = self.command
        if self.path.startswith(_CONTROL_PREFIX):
            reply = self._control(method, urlsplit(self.path).path.removeprefix(_CONTROL_PREFIX), body)
        else:
            reply = self.server.vendor.handle(
                method,
                self.path,
                self.headers.get(self.server.api_key_header),
                self.headers.get(IDEMPOTENCY_KEY_HEADER),
            )
        if reply.delay_seconds and self.server.stopping.wait(reply.delay_seconds):
            # Shutting down: drop the connection rather than answer late.
            self.close_connection = True
            return
        headers = [("Content-Type", reply.content_type), *reply.headers.items()]
        self.send_answer(reply.status, headers, reply.body)

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
        vendor = self.server.vendor
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
        self.server.vendor.set_behaviour(update.behaviour(), update.customer_id)
        return update.model_dump(mode="json")

    def _set_api_key(self, body: bytes) -> object:
        self.server.vendor.set_api_key(_ApiKeyChange.model_validate_json(body).api_key)
        return {}

    def _reset(self, _: bytes) -> object:
        self.server.vendor.reset()
        return {}


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

    @property
    def base_url(self) -> str:
        """The URL the client should use as the vendor's base URL; only while started."""
        if self._server is None:
            raise RuntimeError("the fake third-party API is not running")
        host, port = self._server.bound_address
        return f"http://{host}:{port}"

    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Listen on ``host``:``port`` (0: a free port) and serve in a daemon thread; return the base URL."""
        if self._server is not None:
            raise RuntimeError("the fake third-party API is already running")
        self._stopping.clear()
        self._server = _FakeApiHttpServer((host, port), self.vendor, self._api_key_header, self._stopping)
        self._server.serve_in_background("fake-third-party-api")
        return self.base_url

    def stop(self) -> None:
        """Stop serving, cut short any delayed answers, and release the port."""
        if self._server is None:
            return
        self._stopping.set()
        self._server.stop()
        self._server = None

    def __enter__(self) -> FakeThirdPartyApi:
        if self._server is None:
            self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
