"""Generated payload templates (Parameters / ItemSelector / ResultSelector) and Choice conditions.

Each function takes hypothesis's `draw` and the shape of the data it may read, and returns the ASL
fragment (with, for templates, the shape of what it produces), so every path finds its value.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from .asl_intrinsics import intrinsic_calls
from .asl_literals import (
    FIELD_NAMES,
    SMALL_INTS,
    literal_strings,
    shape_of_literal,
    template_literals,
    timestamps,
)
from .asl_shapes import Arr, Bool, Float, Int, Obj, Shape, Str, list_paths, readable_paths


def payload_templates(
    draw: st.DrawFn, shape: Shape, *, context_paths: list[tuple[str, Shape]], depth: int = 1
) -> tuple[dict[str, Any], Obj]:
    """A Parameters-style template (`key.$` paths, intrinsics, literals) and the shape it produces.

    `context_paths` are `$$.` paths (with their shapes) whose values are the same in both engines.
    """
    names = draw(st.lists(st.sampled_from(FIELD_NAMES), min_size=1, max_size=3, unique=True))
    template: dict[str, Any] = {}
    produced = Obj()
    kinds = ["literal", "path", "path", "intrinsic", "intrinsic"]
    kinds += ["context"] if context_paths else []
    kinds += ["nested"] if depth > 0 else []
    for name in names:
        kind = draw(st.sampled_from(kinds))
        if kind == "nested":
            inner, found = payload_templates(draw, shape, context_paths=context_paths, depth=depth - 1)
            template[name] = inner
            if draw(st.booleans()):  # `.$` keys inside an array element are evaluated too
                template[name], found = [inner], Arr(found, 1)
        elif kind == "literal":
            value = draw(template_literals)
            template[name], found = value, shape_of_literal(value)
        else:
            if kind == "intrinsic":
                expression, found = intrinsic_calls(draw, shape)
            elif kind == "context":
                expression, found = draw(st.sampled_from(context_paths))
            else:
                expression, found = draw(st.sampled_from([*readable_paths(shape), *list_paths(shape)]))
            template[f"{name}.$"] = expression
        produced = produced.with_field(name, found)
    return template, produced


NUMERIC_OPERATORS = (
    "NumericEquals",
    "NumericLessThan",
    "NumericGreaterThan",
    "NumericLessThanEquals",
    "NumericGreaterThanEquals",
)
STRING_OPERATORS = (
    "StringEquals",
    "StringLessThan",
    "StringGreaterThan",
    "StringLessThanEquals",
    "StringGreaterThanEquals",
)
TIMESTAMP_OPERATORS = (
    "TimestampEquals",
    "TimestampLessThan",
    "TimestampGreaterThan",
    "TimestampLessThanEquals",
    "TimestampGreaterThanEquals",
)
TYPE_TESTS = ("IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp")


def _against(draw: st.DrawFn, path: str, operator: str, others: list[str], literal: Any) -> dict[str, Any]:
    """Compare with another path of the same type (the `...Path` form) or with a literal."""
    if draw(st.booleans()) and others:
        return {"Variable": path, f"{operator}Path": draw(st.sampled_from(others))}
    return {"Variable": path, operator: literal}


def _numeric(draw: st.DrawFn, shape: Shape, path: str) -> dict[str, Any]:
    others = [other for other, found in readable_paths(shape) if isinstance(found, Int | Float)]
    return _against(draw, path, draw(st.sampled_from(NUMERIC_OPERATORS)), others, draw(SMALL_INTS))


def _textual(draw: st.DrawFn, shape: Shape, path: str, found: Str) -> dict[str, Any]:
    if found.timestamp and draw(st.booleans()):
        # Literal operands only: moto's Timestamp...Path operators fail with a TypeError.
        return {"Variable": path, draw(st.sampled_from(TIMESTAMP_OPERATORS)): draw(timestamps)}
    operator = draw(st.sampled_from((*STRING_OPERATORS, "StringMatches")))
    if operator == "StringMatches":
        # Stars only, never an escaped star: moto's matcher does not read escapes.
        pattern = draw(st.lists(st.sampled_from(["*", "a", "b", "x", " ", "1"]), min_size=1, max_size=4))
        return {"Variable": path, operator: "".join(pattern)}
    others = [other for other, candidate in readable_paths(shape) if isinstance(candidate, Str)]
    return _against(draw, path, operator, others, draw(literal_strings))


def _boolean(draw: st.DrawFn, shape: Shape, path: str) -> dict[str, Any]:
    others = [other for other, found in readable_paths(shape) if isinstance(found, Bool)]
    return _against(draw, path, "BooleanEquals", others, draw(st.booleans()))


def _comparison(draw: st.DrawFn, shape: Shape) -> dict[str, Any]:
    path, found = draw(st.sampled_from(list(readable_paths(shape))))
    kind = draw(st.sampled_from(["type-test", "typed", "typed", "typed", "missing"]))
    if kind == "missing":
        # A path that selects nothing: only IsPresent may read it without failing the state.
        return {"Variable": "$.absent", "IsPresent": draw(st.booleans())}
    if kind == "typed" and isinstance(found, Int | Float):
        return _numeric(draw, shape, path)
    if kind == "typed" and isinstance(found, Str):
        return _textual(draw, shape, path, found)
    if kind == "typed" and isinstance(found, Bool):
        return _boolean(draw, shape, path)
    return {"Variable": path, draw(st.sampled_from(TYPE_TESTS)): draw(st.booleans())}


def choice_conditions(draw: st.DrawFn, shape: Shape, depth: int = 2) -> dict[str, Any]:
    """A Choice rule condition: a comparison, or And / Or / Not of conditions."""
    kinds = ["compare", "compare", "compare", "and", "or", "not"] if depth else ["compare"]
    kind = draw(st.sampled_from(kinds))
    if kind == "compare":
        return _comparison(draw, shape)
    if kind == "not":
        return {"Not": choice_conditions(draw, shape, depth - 1)}
    operands = [choice_conditions(draw, shape, depth - 1) for _ in range(draw(st.integers(1, 2)))]
    return {"And" if kind == "and" else "Or": operands}
