"""The REST proxy integration, locally: routes from the catalog, request -> event, result -> response."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest

from catalog.model import Route
from local.stack.api_gateway import (
    HttpRequest,
    MalformedIntegrationResponse,
    RouteTable,
    http_response,
    proxy_event,
)

ROUTES = RouteTable.of(
    [
        Route("POST", "/schedules"),
        Route("GET", "/schedules/{scheduleId}"),
        Route("DELETE", "/schedules/{scheduleId}"),
    ]
)
RECEIVED_AT = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def _request(
    method: str, target: str, body: bytes = b"", headers: list[tuple[str, str]] | None = None
) -> HttpRequest:
    return HttpRequest(method=method, target=target, headers=headers or [], body=body, source_ip="127.0.0.1")


def test_a_path_parameter_is_extracted_from_the_matching_resource() -> None:
    # When a GET names a schedule
    match = ROUTES.match("GET", "/schedules/abc-123")

    # Then the resource with the placeholder matches and carries the id
    assert match is not None
    assert match.resource == "/schedules/{scheduleId}"
    assert match.path_parameters == {"scheduleId": "abc-123"}


@pytest.mark.parametrize(
    ("method", "path"),
    [("PUT", "/schedules"), ("GET", "/unknown"), ("GET", "/schedules/a/b"), ("PATCH", "/schedules/a")],
)
def test_methods_and_paths_the_api_does_not_have_match_nothing(method: str, path: str) -> None:
    # Given routes from the catalog, When a request has no route, Then there is no match (API Gateway: 403)
    assert ROUTES.match(method, path) is None


def test_the_event_has_the_rest_proxy_shape() -> None:
    # Given a POST with a repeated header and a query string
    request = _request(
        "POST",
        "/schedules?dryRun=1&tag=a&tag=b",
        body=b'{"a": 1}',
        headers=[("Content-Type", "application/json"), ("X-Tag", "one"), ("X-Tag", "two")],
    )
    route = ROUTES.match("POST", "/schedules")
    assert route is not None

    # When it becomes a proxy event
    event = proxy_event(request, route, received_at=RECEIVED_AT)

    # Then it carries what the REST API's Lambda proxy integration sends
    assert event["httpMethod"] == "POST"
    assert event["resource"] == "/schedules"
    assert event["path"] == "/schedules"
    assert event["body"] == '{"a": 1}'
    assert event["isBase64Encoded"] is False
    assert event["headers"]["X-Tag"] == "two"
    assert event["multiValueHeaders"]["X-Tag"] == ["one", "two"]
    assert event["queryStringParameters"] == {"dryRun": "1", "tag": "b"}
    assert event["multiValueQueryStringParameters"]["tag"] == ["a", "b"]
    assert event["pathParameters"] is None
    context = event["requestContext"]
    assert context["resourcePath"] == "/schedules"
    assert context["requestTimeEpoch"] == int(RECEIVED_AT.timestamp() * 1000)
    assert context["identity"]["sourceIp"] == "127.0.0.1"
    assert len(context["requestId"]) == 36


def test_a_body_that_is_not_utf8_is_sent_base64_encoded() -> None:
    # Given bytes that are not UTF-8
    raw = b"\xff\xfe\x00binary"
    route = ROUTES.match("POST", "/schedules")
    assert route is not None

    # When it becomes a proxy event
    event = proxy_event(_request("POST", "/schedules", body=raw), route, received_at=RECEIVED_AT)

    # Then the body is base64 and flagged so
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == raw


def test_the_handler_result_becomes_the_http_response() -> None:
    # Given a proxy result with single and multi-value headers
    result = {
        "statusCode": 202,
        "headers": {"Content-Type": "application/json", "Location": "/schedules/x"},
        "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]},
        "body": '{"ok": true}',
        "isBase64Encoded": False,
    }

    # When it is translated
    response = http_response(result, "request-1")

    # Then status, headers (repeated where listed) and body come through
    assert response.status == 202
    assert ("Location", "/schedules/x") in response.headers
    assert [value for name, value in response.headers if name == "Set-Cookie"] == ["a=1", "b=2"]
    assert ("x-amzn-RequestId", "request-1") in response.headers
    assert response.body == b'{"ok": true}'


def test_a_base64_result_body_is_decoded() -> None:
    result = {"statusCode": 200, "body": base64.b64encode(b"\x00\x01").decode(), "isBase64Encoded": True}

    assert http_response(result, "r").body == b"\x00\x01"


@pytest.mark.parametrize(
    "result", [None, {"body": "x"}, {"statusCode": "200"}, {"statusCode": 200, "body": 5}]
)
def test_a_malformed_result_is_refused(result: object) -> None:
    # Given what API Gateway cannot turn into a response, When translated, Then it is refused (a 502)
    with pytest.raises(MalformedIntegrationResponse):
        http_response(result, "r")
