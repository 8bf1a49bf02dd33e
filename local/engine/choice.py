"""Choice rules of JSONPath-language Choice states (And/Or/Not, comparisons, Is* tests).

A rule is compiled once, when the definition is built, into a `Condition` on the state's input scope.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from local.engine import jsonpath
from local.engine.errors import StatesError
from local.engine.paths import Scope, resolve
from local.engine.timestamps import parse_timestamp

_MISSING = object()

Condition = Callable[[Scope], bool]


def compile_rule(rule: dict[str, Any]) -> Condition:
    """Compile one (possibly nested, validated) choice rule into a test of the state input."""
    if "And" in rule:
        every = [compile_rule(operand) for operand in rule["And"]]
        return lambda scope: all(condition(scope) for condition in every)
    if "Or" in rule:
        some = [compile_rule(operand) for operand in rule["Or"]]
        return lambda scope: any(condition(scope) for condition in some)
    if "Not" in rule:
        negated = compile_rule(rule["Not"])
        return lambda scope: not negated(scope)
    return _comparison(rule)


def _read(path: str, scope: Scope) -> Any:
    try:
        return resolve(path, scope)
    except jsonpath.JsonPathNotFound:
        return _MISSING


def _present(path: str, scope: Scope) -> Any:
    value = _read(path, scope)
    if value is _MISSING:
        raise _invalid_condition_path(path)
    return value


def _comparison(rule: dict[str, Any]) -> Condition:
    variable = rule["Variable"]
    operator = next(key for key in rule if key in OPERATORS or key in TYPE_TESTS or key.endswith("Path"))
    operand = rule[operator]
    if operator == "IsPresent":
        return lambda scope: (_read(variable, scope) is not _MISSING) == bool(operand)
    if operator in TYPE_TESTS:
        test = TYPE_TESTS[operator]
        return lambda scope: test(_present(variable, scope)) == bool(operand)
    if operator.endswith("Path") and operator[:-4] in OPERATORS:
        compare_path = OPERATORS[operator[:-4]]
        return lambda scope: compare_path(_present(variable, scope), _present(operand, scope))
    compare = OPERATORS[operator]
    return lambda scope: compare(_present(variable, scope), operand)


def _invalid_condition_path(path: str) -> StatesError:
    return StatesError(
        "States.Runtime",
        f"Invalid path '{path}': The choice state's condition path references an invalid value.",
    )


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_timestamp(value: Any) -> bool:
    return isinstance(value, str) and parse_timestamp(value) is not None


def _numeric(compare: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    return lambda value, other: _is_number(value) and _is_number(other) and compare(value, other)


def _string(compare: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    return lambda value, other: isinstance(value, str) and isinstance(other, str) and compare(value, other)


def _timestamp(compare: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    def check(value: Any, other: Any) -> bool:
        if not (isinstance(value, str) and isinstance(other, str)):
            return False
        left, right = parse_timestamp(value), parse_timestamp(other)
        return left is not None and right is not None and compare(left, right)

    return check


def _boolean_equals(value: Any, other: Any) -> bool:
    return isinstance(value, bool) and isinstance(other, bool) and value == other


def string_matches(value: Any, pattern: Any) -> bool:
    """StringMatches: '*' matches any run of characters, '\\*' and '\\\\' are literal."""
    if not isinstance(value, str) or not isinstance(pattern, str):
        return False
    regex = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern) and pattern[index + 1] in "*\\":
            regex.append(re.escape(pattern[index + 1]))
            index += 2
            continue
        regex.append(".*" if char == "*" else re.escape(char))
        index += 1
    return re.fullmatch("".join(regex), value, re.S) is not None


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "Equals": lambda a, b: a == b,
    "LessThan": lambda a, b: a < b,
    "GreaterThan": lambda a, b: a > b,
    "LessThanEquals": lambda a, b: a <= b,
    "GreaterThanEquals": lambda a, b: a >= b,
}

OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    **{f"String{name}": _string(compare) for name, compare in _COMPARE.items()},
    **{f"Numeric{name}": _numeric(compare) for name, compare in _COMPARE.items()},
    **{f"Timestamp{name}": _timestamp(compare) for name, compare in _COMPARE.items()},
    "BooleanEquals": _boolean_equals,
    "StringMatches": string_matches,
}

TYPE_TESTS: dict[str, Callable[[Any], bool]] = {
    "IsNull": lambda value: value is None,
    "IsPresent": lambda value: True,
    "IsNumeric": _is_number,
    "IsString": lambda value: isinstance(value, str),
    "IsBoolean": lambda value: isinstance(value, bool),
    "IsTimestamp": _is_timestamp,
}
