"""API Gateway's REST proxy integration, locally: routes from the catalog, HTTP request -> event (v1
payload), handler result -> HTTP response.

What API Gateway itself would answer (no route, a failing or malformed integration) is answered in the
shape the deployed API's gateway responses use: `{"error": responseType, "message": text}`.
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from catalog.model import Route
from local.stack.config import ACCOUNT_ID

LOCAL_API_ID = "local"
LOCAL_STAGE = "local"
_PATH_PARAMETER = re.compile(r"\{([A-Za-z0-9_]+)\}")


@dataclass(frozen=True)
class HttpRequest:
    """An HTTP request as it arrived."""

    method: str
    target: str
    """Path and query string, e.g. `/schedules/abc?x=1`."""
    headers: Sequence[tuple[str, str]]
    body: bytes
    source_ip: str


@dataclass(frozen=True)
class HttpResponse:
    """An HTTP response to send: header values may repeat."""

    status: int
    headers: Sequence[tuple[str, str]]
    body: bytes


@dataclass(frozen=True)
class RouteMatch:
    """The API resource a request path matched, with its path parameters."""

    resource: str
    path_parameters: dict[str, str]


@dataclass(frozen=True)
class RouteTable:
    """Resource paths such as `/schedules/{scheduleId}` and the methods each one has."""

    methods_by_resource: Mapping[str, frozenset[str]]
    _patterns: dict[str, re.Pattern[str]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        patterns = {resource: _resource_pattern(resource) for resource in self.methods_by_resource}
        object.__setattr__(self, "_patterns", patterns)

    @classmethod
    def of(cls, routes: Iterable[Route]) -> RouteTable:
        """The table for catalog routes."""
        methods: dict[str, set[str]] = {}
        for route in routes:
            methods.setdefault(route.path, set()).add(route.method.upper())
        return cls({resource: frozenset(names) for resource, names in methods.items()})

    def match(self, method: str, path: str) -> RouteMatch | None:
        """The resource and path parameters for `method` on `path`, or None (API Gateway: 403)."""
        for resource, pattern in self._patterns.items():
            found = pattern.fullmatch(path)
            if found is not None and method.upper() in self.methods_by_resource[resource]:
                return RouteMatch(resource=resource, path_parameters=found.groupdict())
        return None


def _resource_pattern(resource: str) -> re.Pattern[str]:
    parts = _PATH_PARAMETER.split(resource)
    # split alternates literal text and parameter names: literal, name, literal, name, ...
    regex = "".join(
        re.escape(part) if index % 2 == 0 else f"(?P<{part}>[^/]+)" for index, part in enumerate(parts)
    )
    return re.compile(regex)


def proxy_event(request: HttpRequest, route: RouteMatch, *, received_at: datetime) -> dict[str, Any]:
    """The REST API proxy event (payload format 1.0) API Gateway would send for `request`."""
    split = urlsplit(request.target)
    query = parse_qsl(split.query, keep_blank_values=True)
    body, is_base64 = _event_body(request.body)
    request_id = str(uuid.uuid4())
    user_agent = next((value for name, value in request.headers if name.lower() == "user-agent"), None)
    return {
        "resource": route.resource,
        "path": split.path,
        "httpMethod": request.method.upper(),
        "headers": _single_values(request.headers) or None,
        "multiValueHeaders": _multi_values(request.headers) or None,
        "queryStringParameters": _single_values(query) or None,
        "multiValueQueryStringParameters": _multi_values(query) or None,
        "pathParameters": route.path_parameters or None,
        "stageVariables": None,
        "requestContext": {
            "accountId": ACCOUNT_ID,
            "apiId": LOCAL_API_ID,
            "resourceId": route.resource,
            "resourcePath": route.resource,
            "httpMethod": request.method.upper(),
            # The path as the client sent it: the local API serves its stage at the root, as API Gateway
            # does behind a custom domain, so links the function builds from it lead back here.
            "path": split.path,
            "stage": LOCAL_STAGE,
            "protocol": "HTTP/1.1",
            "requestId": request_id,
            "extendedRequestId": request_id,
            "requestTime": received_at.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "requestTimeEpoch": int(received_at.timestamp() * 1000),
            "identity": {"sourceIp": request.source_ip, "userAgent": user_agent},
        },
        "body": body,
        "isBase64Encoded": is_base64,
    }


class MalformedIntegrationResponse(ValueError):
    """The handler returned something API Gateway cannot turn into an HTTP response (it answers 502)."""


def http_response(result: Any, request_id: str) -> HttpResponse:
    """The HTTP response API Gateway makes of a proxy integration's result."""
    if not isinstance(result, dict) or not isinstance(result.get("statusCode"), int):
        raise MalformedIntegrationResponse("the result must be an object with an integer statusCode")
    body = result.get("body") or ""
    if not isinstance(body, str):
        raise MalformedIntegrationResponse("body must be a string")
    payload = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode("utf-8")
    headers = _response_headers(result.get("headers") or {}, result.get("multiValueHeaders") or {})
    headers.append(("x-amzn-RequestId", request_id))
    return HttpResponse(status=result["statusCode"], headers=headers, body=payload)


def gateway_error(status: int, response_type: str, message: str) -> HttpResponse:
    """An answer from the gateway itself, in the deployed API's gateway-response shape."""
    body = json.dumps({"error": response_type, "message": message}).encode()
    return HttpResponse(status=status, headers=[("Content-Type", "application/json")], body=body)


def _event_body(raw: bytes) -> tuple[str | None, bool]:
    if not raw:
        return None, False
    try:
        return raw.decode("utf-8"), False
    except UnicodeDecodeError:
        return base64.b64encode(raw).decode("ascii"), True


def _single_values(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    # API Gateway keeps the last value of a repeated header or query parameter.
    return dict(pairs)


def _multi_values(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for name, value in pairs:
        values.setdefault(name, []).append(value)
    return values


def _response_headers(single: Mapping[str, Any], multi: Mapping[str, Sequence[Any]]) -> list[tuple[str, str]]:
    headers = [(name, str(value)) for name, values in multi.items() for value in values]
    listed = {name.lower() for name in multi}
    headers += [(name, str(value)) for name, value in single.items() if name.lower() not in listed]
    return headers
