"""Static validation of Amazon States Language definitions, as CreateStateMachine does it.

Problems are collected with the AWS error kind and the JSON pointer of the offending field, and reported
in AWS's format: "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: ... at /States/X/Next'".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from local.engine import intrinsics, jsonpath
from local.engine.definition import JSONATA, JSONPATH
from local.engine.errors import ApiError
from local.engine.jsonata_eval import compile_problem
from local.engine.timestamps import parse_timestamp

SCHEMA = "SCHEMA_VALIDATION_FAILED"
STATE_TYPES = ("Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map")
COMMON_FIELDS = {"Type", "Comment", "QueryLanguage"}
FLOW_FIELDS = {"Next", "End"}
JSONPATH_IO = {"InputPath", "OutputPath"}
JSONPATH_RESULT = {"ResultPath", "ResultSelector"}
ERROR_HANDLING = {"Retry", "Catch"}

# Fields each state type accepts, per query language (besides COMMON_FIELDS).
ALLOWED_FIELDS: dict[str, dict[str, set[str]]] = {
    "Pass": {
        JSONPATH: FLOW_FIELDS | JSONPATH_IO | {"ResultPath", "Parameters", "Result", "Assign"},
        JSONATA: FLOW_FIELDS | {"Output", "Assign"},
    },
    "Task": {
        JSONPATH: FLOW_FIELDS
        | JSONPATH_IO
        | JSONPATH_RESULT
        | ERROR_HANDLING
        | {"Resource", "Parameters", "Assign", "Credentials"}
        | {"TimeoutSeconds", "TimeoutSecondsPath", "HeartbeatSeconds", "HeartbeatSecondsPath"},
        JSONATA: FLOW_FIELDS
        | ERROR_HANDLING
        | {"Resource", "Arguments", "Output", "Assign", "Credentials", "TimeoutSeconds", "HeartbeatSeconds"},
    },
    "Choice": {
        JSONPATH: JSONPATH_IO | {"Choices", "Default", "Assign"},
        JSONATA: {"Choices", "Default", "Output", "Assign"},
    },
    "Wait": {
        JSONPATH: FLOW_FIELDS
        | JSONPATH_IO
        | {"Seconds", "SecondsPath", "Timestamp", "TimestampPath", "Assign"},
        JSONATA: FLOW_FIELDS | {"Seconds", "Timestamp", "Output", "Assign"},
    },
    "Succeed": {JSONPATH: JSONPATH_IO, JSONATA: {"Output"}},
    "Fail": {JSONPATH: {"Error", "ErrorPath", "Cause", "CausePath"}, JSONATA: {"Error", "Cause"}},
    "Parallel": {
        JSONPATH: FLOW_FIELDS
        | JSONPATH_IO
        | JSONPATH_RESULT
        | ERROR_HANDLING
        | {"Branches", "Parameters", "Assign"},
        JSONATA: FLOW_FIELDS | ERROR_HANDLING | {"Branches", "Arguments", "Output", "Assign"},
    },
    "Map": {
        JSONPATH: FLOW_FIELDS
        | JSONPATH_IO
        | JSONPATH_RESULT
        | ERROR_HANDLING
        | {"Iterator", "ItemProcessor", "ItemsPath", "ItemSelector", "Parameters", "Assign", "Label"}
        | {"MaxConcurrency", "MaxConcurrencyPath", "ItemReader", "ItemBatcher", "ResultWriter"}
        | {"ToleratedFailureCount", "ToleratedFailureCountPath"}
        | {"ToleratedFailurePercentage", "ToleratedFailurePercentagePath"},
        JSONATA: FLOW_FIELDS
        | ERROR_HANDLING
        | {"ItemProcessor", "Items", "ItemSelector", "Output", "Assign", "Label", "MaxConcurrency"}
        | {
            "ItemReader",
            "ItemBatcher",
            "ResultWriter",
            "ToleratedFailureCount",
            "ToleratedFailurePercentage",
        },
    },
}

# Pairs (or groups) of fields of which at most one may be given.
EXCLUSIVE_GROUPS = (
    ("Seconds", "SecondsPath", "Timestamp", "TimestampPath"),
    ("Error", "ErrorPath"),
    ("Cause", "CausePath"),
    ("TimeoutSeconds", "TimeoutSecondsPath"),
    ("HeartbeatSeconds", "HeartbeatSecondsPath"),
    ("MaxConcurrency", "MaxConcurrencyPath"),
    ("ToleratedFailureCount", "ToleratedFailureCountPath"),
    ("ToleratedFailurePercentage", "ToleratedFailurePercentagePath"),
    ("Iterator", "ItemProcessor"),
    ("Parameters", "ItemSelector"),
)

# Fields holding a JSONPath (possibly "$$..." or "$var...") to be read at run time.
READ_PATH_FIELDS = (
    "InputPath",
    "OutputPath",
    "ItemsPath",
    "SecondsPath",
    "TimestampPath",
    "TimeoutSecondsPath",
    "HeartbeatSecondsPath",
    "MaxConcurrencyPath",
    "ToleratedFailureCountPath",
    "ToleratedFailurePercentagePath",
)

COMPARISON_OPERATORS = {
    f"{kind}{op}{suffix}"
    for kind in ("String", "Numeric", "Timestamp")
    for op in ("Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals")
    for suffix in ("", "Path")
} | {
    "BooleanEquals",
    "BooleanEqualsPath",
    "StringMatches",
    "IsNull",
    "IsPresent",
    "IsNumeric",
    "IsString",
    "IsBoolean",
    "IsTimestamp",
}


@dataclass(frozen=True)
class Problem:
    """One validation finding."""

    kind: str
    message: str
    location: str

    def render(self) -> str:
        """AWS's rendering of one finding."""
        return f"{self.kind}: {self.message} at {self.location}"


