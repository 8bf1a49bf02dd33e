"""CreateStateMachine rejects invalid definitions with InvalidDefinition naming the state and field."""

from __future__ import annotations

import json
from typing import Any

import pytest

from local.engine import ApiError, Engine

from .conftest import ROLE_ARN


def _create(engine: Engine, definition: dict[str, Any] | str) -> None:
    text = definition if isinstance(definition, str) else json.dumps(definition)
    engine.create_state_machine(name="Invalid", definition=text, role_arn=ROLE_ARN)


def _rejection(engine: Engine, definition: dict[str, Any] | str) -> str:
    with pytest.raises(ApiError) as raised:
        _create(engine, definition)
    assert raised.value.code == "InvalidDefinition"
    assert raised.value.message.startswith("Invalid State Machine Definition: '")
    return raised.value.message


def _machine(**states: dict[str, Any]) -> dict[str, Any]:
    return {"StartAt": next(iter(states)), "States": states}


@pytest.mark.parametrize(
    ("definition", "expected"),
    [
        (
            _machine(A={"Type": "Pass", "Next": "Nowhere"}),
            "MISSING_TRANSITION_TARGET: Missing 'Next' target: Nowhere at /States/A/Next",
        ),
        (
            {"StartAt": "B", "States": {"A": {"Type": "Pass", "End": True}}},
            "Missing 'StartAt' target: B at /StartAt",
        ),
        (
            _machine(A={"Type": "Pass", "End": True}, B={"Type": "Pass", "End": True}),
            "UNREACHABLE_STATE: State 'B' is not reachable. at /States/B",
        ),
        (
            _machine(A={"Type": "Dance", "End": True}),
            "The field 'Type' should have one of these values: "
            "[Task, Wait, Pass, Succeed, Fail, Choice, Parallel, Map] at /States/A/Type",
        ),
        (
            _machine(A={"Type": "Pass", "End": True, "Colour": "red"}),
            "Field 'Colour' is not supported by Step Functions at /States/A/Colour",
        ),
        (
            _machine(A={"Type": "Wait", "Seconds": 1, "TimestampPath": "$.t", "End": True}),
            "cannot be used together: 'Seconds', 'TimestampPath' at /States/A",
        ),
        (
            _machine(A={"Type": "Pass", "InputPath": "not a path", "End": True}),
            "'InputPath' must be a valid JSONPath at /States/A/InputPath",
        ),
        (
            _machine(A={"Type": "Pass", "Parameters": {"x.$": "States.Nope(1)"}, "End": True}),
            "at /States/A/Parameters/x.$",
        ),
        (
            _machine(A={"Type": "Pass", "Output": {"x": 1}, "End": True}),
            "The field 'Output' is not supported for the JSONPath query language at /States/A/Output",
        ),
        (
            {
                "QueryLanguage": "JSONata",
                "StartAt": "A",
                "States": {"A": {"Type": "Pass", "InputPath": "$", "End": True}},
            },
            "The field 'InputPath' is not supported for the JSONata query language at /States/A/InputPath",
        ),
        (_machine(A={"Type": "Pass", "Next": "A"}), "MISSING_END_STATE"),
        (
            _machine(
                A={
                    "Type": "Task",
                    "Resource": "arn:aws:states:::lambda:invoke",
                    "TimeoutSeconds": 5,
                    "HeartbeatSeconds": 10,
                    "End": True,
                }
            ),
            "HeartbeatSeconds",
        ),
        (
            _machine(A={"Type": "Choice", "Choices": [{"Variable": "$.x", "Next": "A"}]}),
            "exactly one comparison operator at /States/A/Choices[0]",
        ),
        (
            _machine(
                A={
                    "Type": "Map",
                    "ItemProcessor": {"StartAt": "X", "States": {"X": {"Type": "Pass", "Next": "Y"}}},
                    "End": True,
                }
            ),
            "Missing 'Next' target: Y at /States/A/ItemProcessor/States/X/Next",
        ),
    ],
)
def test_invalid_definitions_are_rejected_with_state_and_field(
    engine_for_validation: Engine, definition: Any, expected: str
) -> None:
    # Given a definition with one mistake; When it is created; Then CreateStateMachine names the problem
    message = _rejection(engine_for_validation, definition)
    assert expected in message


def test_malformed_json_is_rejected(engine_for_validation: Engine) -> None:
    # Given text that is not JSON; When it is created; Then the definition is invalid JSON
    assert "INVALID_JSON_DESCRIPTION" in _rejection(engine_for_validation, "{not json")


def test_several_problems_are_all_reported(engine_for_validation: Engine) -> None:
    # Given two broken states; When created; Then both problems are listed
    message = _rejection(
        engine_for_validation, _machine(A={"Type": "Pass", "Next": "X"}, B={"Type": "Pass", "Next": "Y"})
    )
    assert "/States/A/Next" in message
    assert "/States/B/Next" in message


def test_validate_state_machine_definition_reports_diagnostics(engine_for_validation: Engine) -> None:
    # Given an invalid definition; When validated through the API; Then the result is FAIL with a location
    result = engine_for_validation.validate_state_machine_definition(
        json.dumps(_machine(A={"Type": "Pass", "Next": "X"}))
    )
    assert result["result"] == "FAIL"
    assert result["diagnostics"][0]["location"] == "/States/A/Next"
    assert (
        engine_for_validation.validate_state_machine_definition(json.dumps(_machine(A={"Type": "Succeed"})))[
            "result"
        ]
        == "OK"
    )


def test_valid_definitions_in_both_query_languages_are_accepted(engine_for_validation: Engine) -> None:
    # Given definitions mixing JSONPath and JSONata states; When created; Then they are accepted
    definition = {
        "StartAt": "A",
        "States": {
            "A": {
                "Type": "Pass",
                "Parameters": {"x.$": "States.Format('{}', $.a)"},
                "Assign": {"v.$": "$.x"},
                "Next": "B",
            },
            "B": {"QueryLanguage": "JSONata", "Type": "Pass", "Output": "{% $v %}", "Next": "C"},
            "C": {"Type": "Wait", "SecondsPath": "$v", "End": True},
        },
    }
    _create(engine_for_validation, definition)
    assert engine_for_validation.list_state_machines()["stateMachines"][0]["name"] == "Invalid"
