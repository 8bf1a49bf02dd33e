"""Validation rules of the individual state types (Task, Fail, Wait, Choice, Map limits)."""

from __future__ import annotations

from typing import Any

from local.engine import intrinsics, resources
from local.engine.state_specs import JSONATA, JSONPATH, MAX_WAIT_SECONDS
from local.engine.timestamps import parse_timestamp
from local.engine.validation_rules import (
    COMPARISON_OPERATORS,
    SCHEMA,
    Problem,
    check_target,
    is_jsonata_string,
    is_non_negative_int,
    is_positive_int,
    is_valid_reference,
)


def check_task(
    state: dict[str, Any], where: str, language: str, states: dict[str, Any], problems: list[Problem]
) -> None:
    """Resource and time limits of a Task state."""
    resource = state.get("Resource")
    if not isinstance(resource, str) or not resource.startswith("arn:"):
        problems.append(Problem(SCHEMA, "Value is not a valid resource ARN", f"{where}/Resource"))
    elif (unrecognized := resources.unrecognized(resource)) is not None:
        mockable = resources.parse_resource(resource).kind == "integration"
        problems.append(Problem(SCHEMA, unrecognized, f"{where}/Resource", mockable=mockable))
    for key in ("TimeoutSeconds", "HeartbeatSeconds"):
        value = state.get(key)
        if value is None or (language == JSONATA and isinstance(value, str) and value.startswith("{%")):
            continue
        if not is_positive_int(value):
            problems.append(
                Problem(SCHEMA, f"The field '{key}' must be a positive integer", f"{where}/{key}")
            )
    timeout, heartbeat = state.get("TimeoutSeconds"), state.get("HeartbeatSeconds")
    if isinstance(timeout, int) and isinstance(heartbeat, int) and heartbeat > 0 and heartbeat >= timeout:
        problems.append(
            Problem(
                SCHEMA,
                "The value of 'HeartbeatSeconds' must be smaller than 'TimeoutSeconds'",
                f"{where}/HeartbeatSeconds",
            )
        )


def check_fail(
    state: dict[str, Any], where: str, language: str, states: dict[str, Any], problems: list[Problem]
) -> None:
    """ErrorPath and CausePath of a JSONPath Fail state."""
    if language != JSONPATH:
        return
    for key in ("ErrorPath", "CausePath"):
        value = state.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            problems.append(
                Problem(SCHEMA, f"The value for the field '{key}' must be a valid JSONPath", f"{where}/{key}")
            )
        elif intrinsics.is_intrinsic(value):
            try:
                intrinsics.validate(value)
            except ValueError as exc:
                problems.append(
                    Problem(SCHEMA, f"Invalid intrinsic function in '{key}': {exc}", f"{where}/{key}")
                )
        elif not is_valid_reference(value):
            problems.append(
                Problem(SCHEMA, f"The value for the field '{key}' must be a valid JSONPath", f"{where}/{key}")
            )


def check_wait(
    state: dict[str, Any], where: str, language: str, states: dict[str, Any], problems: list[Problem]
) -> None:
    """A Wait state says until when, with a valid number or timestamp."""
    given = [key for key in ("Seconds", "SecondsPath", "Timestamp", "TimestampPath") if key in state]
    if not given:
        problems.append(
            Problem(
                SCHEMA, "A Wait state requires one of: Seconds, SecondsPath, Timestamp, TimestampPath", where
            )
        )
        return
    seconds, timestamp = state.get("Seconds"), state.get("Timestamp")
    if is_jsonata_string(seconds, language) or is_jsonata_string(timestamp, language):
        return
    if "Seconds" in state and not is_non_negative_int(seconds):
        problems.append(
            Problem(SCHEMA, "The field 'Seconds' must be a non-negative integer", f"{where}/Seconds")
        )
    elif isinstance(seconds, int) and seconds > MAX_WAIT_SECONDS:
        problems.append(
            Problem(SCHEMA, f"The field 'Seconds' must be at most {MAX_WAIT_SECONDS}", f"{where}/Seconds")
        )
    if "Timestamp" in state and (not isinstance(timestamp, str) or parse_timestamp(timestamp) is None):
        problems.append(
            Problem(
                SCHEMA,
                "The field 'Timestamp' must be an ISO-8601 extended offset date-time",
                f"{where}/Timestamp",
            )
        )