def validate_definition(raw: dict[str, Any]) -> list[Problem]:
    """Every problem found in the definition (an empty list when it is valid)."""
    problems: list[Problem] = []
    top_language = raw.get("QueryLanguage", JSONPATH)
    if top_language not in (JSONPATH, JSONATA):
        problems.append(
            Problem(SCHEMA, f"Value is not a valid query language: {top_language}", "/QueryLanguage")
        )
        top_language = JSONPATH
    timeout = raw.get("TimeoutSeconds")
    if timeout is not None and not _is_positive_int(timeout):
        problems.append(Problem(SCHEMA, "TimeoutSeconds must be a positive integer", "/TimeoutSeconds"))
    _validate_machine(raw, "", top_language, problems)
    return problems


def raise_if_invalid(raw: dict[str, Any]) -> None:
    """Raise ApiError("InvalidDefinition") listing every problem, as CreateStateMachine does."""
    problems = validate_definition(raw)
    if problems:
        listed = ", ".join(f"'{p.render()}'" for p in problems)
        raise ApiError("InvalidDefinition", f"Invalid State Machine Definition: {listed}")


def _is_positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _is_non_negative_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _validate_machine(raw: Any, base: str, language: str, problems: list[Problem]) -> None:
    if not isinstance(raw, dict):
        problems.append(Problem(SCHEMA, "Expected an object", base or "/"))
        return
    states = raw.get("States")
    start_at = raw.get("StartAt")
    missing = [name for name, value in (("StartAt", start_at), ("States", states)) if value is None]
    if missing:
        problems.append(Problem(SCHEMA, f"These fields are required: [{', '.join(missing)}]", base or "/"))
        return
    if not isinstance(states, dict) or not states:
        problems.append(Problem(SCHEMA, "States must be a non-empty object", f"{base}/States"))
        return
    local_language = raw.get("QueryLanguage", language)
    if local_language not in (JSONPATH, JSONATA):
        local_language = language
    if not isinstance(start_at, str) or start_at not in states:
        problems.append(
            Problem("MISSING_TRANSITION_TARGET", f"Missing 'StartAt' target: {start_at}", f"{base}/StartAt")
        )
    for name, state in states.items():
        _validate_state(name, state, f"{base}/States/{name}", local_language, states, problems=problems)
    if isinstance(start_at, str) and start_at in states:
        _check_reachability(start_at, states, base, problems)


def _check_reachability(start_at: str, states: dict[str, Any], base: str, problems: list[Problem]) -> None:
    reached = {start_at}
    pending = [start_at]
    while pending:
        state = states.get(pending.pop())
        if not isinstance(state, dict):
            continue
        for target in _transitions(state):
            if target in states and target not in reached:
                reached.add(target)
                pending.append(target)
    for name in states:
        if name not in reached:
            problems.append(
                Problem("UNREACHABLE_STATE", f"State '{name}' is not reachable.", f"{base}/States/{name}")
            )
    if not any(_is_terminal(state) for state in states.values() if isinstance(state, dict)):
        problems.append(Problem("MISSING_END_STATE", "Workflow has no terminal state", base or "/"))


