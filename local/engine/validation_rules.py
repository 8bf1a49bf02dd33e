"""Field-level rules of ASL validation: the shape of a finding, paths, templates, Retry and Catch."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from local.engine import intrinsics, jsonpath, paths
from local.engine.jsonata_eval import compile_problem
from local.engine.state_specs import JSONATA

SCHEMA = "SCHEMA_VALIDATION_FAILED"


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


# Fields holding a reference (a JSONPath, "$$..." or "$var...") to be read at run time.
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

# Reference fields inside a Distributed Map's blocks, by their keys from the state.
NESTED_READ_PATH_FIELDS: tuple[tuple[str, ...], ...] = (
    ("ItemReader", "ReaderConfig", "MaxItemsPath"),
    ("ItemBatcher", "MaxItemsPerBatchPath"),
    ("ItemBatcher", "MaxInputBytesPerBatchPath"),
)

# Payload templates: at the state's top level, and inside a Distributed Map's blocks.
TEMPLATE_FIELDS: tuple[tuple[str, ...], ...] = (
    ("Parameters",),
    ("ResultSelector",),
    ("ItemSelector",),
    ("Credentials",),
    ("ItemReader", "Parameters"),
    ("ItemBatcher", "BatchInput"),
    ("ResultWriter", "Parameters"),
)

# The one rule for what a reference field accepts (shared with the run time's `paths.resolve`).
is_valid_reference = paths.is_valid_reference


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
    mockable: bool = False
    """About an integration AWS offers that this engine cannot call: a MockConfigFile may answer it."""

    def render(self) -> str:
        """AWS's rendering of one finding."""
        return f"{self.kind}: {self.message} at {self.location}"


def is_positive_int(value: Any) -> bool:
    """Whether a value is an integer (not a boolean) above zero."""
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def is_non_negative_int(value: Any) -> bool:
    """Whether a value is an integer (not a boolean) of zero or more."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def is_jsonata_string(value: Any, language: str) -> bool:
    """Whether a field value is a JSONata expression in a JSONata state."""
    return language == JSONATA and isinstance(value, str) and value.startswith("{%")


def check_target(
    target: Any, where: str, field_name: str, states: dict[str, Any], problems: list[Problem]
) -> None:
    """A transition target must name a state of the same machine."""
    if not isinstance(target, str) or target not in states:
        problems.append(
            Problem("MISSING_TRANSITION_TARGET", f"Missing '{field_name}' target: {target}", where)
        )


def check_exclusive(state: dict[str, Any], where: str, problems: list[Problem]) -> None:
    """At most one field of each exclusive group."""
    for group in EXCLUSIVE_GROUPS:
        present = [name for name in group if name in state]
        if len(present) > 1:
            listed = ", ".join(f"'{name}'" for name in present)
            problems.append(Problem(SCHEMA, f"These fields cannot be used together: {listed}", where))


def check_jsonpath_fields(state: dict[str, Any], where: str, problems: list[Problem]) -> None:
    """The paths and payload templates of a JSONPath state."""
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
    for keys in NESTED_READ_PATH_FIELDS:
        nested = _nested(state, keys)
        if nested is not None:
            _check_read_path(nested, "/".join((where, *keys)), keys[-1], problems)
    for keys in TEMPLATE_FIELDS:
        template = _nested(state, keys)
        if template is not None:
            _check_template(template, "/".join((where, *keys)), problems)
    if "Assign" in state:
        _check_template(state["Assign"], f"{where}/Assign", problems)


def _nested(block: Any, keys: tuple[str, ...]) -> Any:
    for key in keys:
        if not isinstance(block, dict):
            return None
        block = block.get(key)
    return block


def _check_read_path(value: Any, where: str, field_name: str, problems: list[Problem]) -> None:
    if isinstance(value, str) and is_valid_reference(value):
        return
    problems.append(
        Problem(SCHEMA, f"The value for the field '{field_name}' must be a valid JSONPath", where)
    )


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


def check_jsonata_fields(state: dict[str, Any], where: str, problems: list[Problem]) -> None:
    """The JSONata expressions of a JSONata state compile."""
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


def check_error_handling(
    state: dict[str, Any], where: str, language: str, states: dict[str, Any], problems: list[Problem]
) -> None:
    """Retry and Catch blocks."""
    for index, retrier in enumerate(state.get("Retry") or []):
        _check_retrier(retrier, f"{where}/Retry[{index}]", problems)
    for index, catcher in enumerate(state.get("Catch") or []):
        catcher_where = f"{where}/Catch[{index}]"
        if not isinstance(catcher, dict):
            problems.append(Problem(SCHEMA, "Expected an object", catcher_where))
            continue
        _check_error_equals(catcher, catcher_where, problems)
        check_target(catcher.get("Next"), f"{catcher_where}/Next", "Next", states, problems)
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
        "IntervalSeconds": is_positive_int,
        "MaxAttempts": is_non_negative_int,
        "MaxDelaySeconds": is_positive_int,
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
