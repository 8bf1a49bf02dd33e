"""Content type and charset (415), body size (413), encoding, nesting and duplicate keys (400), and the
translation of Powertools validation errors (400)."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from aws_lambda_powertools.utilities.data_classes.common import CaseInsensitiveDict

from functions.scheduled_requests.front_door.errors import (
    InvalidScheduleRequest,
    RequestTooLarge,
    UnsupportedMediaType,
)
from functions.scheduled_requests.front_door.http import (
    envelope_problem,
    invalid_request_from,
    parse_request_body,
    schedule_location,
)
from functions.scheduled_requests.front_door.models import MAX_PAYLOAD_DEPTH, ErrorCode

LIMIT = 262_144


def headers(**values: str) -> CaseInsensitiveDict:
    return CaseInsensitiveDict({name.replace("_", "-"): value for name, value in values.items()})


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "application/json; charset=utf-8",
        'application/json; charset="UTF-8"',
        "Application/JSON",
        " application/json ",
    ],
)
def test_json_bodies_pass(content_type: str) -> None:
    # Given a JSON content type, however spelled / Then there is no envelope problem
    assert envelope_problem(headers(Content_Type=content_type), "{}", is_base64_encoded=False) is None


@pytest.mark.parametrize(
    "content_type", [None, "", "text/plain", "application/x-www-form-urlencoded", "application/jsonp", "json"]
)
def test_other_content_types_are_415(content_type: str | None) -> None:
    # Given a missing or non-JSON content type
    given = headers(Content_Type=content_type) if content_type is not None else headers()

    # Then the problem is 415 on Content-Type
    problem = envelope_problem(given, "{}", is_base64_encoded=False)
    assert isinstance(problem, UnsupportedMediaType)
    assert problem.field == "Content-Type"


@pytest.mark.parametrize("charset", ["iso-8859-1", "utf-16", "latin1"])
def test_a_charset_other_than_utf8_is_415_naming_it(charset: str) -> None:
    # Given JSON declared in another charset (JSON exchanged between systems is UTF-8, RFC 8259)
    given = headers(Content_Type=f"application/json; charset={charset}")

    # Then the problem is 415 on Content-Type, and the message names the charset
    problem = envelope_problem(given, "{}", is_base64_encoded=False)
    assert isinstance(problem, UnsupportedMediaType)
    assert problem.field == "Content-Type"
    assert charset in problem.message
    assert "utf-8" in problem.message


def test_a_body_that_is_not_utf8_is_400_naming_the_byte() -> None:
    # Given a body in ISO-8859-1 (API Gateway hands bytes that are not UTF-8 over base64-encoded)
    encoded = base64.b64encode('{"payload": {"name": "café"}}'.encode("latin-1")).decode()

    # Then the problem is 400 on the body, saying where the bytes stop being UTF-8
    problem = envelope_problem(headers(Content_Type="application/json"), encoded, is_base64_encoded=True)
    assert isinstance(problem, InvalidScheduleRequest)
    assert (problem.code, problem.field) == (ErrorCode.INVALID_JSON, "body")
    assert "UTF-8" in problem.message
    assert "0xe9" in problem.message


def test_the_header_name_is_case_insensitive() -> None:
    # Given the header in lower case, as HTTP/2 clients send it / Then it is found
    assert envelope_problem(headers(**{"content-type": "application/json"}), "{}", False) is None


@pytest.mark.parametrize(
    ("body", "too_large"),
    [
        ("x" * LIMIT, False),
        ("x" * (LIMIT + 1), True),
        ("é" * (LIMIT // 2), False),
        ("é" * (LIMIT // 2) + "x", True),
    ],
    ids=["limit in ASCII", "one byte over", "limit in two-byte characters", "one byte over in UTF-8"],
)
def test_the_body_limit_counts_utf8_bytes(body: str, too_large: bool) -> None:
    # When the body is measured / Then the limit is 262,144 UTF-8 bytes, not characters
    problem = envelope_problem(headers(Content_Type="application/json"), body, is_base64_encoded=False)
    assert isinstance(problem, RequestTooLarge) is too_large


def test_a_base64_body_is_measured_decoded() -> None:
    # Given a base64-encoded body whose decoded size is the limit (its encoded size is larger)
    encoded = base64.b64encode(b"x" * LIMIT).decode()

    # Then it passes; one more decoded byte does not
    assert envelope_problem(headers(Content_Type="application/json"), encoded, True) is None
    over = base64.b64encode(b"x" * (LIMIT + 1)).decode()
    assert isinstance(envelope_problem(headers(Content_Type="application/json"), over, True), RequestTooLarge)


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_a_payload_nested_up_to_the_limit_parses() -> None:
    # Given a payload whose object holds arrays nested to the limit (the payload object is level 1)
    body = '{"triggerAt": "x", "payload": {"a": ' + nested(MAX_PAYLOAD_DEPTH - 1) + "}}"

    # Then it parses
    assert parse_request_body(body)["triggerAt"] == "x"


@pytest.mark.parametrize("depth", [MAX_PAYLOAD_DEPTH, 255, 256, 20_000])
def test_a_payload_nested_deeper_is_400_naming_payload_and_the_limit(depth: int) -> None:
    # Given a payload nested one level too deep, or thousands (json.loads would raise RecursionError)
    body = '{"triggerAt": "x", "payload": {"a": ' + nested(depth) + "}}"

    # Then it is refused on payload, with the limit in the message
    with pytest.raises(InvalidScheduleRequest) as refused:
        parse_request_body(body)
    assert (refused.value.code, refused.value.field) == (ErrorCode.INVALID_FIELD, "payload")
    assert f"{MAX_PAYLOAD_DEPTH} levels" in refused.value.message


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            '{"triggerAt": "2030-01-01T09:00:00Z", "triggerAt": "2031-01-01T09:00:00Z", "payload": {}}',
            "triggerAt",
        ),
        ('{"triggerAt": "x", "payload": {"n": 1, "n": 2}}', "payload.n"),
    ],
    ids=["triggerAt twice", "a payload key twice"],
)
def test_duplicate_keys_are_400_naming_the_key(body: str, field: str) -> None:
    # Given a body that repeats a key (json.loads keeps the last one silently)
    # Then it is refused, naming the repeated key
    with pytest.raises(InvalidScheduleRequest) as refused:
        parse_request_body(body)
    assert (refused.value.code, refused.value.field) == (ErrorCode.DUPLICATE_KEY, field)
    assert field in refused.value.message


@pytest.mark.parametrize(
    ("stage", "request_path", "location"),
    [
        ("v1", "/v1/schedules", "/v1/schedules/s-1"),
        ("v1", "/schedules", "/schedules/s-1"),
        ("$default", "/schedules", "/schedules/s-1"),
        (None, None, "/schedules/s-1"),
    ],
    ids=["execute-api endpoint", "custom domain", "default stage", "no request context"],
)
def test_the_location_keeps_the_stage_the_client_called(
    stage: str | None, request_path: str | None, location: str
) -> None:
    # Given where the client sent its POST (API Gateway's requestContext.stage and .path)
    # Then the new schedule's Location is under the same stage prefix
    assert schedule_location("s-1", stage=stage, request_path=request_path) == location


@pytest.mark.parametrize(
    ("powertools_error", "code", "field"),
    [
        (
            {"type": "json_invalid", "loc": ("body", 0), "msg": "JSON decode error"},
            ErrorCode.INVALID_JSON,
            "body",
        ),
        ({"type": "missing", "loc": ("body",), "msg": "Field required"}, ErrorCode.BODY_NOT_OBJECT, "body"),
        ({"type": "model_attributes_type", "loc": ("body",), "msg": "x"}, ErrorCode.BODY_NOT_OBJECT, "body"),
        ({"type": "missing", "loc": ("body", "payload"), "msg": "x"}, ErrorCode.MISSING_FIELD, "payload"),
        ({"type": "extra_forbidden", "loc": ("body", "when"), "msg": "x"}, ErrorCode.UNKNOWN_FIELD, "when"),
        ({"type": "dict_type", "loc": ("body", "payload"), "msg": "x"}, ErrorCode.INVALID_FIELD, "payload"),
        (
            {"type": "rfc3339", "loc": ("body", "triggerAt"), "msg": "no offset"},
            ErrorCode.INVALID_FIELD,
            "triggerAt",
        ),
        (
            {"type": "json_number", "loc": ("body", "payload", "a", 0), "msg": "x"},
            ErrorCode.INVALID_FIELD,
            "payload.a.0",
        ),
        (
            {"type": "string_too_short", "loc": ("header", "idempotency-key"), "msg": "x"},
            ErrorCode.INVALID_FIELD,
            "Idempotency-Key",
        ),
    ],
)
def test_validation_errors_become_one_error_naming_the_field(
    powertools_error: dict[str, Any], code: ErrorCode, field: str
) -> None:
    # When Powertools reports a validation error / Then it becomes our code and field
    error = invalid_request_from(
        [powertools_error, {"type": "missing", "loc": ("body", "other"), "msg": "x"}]
    )
    assert (error.code, error.field) == (code, field)
    assert error.message


def test_an_unknown_field_is_named_before_the_field_it_was_meant_to_be() -> None:
    # Given triggerAt spelt trigger_at: Powertools reports triggerAt missing first, then trigger_at unknown
    error = invalid_request_from(
        [
            {"type": "missing", "loc": ("body", "triggerAt"), "msg": "Field required"},
            {"type": "extra_forbidden", "loc": ("body", "trigger_at"), "msg": "Extra inputs"},
        ]
    )

    # Then the answer names the unknown field
    assert (error.code, error.field) == (ErrorCode.UNKNOWN_FIELD, "trigger_at")


def test_the_reason_is_kept_in_the_message() -> None:
    # Given a triggerAt rejected with a reason / Then the message carries the reason
    error = invalid_request_from(
        [{"type": "rfc3339", "loc": ("body", "triggerAt"), "msg": "the timestamp has no offset"}]
    )
    assert error.message == "triggerAt: the timestamp has no offset"
