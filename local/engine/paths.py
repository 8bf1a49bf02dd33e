"""JSONPath-language data flow: reference paths, variables, payload templates and ResultPath.

A reference is one of "$..." (the state input), "$$..." (the context object) or "$name..." (a variable).
Every field that reads a path accepts all three, and is validated by `is_valid_reference` and read by
`resolve`: InputPath, OutputPath, ItemsPath, SecondsPath, TimestampPath, TimeoutSecondsPath,
HeartbeatSecondsPath, MaxConcurrencyPath, ToleratedFailure*Path, ErrorPath, CausePath, a Choice rule's
Variable and *Path operands, and the "key.$" entries of payload templates (Parameters, ResultSelector,
ItemSelector, Assign, Credentials). ResultPath is the exception: it writes into the state's input, so a
variable reference there is refused.
Payload templates are compiled once per state and evaluated against a `Scope`.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from local.engine import intrinsics, jsonpath
from local.engine.errors import StatesError

RUNTIME = "States.Runtime"


class VariableScope(Mapping[str, Any]):
    """Variables visible to a state: its own scope, then the enclosing scopes (read-only)."""

    def __init__(self, own: dict[str, Any], outer: Mapping[str, Any] | None = None) -> None:
        self.own = own
        self.outer = outer

    def __getitem__(self, key: str) -> Any:
        if key in self.own:
            return self.own[key]
        if self.outer is not None:
            return self.outer[key]
        raise KeyError(key)

    def __contains__(self, key: object) -> bool:
        return key in self.own or (self.outer is not None and key in self.outer)

    def __iter__(self) -> Iterator[str]:
        seen = set(self.own)
        yield from self.own
        if self.outer is not None:
            for key in self.outer:
                if key not in seen:
                    yield key

    def __len__(self) -> int:
        return sum(1 for _ in self)


class Scope:
    """What a path or template can read: the current value ("$"), the context object and variables.

    The context object is built only when something reads it (most templates never do).
    """

    __slots__ = ("_context", "_make_context", "value", "variables")

    def __init__(self, value: Any, context: Callable[[], Any] | Any, variables: Mapping[str, Any]) -> None:
        self.value = value
        self.variables = variables
        self._make_context = context if callable(context) else None
        self._context = None if callable(context) else context

    @property
    def context(self) -> Any:
        """The context object (`$$`)."""
        if self._make_context is not None:
            self._context = self._make_context()
            self._make_context = None
        return self._context


_VARIABLE = re.compile(r"^\$([A-Za-z_][A-Za-z0-9_]*)(.*)$", re.S)


def json_compact(value: Any) -> str:
    """Compact JSON as Step Functions renders data inside messages."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


@functools.lru_cache(maxsize=4096)
def split_variable(path: str) -> tuple[str, str] | None:
    """A variable reference's name and the JSONPath read from its value ("$v.a" -> ("v", "$.a"))."""
    match = _VARIABLE.match(path)
    if match is None:
        return None
    return match.group(1), "$" + match.group(2)


def is_valid_reference(path: str) -> bool:
    """Whether `path` is a JSONPath, a context path ("$$...") or a variable reference ("$var...")."""
    if path.startswith("$$"):
        return jsonpath.is_valid_path(path[1:])
    variable = split_variable(path)
    if variable is not None:
        return jsonpath.is_valid_path(variable[1])
    return path.startswith("$") and jsonpath.is_valid_path(path)


def resolve(path: str, scope: Scope) -> Any:
    """Read a reference path; raises jsonpath.JsonPathNotFound when nothing matches."""
    if path.startswith("$$"):
        return jsonpath.select(path[1:], scope.context)
    variable = split_variable(path)
    if variable is not None:
        name, rest = variable
        if name not in scope.variables:
            raise jsonpath.JsonPathNotFound(path)
        value = scope.variables[name]
        return value if rest == "$" else jsonpath.select(rest, value)
    return jsonpath.select(path, scope.value)


def resolve_field_path(path: str, scope: Scope) -> Any:
    """Resolve InputPath/OutputPath/*SecondsPath: a miss is States.Runtime 'Invalid path ...'."""
    try:
        return resolve(path, scope)
    except jsonpath.JsonPathNotFound as exc:
        raise StatesError(RUNTIME, f"Invalid path '{path}' : {exc.detail}") from exc


def apply_result_path(result_path: str | None, state_input: Any, result: Any, has_field: bool) -> Any:
    """Combine state input and result the way ResultPath says (absent: result; null: input)."""
    if not has_field or result_path == "$":
        return result
    if result_path is None:
        return state_input
    try:
        return jsonpath.assign(result_path, state_input, result)
    except jsonpath.ResultPathMatchFailure as exc:
        raise StatesError(RUNTIME, str(exc)) from exc


# ------------------------------------------------------------------ payload templates

Evaluator = Callable[[Scope], Any]


def compile_template(template: Any) -> Evaluator:
    """Compile a payload template (keys ending in ".$" are evaluated) into a reusable evaluator."""
    if isinstance(template, dict):
        entries = [_compile_entry(key, value) for key, value in template.items()]

        def evaluate_object(scope: Scope) -> Any:
            return {key: evaluate(scope) for key, evaluate in entries}

        return evaluate_object
    if isinstance(template, list):
        items = [compile_template(item) for item in template]
        return lambda scope: [evaluate(scope) for evaluate in items]
    return lambda scope: template


def _compile_entry(key: str, value: Any) -> tuple[str, Evaluator]:
    if not key.endswith(".$") or not isinstance(value, str):
        return key, compile_template(value)
    return key[:-2], compile_value_expression(value, key)


def compile_value_expression(expression: str, field_name: str) -> Evaluator:
    """A path-or-intrinsic expression (a template's "key.$" value, ErrorPath, ...) with AWS's miss message."""
    if intrinsics.is_intrinsic(expression):
        return lambda scope: intrinsics.evaluate(
            expression, input=scope.value, context=scope.context, variables=scope.variables, field=field_name
        )

    def evaluate_path(scope: Scope) -> Any:
        try:
            return resolve(expression, scope)
        except jsonpath.JsonPathNotFound as exc:
            document = scope.context if expression.startswith("$$") else scope.value
            raise StatesError(
                RUNTIME,
                f"The JSONPath '{expression}' specified for the field '{field_name}' could not be found "
                f"in the input '{json_compact(document)}'",
            ) from exc

    return evaluate_path
