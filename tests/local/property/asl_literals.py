"""JSON values for generated machines: literals written into definitions, and execution inputs of a shape."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from hypothesis import strategies as st

from .asl_shapes import Arr, Bool, Float, Int, Null, Obj, Shape, Str, Unknown

# Literal strings go inside intrinsic calls ('...'), so they avoid quotes, braces and backslashes.
# ASCII only: moto mangles non-ASCII characters in intrinsic string literals and escapes them in
# States.JsonToString.
LITERAL_ALPHABET = "abcxyzABC019 -_.:/"
# Values in the execution input may hold characters with meaning in JSON, Format templates and regexes.
VALUE_ALPHABET = LITERAL_ALPHABET + "{}'\"\\*,;\n"
FIELD_NAMES = ("a", "b", "n", "s", "t", "flag", "obj", "items", "nums", "doc", "note", "k")
SMALL_INTS = st.integers(-20, 20)

literal_strings = st.text(alphabet=LITERAL_ALPHABET, max_size=6)
value_strings = st.text(alphabet=VALUE_ALPHABET, max_size=8)
# Whole seconds in UTC with "Z" only: moto's timestamp operators read no other form.
timestamps = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2026, 1, 3)).map(
    lambda moment: moment.strftime("%Y-%m-%dT%H:%M:%SZ")
)


def _json_literals(numbers: st.SearchStrategy[int]) -> st.SearchStrategy[Any]:
    """Scalars, and arrays and objects two levels deep (a fixed depth: st.recursive discards
    the examples that outgrow it, and generated machines draw many literals)."""
    scalars = st.none() | st.booleans() | numbers | literal_strings

    def containers(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        return st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(FIELD_NAMES), inner, max_size=3)

    return scalars | containers(scalars | containers(scalars))


json_literals = _json_literals(SMALL_INTS)
# moto's parser reads a negative number in a payload template as a float (-3 becomes -3.0).
template_literals = _json_literals(st.integers(0, 20))


def shape_of_literal(value: Any) -> Shape:
    """The shape of a literal JSON value written into the definition."""
    if isinstance(value, list):
        items = {shape_of_literal(item) for item in value}
        return Arr(items.pop() if len(items) == 1 else Unknown(), len(value))
    if isinstance(value, dict):
        return Obj(tuple((key, shape_of_literal(item)) for key, item in value.items()))
    if isinstance(value, bool):
        return Bool()
    scalar_shapes: dict[type, Shape] = {type(None): Null(), int: Int(), float: Float(), str: Str()}
    return scalar_shapes[type(value)]


@st.composite
def input_shapes(draw: st.DrawFn, depth: int = 2) -> Shape:
    """The shape of an execution input (or of a part of it): objects, arrays and scalars."""
    leaf = st.sampled_from([Int(), Int(), Float(), Str(), Str(), Str(timestamp=True), Bool(), Null()])
    if depth == 0:
        return draw(leaf)
    kind = draw(st.sampled_from(["leaf", "leaf", "object", "array", "json-text"]))
    if kind == "leaf":
        return draw(leaf)
    if kind == "json-text":
        return Str(json_of=draw(input_shapes(depth=depth - 1)))
    if kind == "array":
        item = draw(st.sampled_from([Int(), Str(), Bool()]) | input_shapes(depth=depth - 1))
        return Arr(item, draw(st.integers(0, 4)))
    return draw(object_shapes(depth=depth - 1))


@st.composite
def object_shapes(draw: st.DrawFn, depth: int = 2, min_size: int = 0) -> Obj:
    """The shape of an object with up to four fields."""
    names = draw(st.lists(st.sampled_from(FIELD_NAMES), min_size=min_size, max_size=4, unique=True))
    return Obj(tuple((name, draw(input_shapes(depth=depth))) for name in names))


def _strings_of(shape: Str) -> st.SearchStrategy[Any]:
    if shape.timestamp:
        return timestamps
    if shape.json_of is not None:
        return values_of(shape.json_of).map(json.dumps)
    return value_strings


def _arrays_of(shape: Arr) -> st.SearchStrategy[Any]:
    length = shape.length or 0
    return st.lists(values_of(shape.item), min_size=length, max_size=length)


def _objects_of(shape: Obj) -> st.SearchStrategy[Any]:
    return st.fixed_dictionaries({name: values_of(field) for name, field in shape.fields})


_SCALAR_VALUES: dict[type[Shape], st.SearchStrategy[Any]] = {
    Int: SMALL_INTS,
    Float: st.floats(-100, 100, allow_nan=False).map(lambda number: round(number, 2)),
    Bool: st.booleans(),
    Null: st.none(),
    Unknown: json_literals,
}
_COMPOSITE_VALUES: dict[type[Shape], Callable[[Any], st.SearchStrategy[Any]]] = {
    Str: _strings_of,
    Arr: _arrays_of,
    Obj: _objects_of,
}


def values_of(shape: Shape) -> st.SearchStrategy[Any]:
    """JSON values of a shape."""
    if type(shape) in _COMPOSITE_VALUES:
        return _COMPOSITE_VALUES[type(shape)](shape)
    return _SCALAR_VALUES[type(shape)]