def _transitions(state: dict[str, Any]) -> Iterable[str]:
    targets: list[Any] = [state.get("Next"), state.get("Default")]
    for rule in state.get("Choices") or []:
        if isinstance(rule, dict):
            targets.append(rule.get("Next"))
    for catcher in state.get("Catch") or []:
        if isinstance(catcher, dict):
            targets.append(catcher.get("Next"))
    return [t for t in targets if isinstance(t, str)]


def _is_terminal(state: dict[str, Any]) -> bool:
    return state.get("End") is True or state.get("Type") in ("Succeed", "Fail", "Choice")


def _validate_state(
    name: str, state: Any, where: str, language: str, states: dict[str, Any], *, problems: list[Problem]
) -> None:
    if not isinstance(state, dict):
        problems.append(Problem(SCHEMA, "Expected an object", where))
        return
    if len(name) > 80:
        problems.append(Problem(SCHEMA, "State name exceeds 80 characters", where))
    state_type = state.get("Type")
    if state_type is None:
        problems.append(Problem(SCHEMA, "These fields are required: [Type]", where))
        return
    if state_type not in STATE_TYPES:
        problems.append(Problem(SCHEMA, f"Invalid State Type: {state_type}", f"{where}/Type"))
        return
    state_language = _state_language(state, where, language, problems)
    _check_fields(state, state_type, state_language, where, problems)
    _check_flow(state, state_type, where, states, problems)
    _check_exclusive(state, where, problems)
    if state_language == JSONPATH:
        _check_jsonpath_fields(state, where, problems)
    else:
        _check_jsonata_fields(state, where, problems)
    TYPE_CHECKS[state_type](state, where, state_language, states, problems)
    _check_error_handling(state, where, state_language, states, problems)


def _state_language(state: dict[str, Any], where: str, language: str, problems: list[Problem]) -> str:
    declared = state.get("QueryLanguage")
    if declared is None:
        return language
    if declared not in (JSONPATH, JSONATA):
        problems.append(
            Problem(SCHEMA, f"Value is not a valid query language: {declared}", f"{where}/QueryLanguage")
        )
        return language
    if language == JSONATA and declared == JSONPATH:
        problems.append(
            Problem(
                SCHEMA,
                "The QueryLanguage of a state cannot be JSONPath when the state machine uses JSONata",
                f"{where}/QueryLanguage",
            )
        )
    return str(declared)


def _check_fields(
    state: dict[str, Any], state_type: str, language: str, where: str, problems: list[Problem]
) -> None:
    allowed = ALLOWED_FIELDS[state_type][language] | COMMON_FIELDS
    other_language = JSONATA if language == JSONPATH else JSONPATH
    other_allowed = ALLOWED_FIELDS[state_type][other_language]
    for key in state:
        if key in allowed:
            continue
        if key in other_allowed:
            message = f"The field '{key}' is not supported for the {language} query language"
        else:
            message = f"Field '{key}' is not supported by Step Functions"
        problems.append(Problem(SCHEMA, message, f"{where}/{key}"))


def _check_flow(
    state: dict[str, Any], state_type: str, where: str, states: dict[str, Any], problems: list[Problem]
) -> None:
    if state_type in ("Choice", "Succeed", "Fail"):
        return
    has_next, has_end = "Next" in state, "End" in state
    if has_next and has_end:
        problems.append(Problem(SCHEMA, "Only one of 'Next' or 'End' may be given", where))
    elif not has_next and not has_end:
        problems.append(Problem(SCHEMA, "These fields are required: [Next or End]", where))
    elif has_end and state["End"] is not True:
        problems.append(Problem(SCHEMA, "Field 'End' must be true", f"{where}/End"))
    if has_next:
        _check_target(state["Next"], f"{where}/Next", "Next", states, problems)


def _check_target(
    target: Any, where: str, field_name: str, states: dict[str, Any], problems: list[Problem]
) -> None:
    if not isinstance(target, str) or target not in states:
        problems.append(
            Problem("MISSING_TRANSITION_TARGET", f"Missing '{field_name}' target: {target}", where)
        )


