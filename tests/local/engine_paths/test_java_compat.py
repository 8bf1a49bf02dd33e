"""Values written, compared and rounded as Java and Jackson do, which is what AWS shows."""

from __future__ import annotations

from typing import Any

import pytest

from local.engine import java_compat


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ({"a": [1, 1.0, True, None, "x"]}, '{"a":[1,1.0,true,null,"x"]}'),
        ({"big": 1e7, "small": 1.5e-5, "plain": 123.456}, '{"big":1.0E7,"small":1.5E-5,"plain":123.456}'),
        ('é \u0001 " \\ \n', '"é \\u0001 \\" \\\\ \\n"'),
        (-0.0, "-0.0"),
        (0.001, "0.001"),
        (1234567.0, "1234567.0"),
    ],
)
def test_json_text_is_compact_with_java_number_format(value: Any, text: str) -> None:
    # Given a JSON value / When rendered as AWS renders it / Then the text matches Jackson's output
    assert java_compat.to_json_text(value) == text


def test_java_text_writes_objects_and_arrays_as_java_to_string() -> None:
    # Given an object with nested values / When written as States.Format inserts it
    text = java_compat.java_text({"a": 1, "b": [], "c": 1e7, "d": None, "e": "x"})
    # Then it reads as Java's Map.toString, with Java's double format
    assert text == "{a=1, b=[], c=1.0E7, d=null, e=x}"


@pytest.mark.parametrize(("number", "rounded"), [(-2.5, -2), (2.5, 3), (0.49999999999999994, 0), (7, 7)])
def test_java_round_is_half_up_and_exact(number: float, rounded: int) -> None:
    # Given a number / When rounded as Math.round rounds / Then halves go up and no float error creeps in
    assert java_compat.java_round(number) == rounded


def test_java_random_repeats_the_jvm_sequence_for_a_seed() -> None:
    # Given the seeds 0 and 42 / When drawing as java.util.Random does
    # Then the draws are the JVM's (new Random(0).nextInt() is -1155484576, new Random(42) -1170105035)
    assert java_compat.JavaRandom(0).next_int(2**31) == (-1155484576 % 2**32) >> 1
    assert java_compat.JavaRandom(42).next_int(2**31) == (-1170105035 % 2**32) >> 1
    assert java_compat.JavaRandom(0).next_int(10) == 0


@pytest.mark.parametrize(
    ("value", "node"),
    [(1, "IntNode"), (2**40, "LongNode"), (2**70, "BigIntegerNode"), (1.5, "DoubleNode"), (None, "NullNode")],
)
def test_jackson_class_names_the_node_jayway_reports(value: Any, node: str) -> None:
    # Given a JSON value / When named as Jayway names the node it found / Then the Jackson class is given
    assert java_compat.jackson_class(value) == "com.fasterxml.jackson.databind.node." + node


def test_json_equal_is_type_strict() -> None:
    # Given values equal in Python but not in Jackson / When compared / Then only same-typed values are equal
    assert not java_compat.json_equal(1, 1.0)
    assert not java_compat.json_equal(1, True)
    assert java_compat.json_equal({"a": [1]}, {"a": [1]})
