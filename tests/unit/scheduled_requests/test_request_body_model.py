"""The POST /schedules body model: what a JSON object may hold."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from functions.scheduled_requests.front_door.models import CreateScheduleRequest

VALID = {"triggerAt": "2030-01-01T09:00:00Z", "payload": {"n": 1}}


def rejected_locations(body: dict[str, Any]) -> list[tuple[str | int, ...]]:
    with pytest.raises(ValidationError) as rejected:
        CreateScheduleRequest.model_validate(body)
    return [error["loc"] for error in rejected.value.errors()]


def test_a_valid_body_is_parsed() -> None:
    # When a valid body is parsed / Then the time is UTC and target is optional
    parsed = CreateScheduleRequest.model_validate({**VALID, "target": "reports"})
    assert parsed.trigger_at.isoformat() == "2030-01-01T09:00:00+00:00"
    assert (parsed.payload, parsed.target) == ({"n": 1}, "reports")


@pytest.mark.parametrize("payload", [[], "text", 1, None, True])
def test_a_payload_that_is_not_an_object_is_rejected(payload: object) -> None:
    # Given a payload that is not a JSON object / Then it is rejected on payload
    assert rejected_locations({**VALID, "payload": payload}) == [("payload",)]


@pytest.mark.parametrize("value", [float("nan"), float("inf"), "\ud800", {"\udfff": 1}, [1, float("-inf")]])
def test_values_step_functions_cannot_carry_are_rejected(value: object) -> None:
    # Given a payload holding NaN, Infinity or a lone surrogate (json.loads accepts them)
    # Then it is rejected on payload
    assert rejected_locations({**VALID, "payload": {"nested": {"value": value}}}) == [("payload",)]


def test_unknown_fields_are_rejected_by_name() -> None:
    # Given a body with a field the API does not know / Then it is rejected naming that field
    assert rejected_locations({**VALID, "when": "now"}) == [("when",)]


def test_the_python_names_of_fields_are_unknown_fields() -> None:
    # Given triggerAt spelled in snake_case, as the model's Python attribute is named
    # Then it is an unknown field (the document says additionalProperties: false), and triggerAt is missing
    assert sorted(rejected_locations({"trigger_at": VALID["triggerAt"], "payload": {}})) == [
        ("triggerAt",),
        ("trigger_at",),
    ]


@pytest.mark.parametrize("missing", ["triggerAt", "payload"])
def test_required_fields_are_named_when_missing(missing: str) -> None:
    body = {name: value for name, value in VALID.items() if name != missing}
    assert rejected_locations(body) == [(missing,)]


@pytest.mark.parametrize("target", ["", 7, "x" * 81])
def test_a_malformed_target_is_rejected(target: object) -> None:
    assert rejected_locations({**VALID, "target": target}) == [("target",)]