def _check_exclusive(state: dict[str, Any], where: str, problems: list[Problem]) -> None:
    for group in EXCLUSIVE_GROUPS:
        present = [name for name in group if name in state]
        if len(present) > 1:
            listed = ", ".join(f"'{name}'" for name in present)
            problems.append(Problem(SCHEMA, f"These fields cannot be used together: {listed}", where))


def _check_jsonpath_fields(state: dict[str, Any], where: str, problems: list[Problem]) -> None:
    for key in READ_PATH_FIELDS:
        if key not in state:
            continue
        value = state[key]
        if value is None and key in ("InputPath", "OutputPath"):
            continue
        _check_read_path(value, f"{where}/{key}", key, problems)
    if "ResultPath" in state and state["ResultPath"] is not None:
        value = state["ResultPath"]
        if not isinstance(value, str) or not value.startswith("$") or value.startswith("$$"):
            problems.append(
                Problem(SCHEMA, "The value for the field 'ResultPath' must be a valid JSONPath", where)
            )
        elif not jsonpath.is_valid_path(value) or not jsonpath.is_definite(value):
            problems.append(
                Problem(
                    SCHEMA,
                    "The value for the field 'ResultPath' must be a valid JSONPath",
                    f"{where}/ResultPath",
                )
            )
    for key in ("Parameters", "ResultSelector", "ItemSelector"):
        if key in state:
            _check_template(state[key], f"{where}/{key}", problems)
    if "Assign" in state:
        _check_template(state["Assign"], f"{where}/Assign", problems)


def _check_read_path(value: Any, where: str, field_name: str, problems: list[Problem]) -> None:
    if isinstance(value, str) and is_valid_reference(value):
        return
    problems.append(
        Problem(SCHEMA, f"The value for the field '{field_name}' must be a valid JSONPath", where)
    )


def is_valid_reference(path: str) -> bool:
    """Whether `path` is a JSONPath, a context path ("$$...") or a variable reference ("$var...")."""
    if path.startswith("$$"):
        return jsonpath.is_valid_path(path[1:])
    if path.startswith("$") and len(path) > 1 and (path[1].isalpha() or path[1] == "_"):
        rest = path[1:]
        cut = len(rest)
        for index, char in enumerate(rest):
            if char in ".[":
                cut = index
                break
        return jsonpath.is_valid_path("$" + rest[cut:])
    return path.startswith("$") and jsonpath.is_valid_path(path)


def _check_template(template: Any, where: str, problems: list[Problem]) -> None:
    if isinstance(template, dict):
        for key, value in template.items():
            if isinstance(key, str) and key.endswith(".$"):
                _check_dynamic_value(value, f"{where}/{key}", key, problems)
            else:
                _check_template(value, f"{where}/{key}", problems)
    elif isinstance(template, list):
        for index, item in enumerate(template):
            _check_template(item, f"{where}[{index}]", problems)


def _check_dynamic_value(value: Any, where: str, key: str, problems: list[Problem]) -> None:
    if not isinstance(value, str):
        problems.append(
            Problem(
                SCHEMA, f"The value for the field '{key}' must be a STRING that contains a JSONPath", where
            )
        )
        return
    if intrinsics.is_intrinsic(value):
        try:
            intrinsics.validate(value)
        except ValueError as exc:
            problems.append(
                Problem(
                    SCHEMA,
                    f"The value for the field '{key}' must be a valid intrinsic function: {exc}",
                    where,
                )
            )
        return
    if not is_valid_reference(value):
        problems.append(Problem(SCHEMA, f"The value for the field '{key}' must be a valid JSONPath", where))


def _check_jsonata_fields(state: dict[str, Any], where: str, problems: list[Problem]) -> None:
    for key in ("Output", "Arguments", "Assign", "Items", "ItemSelector"):
        if key in state:
            _check_jsonata_template(state[key], f"{where}/{key}", problems)


def _check_jsonata_template(template: Any, where: str, problems: list[Problem]) -> None:
    if isinstance(template, dict):
        for key, value in template.items():
            _check_jsonata_template(value, f"{where}/{key}", problems)
    elif isinstance(template, list):
        for index, item in enumerate(template):
            _check_jsonata_template(item, f"{where}[{index}]", problems)
    elif isinstance(template, str) and template.startswith("{%"):
        problem = compile_problem(template)
        if problem is not None:
            problems.append(Problem(SCHEMA, problem, where))