def check_choice(
    state: dict[str, Any], where: str, language: str, states: dict[str, Any], problems: list[Problem]
) -> None:
    """The rules and Default of a Choice state."""
    choices = state.get("Choices")
    if not isinstance(choices, list) or not choices:
        problems.append(Problem(SCHEMA, "These fields are required: [Choices]", where))
        return
    for index, rule in enumerate(choices):
        rule_where = f"{where}/Choices[{index}]"
        if not isinstance(rule, dict):
            problems.append(Problem(SCHEMA, "Expected an object", rule_where))
            continue
        check_target(rule.get("Next"), f"{rule_where}/Next", "Next", states, problems)
        if language == JSONATA:
            if "Condition" not in rule:
                problems.append(Problem(SCHEMA, "These fields are required: [Condition]", rule_where))
        else:
            _check_choice_rule(rule, rule_where, problems, top_level=True)
    if "Default" in state:
        check_target(state["Default"], f"{where}/Default", "Default", states, problems)


def _check_choice_rule(rule: Any, where: str, problems: list[Problem], *, top_level: bool) -> None:
    if not isinstance(rule, dict):
        problems.append(Problem(SCHEMA, "Expected an object", where))
        return
    allowed = {"Next", "Assign", "Comment"} if top_level else {"Comment"}
    for combinator in ("And", "Or"):
        if combinator in rule:
            operands = rule[combinator]
            if not isinstance(operands, list) or not operands:
                problems.append(
                    Problem(SCHEMA, f"'{combinator}' must be a non-empty array", f"{where}/{combinator}")
                )
                return
            for index, operand in enumerate(operands):
                _check_choice_rule(operand, f"{where}/{combinator}[{index}]", problems, top_level=False)
            return
    if "Not" in rule:
        _check_choice_rule(rule["Not"], f"{where}/Not", problems, top_level=False)
        return
    operators = [key for key in rule if key in COMPARISON_OPERATORS]
    unknown = [
        key for key in rule if key not in COMPARISON_OPERATORS and key not in allowed and key != "Variable"
    ]
    for key in unknown:
        problems.append(
            Problem(SCHEMA, f"Field '{key}' is not supported by Step Functions", f"{where}/{key}")
        )
    if len(operators) != 1:
        problems.append(Problem(SCHEMA, "A choice rule must have exactly one comparison operator", where))
        return
    variable = rule.get("Variable")
    if not isinstance(variable, str) or not is_valid_reference(variable):
        problems.append(
            Problem(
                SCHEMA, "The value for the field 'Variable' must be a valid JSONPath", f"{where}/Variable"
            )
        )
    operator = operators[0]
    if operator.endswith("Path"):
        value = rule[operator]
        if not isinstance(value, str) or not is_valid_reference(value):
            problems.append(
                Problem(
                    SCHEMA,
                    f"The value for the field '{operator}' must be a valid JSONPath",
                    f"{where}/{operator}",
                )
            )


def check_map_numbers(state: dict[str, Any], where: str, language: str, problems: list[Problem]) -> None:
    """MaxConcurrency and the tolerated failure thresholds of a Map state."""
    for key in ("MaxConcurrency", "ToleratedFailureCount"):
        value = state.get(key)
        if value is None or is_jsonata_string(value, language):
            continue
        if not is_non_negative_int(value):
            problems.append(
                Problem(SCHEMA, f"The field '{key}' must be a non-negative integer", f"{where}/{key}")
            )
    percentage = state.get("ToleratedFailurePercentage")
    if percentage is not None and not is_jsonata_string(percentage, language):
        valid = (
            isinstance(percentage, int | float)
            and not isinstance(percentage, bool)
            and 0 <= percentage <= 100
        )
        if not valid:
            problems.append(
                Problem(
                    SCHEMA,
                    "The field 'ToleratedFailurePercentage' must be between 0 and 100",
                    f"{where}/ToleratedFailurePercentage",
                )
            )
