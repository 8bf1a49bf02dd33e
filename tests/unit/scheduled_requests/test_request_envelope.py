"""Content type (415), body size (413) and the translation of Powertools validation errors (400)."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from aws_lambda_powertools.utilities.data_classes.common import CaseInsensitiveDict

from functions.scheduled_requests.front_door.errors import RequestTooLarge, UnsupportedMediaType
from functions.scheduled_requests.front_door.http import envelope_problem, invalid_request_from
from functions.scheduled_requests.front_door.models import ErrorCode

LIMIT = 262_144


def headers(**values: str) -> CaseInsensitiveDict:
    return CaseInsensitiveDict({name.replace("_", "-"): value for name, value in values.items()})


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "application/json; charset=utf-8", "Application/JSON", " application/json "],
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


def test_the_reason_is_kept_in_the_message() -> None:
    # Given a triggerAt rejected with a reason / Then the message carries the reason
    error = invalid_request_from(
        [{"type": "rfc3339", "loc": ("body", "triggerAt"), "msg": "the timestamp has no offset"}]
    )
    assert error.message == "triggerAt: the timestamp has no offset"