# ------------------------------------------------------------------ per-type checks


def _check_pass(
    state: dict[str, Any], where: str, language: str, states: dict[str, Any], problems: list[Problem]
) -> None:
    return None


def _check_succeed(
    state: dict[str, Any], where: str, language: str, states: dict[str, Any], problems: list[Problem]
) -> None:
    return None


def _check_task(
    state: dict[str, Any], where: str, language: str, states: dict[str, Any], problems: list[Problem]
) -> None:
    resource = state.get("Resource")
    if not isinstance(resource, str) or not resource.startswith("arn:"):
        problems.append(Problem(SCHEMA, "Value is not a valid resource ARN", f"{where}/Resource"))
    for key in ("TimeoutSeconds", "HeartbeatSeconds"):
        value = state.get(key)
        if value is None or (language == JSONATA and isinstance(value, str) and value.startswith("{%")):
            continue
        if not _is_positive_int(value):
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


def _check_fail(
    state: dict[str, Any], where: str, language: str, states: dict[str, Any], problems: list[Problem]
) -> None:
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


def _check_wait(
    state: dict[str, Any], where: str, language: str, states: dict[str, Any], problems: list[Problem]
) -> None:
    given = [key for key in ("Seconds", "SecondsPath", "Timestamp", "TimestampPath") if key in state]
    if not given:
        problems.append(
            Problem(
                SCHEMA, "A Wait state requires one of: Seconds, SecondsPath, Timestamp, TimestampPath", where
            )
        )
        return
    seconds, timestamp = state.get("Seconds"), state.get("Timestamp")
    if _is_jsonata_string(seconds, language) or _is_jsonata_string(timestamp, language):
        return
    if "Seconds" in state and not _is_non_negative_int(seconds):
        problems.append(
            Problem(SCHEMA, "The field 'Seconds' must be a non-negative integer", f"{where}/Seconds")
        )
    if "Timestamp" in state and (not isinstance(timestamp, str) or parse_timestamp(timestamp) is None):
        problems.append(
            Problem(
                SCHEMA,
                "The field 'Timestamp' must be an ISO-8601 extended offset date-time",
                f"{where}/Timestamp",
            )
        )


def _is_jsonata_string(value: Any, language: str) -> bool:
    return language == JSONATA and isinstance(value, str) and value.startswith("{%")


def _check_choice(
    state: dict[str, Any], where: str, language: str, states: dict[str, Any], problems: list[Problem]
) -> None:
    choices = state.get("Choices")
    if not isinstance(choices, list) or not choices:
        problems.append(Problem(SCHEMA, "These fields are required: [Choices]", where))
        return
    for index, rule in enumerate(choices):
        rule_where = f"{where}/Choices[{index}]"
        if not isinstance(rule, dict):
            problems.append(Problem(SCHEMA, "Expected an object", rule_where))
            continue
        _check_target(rule.get("Next"), f"{rule_where}/Next", "Next", states, problems)
        if language == JSONATA:
            if "Condition" not in rule:
                problems.append(Problem(SCHEMA, "These fields are required: [Condition]", rule_where))
        else:
            _check_choice_rule(rule, rule_where, problems, top_level=True)
    if "Default" in state:
        _check_target(state["Default"], f"{where}/Default", "Default", states, problems)


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


def _check_parallel(
    state: dict[str, Any], where: str, language: str, states: dict[str, Any], problems: list[Problem]
) -> None:
    branches = state.get("Branches")
    if not isinstance(branches, list) or not branches:
        problems.append(Problem(SCHEMA, "These fields are required: [Branches]", where))
        return
    for index, branch in enumerate(branches):
        _validate_machine(branch, f"{where}/Branches[{index}]", language, problems)


