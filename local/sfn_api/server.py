"""An embeddable HTTP server speaking the Step Functions API (AWS JSON 1.0) plus the clock control endpoint,
the execution console (GET `/console/`), and the Lambda API (REST, under `/2015-03-31/functions`) when
given one.

    server = SfnApiServer(engine, host="127.0.0.1", port=0)
    host, port = server.start()        # serves in a background thread
    ...
    server.close()

The server does not own the engine: whoever built it starts and closes it.
"""

from __future__ import annotations

import logging
import uuid
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from local.console.files import console_answer, is_console_path
from local.http_server import LocalHttpServer, LocalRequestHandler, error_code
from local.lambda_service.rest_api import PATH_PREFIX as LAMBDA_PATH_PREFIX
from local.sfn_api.clock_control import CLOCK_PATH, ClockControl, ClockControlError, clock_state, move_clock
from local.sfn_api.dispatch import ApiDispatcher
from local.sfn_api.protocol import CONTENT_TYPE, encode_error

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from local.lambda_service.rest_api import LambdaRestApi

logger = logging.getLogger(__name__)

_TARGET = "X-Amz-Target"


class _SfnHttpServer(LocalHttpServer):
    def __init__(self, address: tuple[str, int], engine: Any, clock_control: ClockControl) -> None:
        self.clock_control = clock_control
        self.dispatcher = ApiDispatcher(engine)
        self.lambda_api: LambdaRestApi | None = None
        super().__init__(address, _RequestHandler)


class _RequestHandler(LocalRequestHandler):
    server: _SfnHttpServer
    allowed_methods = ("GET", "POST", "PUT", "DELETE")  # what the APIs on this port use

    def send_error_answer(
        self, status: HTTPStatus, message: str, headers: Iterable[tuple[str, str]] = ()
    ) -> None:
        """Requests refused at the HTTP level are answered in AWS's error shape, which boto3 reads."""
        aws_headers = [("Content-Type", CONTENT_TYPE), ("x-amzn-RequestId", str(uuid.uuid4())), *headers]
        self.send_answer(status, aws_headers, encode_error(error_code(status), message))

    def answer(self, body: bytes) -> None:
        """Route by path: every API served on this port has its branch here."""
        path = self.request_path
        if path == CLOCK_PATH:
            self._answer_clock(body)
        elif path.startswith(LAMBDA_PATH_PREFIX) and self.server.lambda_api is not None:
            self._answer_lambda(self.server.lambda_api, body)
        elif is_console_path(path):
            answer = console_answer(self.command, path, if_none_match=self.headers.get("If-None-Match"))
            self.send_answer(answer.status, answer.headers, answer.body)
        elif self.command == "POST":  # the Step Functions API: POST / with X-Amz-Target
            self._answer_step_functions(body)
        else:
            message = (
                f"No route for {self.command} {self.path}; the Step Functions API takes POST / with {_TARGET}"
            )
            self.send_json(HTTPStatus.NOT_FOUND, {"error": "NotFound", "message": message})

    def _answer_step_functions(self, body: bytes) -> None:
        answer = self.server.dispatcher.handle(self.headers.get(_TARGET), body)
        headers = [("Content-Type", CONTENT_TYPE), ("x-amzn-RequestId", str(uuid.uuid4()))]
        self.send_answer(answer.status, headers, answer.body)

    def _answer_lambda(self, lambda_api: LambdaRestApi, body: bytes) -> None:
        answer = lambda_api.handle(self.command, self.path, dict(self.headers.items()), body)
        self.send_answer(answer.status, answer.headers.items(), answer.body)

    def _answer_clock(self, body: bytes) -> None:
        produce: Callable[[], dict[str, str]]
        if self.command == "GET":
            produce = lambda: clock_state(self.server.clock_control)  # noqa: E731
        elif self.command == "POST":
            produce = lambda: move_clock(self.server.clock_control, body)  # noqa: E731
        else:
            self.send_json(
                HTTPStatus.METHOD_NOT_ALLOWED, {"error": "MethodNotAllowed", "message": "GET or POST"}
            )
            return
        try:
            document = produce()
        except ClockControlError as error:
            self.send_json(HTTPStatus.BAD_REQUEST, {"error": error.code, "message": error.message})
            return
        except Exception as error:  # an engine bug while running due work must still get an answer
            logger.exception("Clock request failed")
            self.send_json(
                HTTPStatus.INTERNAL_SERVER_ERROR,
                {"error": "InternalFailure", "message": f"{type(error).__name__}: {error}"},
            )
            return
        self.send_json(HTTPStatus.OK, document)


class SfnApiServer:
    """The Step Functions API on one host/port, served from a background thread."""

    def __init__(
        self,
        engine: Any,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        clock_control: ClockControl | None = None,
        lambda_api: LambdaRestApi | None = None,
    ) -> None:
        """`clock_control` is what `/_local/clock` reads and moves; by default the engine itself."""
        self._engine = engine
        self._lambda_api = lambda_api
        self._clock_control = clock_control or engine
        self._requested_address = (host, port)
        self._httpd: _SfnHttpServer | None = None

    def start(self) -> tuple[str, int]:
        """Bind (port 0 picks a free port), serve in a daemon thread, and return the bound (host, port)."""
        if self._httpd is not None:
            raise RuntimeError("server already started")
        self._httpd = _SfnHttpServer(self._requested_address, self._engine, self._clock_control)
        self._httpd.lambda_api = self._lambda_api
        self._httpd.serve_in_background("sfn-api")
        return self.address

    @property
    def address(self) -> tuple[str, int]:
        """The bound (host, port)."""
        if self._httpd is None:
            raise RuntimeError("server not started")
        return self._httpd.bound_address

    @property
    def endpoint_url(self) -> str:
        """`http://host:port`, ready for `boto3.client("stepfunctions", endpoint_url=...)`."""
        host, port = self.address
        return f"http://{f'[{host}]' if ':' in host else host}:{port}"

    def close(self) -> None:
        """Stop accepting requests, end open connections and release the port; safe to call twice."""
        if self._httpd is None:
            return
        self._httpd.stop()
        self._httpd = None

    def __enter__(self) -> SfnApiServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
