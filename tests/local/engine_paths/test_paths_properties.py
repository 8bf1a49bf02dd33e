"""Properties that hold for any input: round trips and invariants of paths and intrinsic functions."""

from __future__ import annotations

import itertools
import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from local.engine import intrinsics, java_compat, jsonpath

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
)
json_values = st.recursive(
    json_scalars | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
names = st.text(alphabet="abcdefghij_-0123456789", min_size=1, max_size=6)


def identical(actual: Any, expected: Any) -> bool:
    """Type-strict JSON equality (1, 1.0 and true differ)."""
    return json.dumps(actual, sort_keys=True) == json.dumps(expected, sort_keys=True)


def call(expression: str, value: Any) -> Any:
    return intrinsics.evaluate(expression, input={"v": value}, context={})


@given(st.text(max_size=200))
def test_base64_decode_inverts_encode(text: str) -> None:
    # Given any text / When encoded then decoded / Then the original text comes back
    encoded = call("States.Base64Encode($.v)", text)
    assert call("States.Base64Decode($.v)", encoded) == text


@given(json_values)
def test_string_to_json_inverts_json_to_string(value: Any) -> None:
    # Given any JSON value / When written as text then parsed / Then the identical value (types too) returns
    text = call("States.JsonToString($.v)", value)
    assert identical(call("States.StringToJson($.v)", text), value)


@given(st.lists(json_scalars, max_size=30), st.integers(1, 8))
def test_array_partition_chunks_concatenate_to_the_array(items: list[Any], size: int) -> None:
    # Given an array and a chunk size / When partitioned
    chunks = intrinsics.evaluate("States.ArrayPartition($.a, $.n)", input={"a": items, "n": size}, context={})
    # Then the chunks re-concatenate to the array, all full except possibly the last
    assert identical([item for chunk in chunks for item in chunk], items)
    assert all(len(chunk) == size for chunk in chunks[:-1])
    assert all(0 < len(chunk) <= size for chunk in chunks)


@given(st.integers(-50, 50), st.integers(-50, 50), st.integers(-7, 7).filter(bool))
def test_array_range_steps_from_start_without_passing_end(start: int, end: int, step: int) -> None:
    # Given any start, end and non-zero step / When ranged
    values = intrinsics.evaluate(f"States.ArrayRange({start}, {end}, {step})", input={}, context={})
    # Then it starts at start, moves by step, and never passes end
    assert all(isinstance(value, int) for value in values)
    if values:
        assert values[0] == start
        assert all(later - earlier == step for earlier, later in itertools.pairwise(values))
        assert all((value <= end) if step > 0 else (value >= end) for value in values)


@given(st.lists(json_values, max_size=12))
def test_array_unique_is_idempotent_and_keeps_every_distinct_value(items: list[Any]) -> None:
    # Given any array / When made unique
    unique = call("States.ArrayUnique($.v)", items)
    # Then applying it again changes nothing and every item is still contained
    assert identical(call("States.ArrayUnique($.v)", unique), unique)
    for item in items:
        assert intrinsics.evaluate(
            "States.ArrayContains($.u, $.i)", input={"u": unique, "i": item}, context={}
        )


@given(st.text(max_size=60), st.text(alphabet=",;. \n", min_size=1, max_size=3))
def test_string_split_tokens_are_non_empty_and_hold_no_delimiter(text: str, delimiters: str) -> None:
    # Given any text and delimiter set / When split
    tokens = intrinsics.evaluate(
        "States.StringSplit($.t, $.d)", input={"t": text, "d": delimiters}, context={}
    )
    # Then tokens are non-empty, hold no delimiter, and together are the text without delimiters
    assert all(token and not set(token) & set(delimiters) for token in tokens)
    assert "".join(tokens) == "".join(char for char in text if char not in delimiters)


@given(st.floats(-1e6, 1e6), st.floats(-1e6, 1e6))
def test_math_add_is_an_integer_within_one_of_the_exact_sum(first: float, second: float) -> None:
    # Given any two numbers / When added / Then an integer within one of the exact sum comes back
    result = intrinsics.evaluate("States.MathAdd($.a, $.b)", input={"a": first, "b": second}, context={})
    assert type(result) is int
    assert abs(result - (first + second)) <= 1


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_java_double_text_reads_back_as_the_same_float(number: float) -> None:
    # Given any float / When written as Java writes doubles / Then JSON parsing gives the float back
    text = java_compat.java_double_text(number)
    assert json.loads(text) == number
    assert "." in text


@given(st.dictionaries(names, json_values, max_size=4), st.lists(names, min_size=1, max_size=4), json_values)
def test_assign_then_select_returns_the_value_and_leaves_the_input_alone(
    document: dict[str, Any], keys: list[str], value: Any
) -> None:
    # Given any object, a path of names and a value
    path = "$" + "".join(f"['{key}']" for key in keys)
    before = json.dumps(document, sort_keys=True)
    try:
        combined = jsonpath.assign(path, document, value)
    except jsonpath.ResultPathMatchFailure:
        return  # a value on the way was not an object, which AWS refuses too
    # When the path is selected from the result / Then the value is there and the input is unchanged
    assert identical(jsonpath.select(path, combined), value)
    assert json.dumps(document, sort_keys=True) == before


@given(json_values)
def test_select_root_and_wildcards_see_every_member(value: Any) -> None:
    # Given any JSON value / When "$" and "$.*" are selected
    # Then "$" is the value itself and "$.*" lists its members (nothing for a scalar)
    assert jsonpath.select("$", value) is value
    members = list(value.values()) if isinstance(value, dict) else value if isinstance(value, list) else []
    assert identical(jsonpath.select("$.*", value), members)