def _check_map(
    state: dict[str, Any], where: str, language: str, states: dict[str, Any], problems: list[Problem]
) -> None:
    processor_field = "ItemProcessor" if "ItemProcessor" in state else "Iterator"
    processor = state.get(processor_field)
    if processor is None:
        problems.append(Problem(SCHEMA, "These fields are required: [ItemProcessor]", where))
        return
    if isinstance(processor, dict):
        config = processor.get("ProcessorConfig") or {}
        mode = config.get("Mode", "INLINE") if isinstance(config, dict) else None
        if mode not in ("INLINE", "DISTRIBUTED"):
            problems.append(
                Problem(
                    SCHEMA,
                    "Value is not a valid processor mode",
                    f"{where}/{processor_field}/ProcessorConfig/Mode",
                )
            )
        inner = {k: v for k, v in processor.items() if k != "ProcessorConfig"}
        _validate_machine(inner, f"{where}/{processor_field}", language, problems)
    else:
        _validate_machine(processor, f"{where}/{processor_field}", language, problems)
    _check_map_numbers(state, where, language, problems)


def _check_map_numbers(state: dict[str, Any], where: str, language: str, problems: list[Problem]) -> None:
    for key in ("MaxConcurrency", "ToleratedFailureCount"):
        value = state.get(key)
        if value is None or _is_jsonata_string(value, language):
            continue
        if not _is_non_negative_int(value):
            problems.append(
                Problem(SCHEMA, f"The field '{key}' must be a non-negative integer", f"{where}/{key}")
            )
    percentage = state.get("ToleratedFailurePercentage")
    if percentage is not None and not _is_jsonata_string(percentage, language):
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


def _check_error_handling(
    state: dict[str, Any], where: str, language: str, states: dict[str, Any], problems: list[Problem]
) -> None:
    for index, retrier in enumerate(state.get("Retry") or []):
        _check_retrier(retrier, f"{where}/Retry[{index}]", problems)
    for index, catcher in enumerate(state.get("Catch") or []):
        catcher_where = f"{where}/Catch[{index}]"
        if not isinstance(catcher, dict):
            problems.append(Problem(SCHEMA, "Expected an object", catcher_where))
            continue
        _check_error_equals(catcher, catcher_where, problems)
        _check_target(catcher.get("Next"), f"{catcher_where}/Next", "Next", states, problems)
        result_path = catcher.get("ResultPath")
        if language == JSONATA and "ResultPath" in catcher:
            problems.append(
                Problem(
                    SCHEMA,
                    "The field 'ResultPath' is not supported for the JSONata query language",
                    f"{catcher_where}/ResultPath",
                )
            )
        elif isinstance(result_path, str) and not (
            result_path.startswith("$") and jsonpath.is_valid_path(result_path)
        ):
            problems.append(
                Problem(
                    SCHEMA,
                    "The value for the field 'ResultPath' must be a valid JSONPath",
                    f"{catcher_where}/ResultPath",
                )
            )


def _check_retrier(retrier: Any, where: str, problems: list[Problem]) -> None:
    if not isinstance(retrier, dict):
        problems.append(Problem(SCHEMA, "Expected an object", where))
        return
    _check_error_equals(retrier, where, problems)
    checks: dict[str, Callable[[Any], bool]] = {
        "IntervalSeconds": _is_positive_int,
        "MaxAttempts": _is_non_negative_int,
        "MaxDelaySeconds": _is_positive_int,
        "BackoffRate": lambda v: isinstance(v, int | float) and not isinstance(v, bool) and v >= 1.0,
        "JitterStrategy": lambda v: v in ("FULL", "NONE"),
    }
    for key, check in checks.items():
        if key in retrier and not check(retrier[key]):
            problems.append(Problem(SCHEMA, f"Invalid value for the field '{key}'", f"{where}/{key}"))
    for key in retrier:
        if key not in checks and key not in ("ErrorEquals", "Comment"):
            problems.append(
                Problem(SCHEMA, f"Field '{key}' is not supported by Step Functions", f"{where}/{key}")
            )


def _check_error_equals(block: dict[str, Any], where: str, problems: list[Problem]) -> None:
    names = block.get("ErrorEquals")
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        problems.append(Problem(SCHEMA, "These fields are required: [ErrorEquals]", where))
        return
    if "States.ALL" in names and len(names) > 1:
        problems.append(
            Problem(SCHEMA, "States.ALL must appear alone in an ErrorEquals array", f"{where}/ErrorEquals")
        )


TYPE_CHECKS: dict[str, Callable[..., None]] = {
    "Pass": _check_pass,
    "Task": _check_task,
    "Choice": _check_choice,
    "Wait": _check_wait,
    "Succeed": _check_succeed,
    "Fail": _check_fail,
    "Parallel": _check_parallel,
    "Map": _check_map,
}
