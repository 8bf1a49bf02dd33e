"""The local API endpoint: every catalog API's routes on one port, each request handed to its function as
an API Gateway proxy event, plus the clock control endpoint (`/_local/clock`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any

from local.http_server import LocalHttpServer, LocalRequestHandler
from local.sfn_api.clock_control import CLOCK_PATH, ClockControl, ClockControlError, clock_state, move_clock
from local.stack.api_gateway import (
    HttpRequest,
    HttpResponse,
    MalformedIntegrationResponse,
    RouteTable,
    gateway_error,
    http_response,
    proxy_event,
)
from local.stack.functions import CatalogFunction, FunctionError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ApiIntegration:
    """An API's routes and the function that serves all of them."""

    routes: RouteTable
    function: CatalogFunction


class _ApiHttpServer(LocalHttpServer):
    def __init__(
        self, address: tuple[str, int], clock_control: ClockControl, integrations: Sequence[ApiIntegration]
    ) -> None:
        super().__init__(address, _ApiRequestHandler)
        self.clock_control = clock_control
        self.integrations = integrations


class _ApiRequestHandler(LocalRequestHandler):
    server: _ApiHttpServer
    # API Gateway answers a method no resource declares (a CORS preflight here: the API declares none) as it
    # answers an unknown route, rather than with a 405.
    allowed_methods = (*LocalRequestHandler.allowed_methods, "OPTIONS")

    def do_OPTIONS(self) -> None:
        self.do_GET()

    def answer(self, body: bytes) -> None:
        request = HttpRequest(
            method=self.command,
            target=self.path,
            headers=list(self.headers.items()),
            body=body,
            source_ip=self.client_address[0],
        )
        response = self._clock(request) if self.request_path == CLOCK_PATH else self._integrate(request)
        self.send_answer(response.status, response.headers, response.body)

    def _clock(self, request: HttpRequest) -> HttpResponse:
        control = self.server.clock_control
        action: Callable[[], dict[str, str]]
        if request.method == "GET":
            action = lambda: clock_state(control)  # noqa: E731
        elif request.method == "POST":
            action = lambda: move_clock(control, request.body)  # noqa: E731
        else:
            return _json(
                HTTPStatus.METHOD_NOT_ALLOWED, {"error": "MethodNotAllowed", "message": "GET or POST"}
            )
        try:
            return _json(HTTPStatus.OK, action())
        except ClockControlError as error:
            return _json(HTTPStatus.BAD_REQUEST, {"error": error.code, "message": error.message})

    def _integrate(self, request: HttpRequest) -> HttpResponse:
        path = request.target.split("?", 1)[0]
        for integration in self.server.integrations:
            route = integration.routes.match(request.method, path)
            if route is None:
                continue
            event = proxy_event(request, route, received_at=datetime.now(UTC))
            function = integration.function
            try:
                result = function(event)
                return http_response(result, event["requestContext"]["requestId"])
            except MalformedIntegrationResponse as error:
                logger.error("%s returned a malformed response: %s", function.name, error)
            except FunctionError as error:  # a failing function is a 502 from the gateway
                logger.error("%s", error)
            return gateway_error(HTTPStatus.BAD_GATEWAY, "DEFAULT_5XX", "Internal server error")
        return gateway_error(
            HTTPStatus.FORBIDDEN, "MISSING_AUTHENTICATION_TOKEN", "Missing Authentication Token"
        )


def _json(status: HTTPStatus, document: dict[str, Any]) -> HttpResponse:
    return HttpResponse(
        status=status.value,
        headers=[("Content-Type", "application/json")],
        body=json.dumps(document).encode(),
    )


class LocalApiServer:
    """The catalog's APIs and `/_local/clock` on one host/port, served from a background thread.

    `clock_control` is what `/_local/clock` reads and moves.
    """

    def __init__(
        self, clock_control: ClockControl, integrations: Sequence[ApiIntegration], *, host: str, port: int
    ) -> None:
        self._clock_control = clock_control
        self._integrations = tuple(integrations)
        self._address = (host, port)
        self._httpd: _ApiHttpServer | None = None

    def start(self) -> str:
        """Bind (port 0 picks a free port), serve in a daemon thread, return the base URL."""
        self._httpd = _ApiHttpServer(self._address, self._clock_control, self._integrations)
        self._httpd.serve_in_background("local-api")
        return self.endpoint_url

    @property
    def endpoint_url(self) -> str:
        """`http://host:port` of the running server."""
        if self._httpd is None:
            raise RuntimeError("the API server is not running")
        host, port = self._httpd.bound_address
        return f"http://{host}:{port}"

    def close(self) -> None:
        """Stop serving, end open connections and release the port; safe to call twice."""
        if self._httpd is None:
            return
        self._httpd.stop()
        self._httpd = None
