"""The Lambda REST API (the subset a Step Functions user needs), independent of any HTTP server.

    api = LambdaRestApi(registry)
    answer = api.handle("POST", "/2015-03-31/functions/my-fn/invocations", headers, b'{"a": 1}')

Errors are answered as Lambda answers them: a JSON body with `message`, and the code in the
`x-amzn-ErrorType` header, where boto3 and the AWS CLI read it.
"""

from __future__ import annotations

import json
import logging
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from local.engine.lambda_runtime import LambdaServiceError
from local.lambda_service.registry import LATEST, FunctionRegistry

logger = logging.getLogger(__name__)

PATH_PREFIX = "/2015-03-31/functions"
DEFAULT_PAGE_SIZE = 50
_JSON = "application/json"


@dataclass(frozen=True)
class RestAnswer:
    """Status, body and headers of one response."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class _Request:
    method: str
    segments: list[str]  # the path after PATH_PREFIX, decoded: [] or [name] or [name, resource]
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes

    def json_body(self) -> dict[str, Any]:
        if not self.body:
            return {}
        try:
            document = json.loads(self.body)
        except ValueError as error:
            raise _bad_content(f"Could not parse request body into json: {error}") from error
        if not isinstance(document, dict):
            raise _bad_content("The request body must be a JSON object")
        return document


class LambdaRestApi:
    """Answers requests under `PATH_PREFIX` from a `FunctionRegistry`."""

    def __init__(self, registry: FunctionRegistry) -> None:
        self._registry = registry
        self._routes: dict[tuple[str, str], Callable[[_Request], RestAnswer]] = {
            ("GET", ""): self._list_functions,
            ("POST", ""): self._create_function,
            ("GET", "{name}"): self._get_function,
            ("DELETE", "{name}"): self._delete_function,
            ("GET", "configuration"): self._get_configuration,
            ("PUT", "configuration"): self._update_configuration,
            ("PUT", "code"): self._update_code,
            ("POST", "invocations"): self._invoke,
        }

    def handle(self, method: str, target: str, headers: Mapping[str, str], body: bytes) -> RestAnswer:
        """Answer one request (`target` is the path with its query string); never raises."""
        path, _, query = target.partition("?")
        relative = path[len(PATH_PREFIX) :].strip("/")
        request = _Request(
            method=method,
            segments=[urllib.parse.unquote(part) for part in relative.split("/")] if relative else [],
            query=dict(urllib.parse.parse_qsl(query)),
            headers={name.lower(): value for name, value in headers.items()},
            body=body,
        )
        route = self._routes.get((method, _resource(request.segments)))
        try:
            if route is None or not path.startswith(PATH_PREFIX):
                raise LambdaServiceError(
                    "UnknownOperationException", f"No Lambda operation for {method} {path}", status_code=404
                )
            return route(request)
        except LambdaServiceError as error:
            return _error_answer(error)
        except Exception as error:  # a bug must not kill the server; the caller sees a 500
            logger.exception("Lambda API request %s %s failed", method, path)
            return _error_answer(
                LambdaServiceError("ServiceException", f"{type(error).__name__}: {error}", status_code=500)
            )

    # ------------------------------------------------------------------ functions

    def _list_functions(self, request: _Request) -> RestAnswer:
        functions = self._registry.list_configurations()
        try:
            start = int(request.query.get("Marker") or 0)
            size = int(request.query.get("MaxItems") or DEFAULT_PAGE_SIZE)
        except ValueError as error:
            raise LambdaServiceError(
                "InvalidParameterValueException", f"Invalid Marker or MaxItems: {error}", status_code=400
            ) from error
        page: dict[str, Any] = {"Functions": functions[start : start + size]}
        if start + size < len(functions):
            page["NextMarker"] = str(start + size)
        return _json_answer(200, page)

    def _create_function(self, request: _Request) -> RestAnswer:
        return _json_answer(201, self._registry.create(request.json_body()))

    def _get_function(self, request: _Request) -> RestAnswer:
        return _json_answer(
            200, self._registry.get_function(request.segments[0], request.query.get("Qualifier"))
        )

    def _delete_function(self, request: _Request) -> RestAnswer:
        self._registry.delete(request.segments[0], request.query.get("Qualifier"))
        return RestAnswer(204)

    def _get_configuration(self, request: _Request) -> RestAnswer:
        name, qualifier = request.segments[0], request.query.get("Qualifier")
        return _json_answer(200, self._registry.get_configuration(name, qualifier))

    def _update_configuration(self, request: _Request) -> RestAnswer:
        return _json_answer(
            200, self._registry.update_configuration(request.segments[0], request.json_body())
        )

    def _update_code(self, request: _Request) -> RestAnswer:
        return _json_answer(200, self._registry.update_code(request.segments[0], request.json_body()))

    # ------------------------------------------------------------------ Invoke

    def _invoke(self, request: _Request) -> RestAnswer:
        name, qualifier = request.segments[0], request.query.get("Qualifier")
        invocation_type = request.headers.get("x-amz-invocation-type", "RequestResponse")
        event = _event(request.body)
        if invocation_type == "DryRun":
            self._registry.get_configuration(name, qualifier)
            return RestAnswer(204)
        if invocation_type == "Event":
            request_id = self._registry.invoke_later(name, event, qualifier)
            return RestAnswer(202, headers={"x-amzn-RequestId": request_id})
        if invocation_type != "RequestResponse":
            raise LambdaServiceError(
                "InvalidParameterValueException",
                f"Unsupported invocation type {invocation_type}: use RequestResponse, Event or DryRun",
                status_code=400,
            )
        outcome = self._registry.invoke(name, event, qualifier)
        headers = {
            "Content-Type": _JSON,
            "X-Amz-Executed-Version": LATEST,
            "x-amzn-RequestId": outcome.request_id,
        }
        if not outcome.ok:
            headers["X-Amz-Function-Error"] = "Unhandled"
            return RestAnswer(200, json.dumps(outcome.error_payload).encode(), headers)
        return RestAnswer(200, json.dumps(outcome.payload).encode(), headers)


def _resource(segments: list[str]) -> str:
    """The route key: "" for the collection, "{name}" for a function, else the sub-resource's name."""
    if not segments:
        return ""
    if len(segments) == 1:
        return "{name}"
    return segments[1] if len(segments) == 2 else "/".join(segments[1:])


def _event(body: bytes) -> Any:
    if not body.strip():
        return {}
    try:
        return json.loads(body)
    except ValueError as error:
        raise _bad_content(f"Could not parse request body into json: {error}") from error


def _bad_content(message: str) -> LambdaServiceError:
    return LambdaServiceError("InvalidRequestContentException", message, status_code=400)


def _json_answer(status: int, document: dict[str, Any]) -> RestAnswer:
    return RestAnswer(status, json.dumps(document).encode(), {"Content-Type": _JSON})


def _error_answer(error: LambdaServiceError) -> RestAnswer:
    status = error.status_code or 500
    body = {"Type": "User" if status < 500 else "Service", "message": error.message}
    headers = {"Content-Type": _JSON, "x-amzn-ErrorType": error.code, "x-amzn-RequestId": error.request_id}
    return RestAnswer(status, json.dumps(body).encode(), headers)
