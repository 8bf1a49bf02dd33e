"""Results of every intrinsic function, with inputs and outputs taken from executions recorded on AWS."""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

import pytest

from local.engine import intrinsics

CONTEXT: dict[str, Any] = {
    "Execution": {"Id": "arn:aws:states:us-east-1:123456789012:execution:sm-1:run-1", "Name": "run-1"},
    "StateMachine": {"Id": "arn:aws:states:us-east-1:123456789012:stateMachine:sm-1", "Name": "sm-1"},
}


def run(expression: str, function_input: Any = None, **kwargs: Any) -> Any:
    """Evaluate as the corpus cases do: the argument values live under $.FunctionInput."""
    return intrinsics.evaluate(
        expression, input={"FunctionInput": function_input}, context=kwargs.pop("context", CONTEXT), **kwargs
    )


def identical(actual: Any, expected: Any) -> bool:
    """Type-strict JSON equality (1, 1.0 and true differ), as the conformance corpus compares."""
    return json.dumps(actual, sort_keys=True) == json.dumps(expected, sort_keys=True)


# (fst, snd) -> result, recorded for States.MathAdd; AWS rounds each argument half-up (Java Math.round)
MATH_ADD_RECORDED = [
    ((-9, 3), -6),
    ((1.49, 1.5), 3),
    ((1.5, 1.51), 4),
    ((-1.49, -1.5), -2),
    ((-1.5, -1.51), -3),
    ((1.49, 0), 1),
    ((1.49, -1.49), 0),
    ((1.5, 0), 2),
    ((1.51, 0), 2),
    ((-1.49, 0), -1),
    ((-1.5, 0), -1),
    ((-1.51, 0), -2),
    ((0.5, 0), 1),
    ((2.5, 0), 3),
    ((3.5, 0), 4),
    ((-0.5, 0.5), 1),
    ((-0.5, 0), 0),
    ((-2.5, 0), -2),
    ((-3.5, 0), -3),
]


@pytest.mark.parametrize(("operands", "expected"), MATH_ADD_RECORDED)
def test_math_add_rounds_each_operand_like_java_and_returns_an_integer(
    operands: tuple[float, float], expected: int
) -> None:
    # Given two numbers / When added / Then the recorded integer comes back (an int, not a float)
    fst, snd = operands
    result = run("States.MathAdd($.FunctionInput.fst, $.FunctionInput.snd)", {"fst": fst, "snd": snd})
    assert identical(result, expected)


def test_nested_math_add_over_variables_matches_the_recording() -> None:
    # Given the corpus' nested sum over variables, one of them 4.3
    expression = "States.MathAdd(States.MathAdd(States.MathAdd($yCurrent, $xCurrent), $zCurrent), $bias)"
    variables = {"xCurrent": 9, "yCurrent": 44, "zCurrent": 6, "bias": 4.3}
    # When evaluated / Then 9 + 44 + 6 + round(4.3) = 63, as recorded
    assert identical(intrinsics.evaluate(expression, input=9, context=CONTEXT, variables=variables), 63)


@pytest.mark.parametrize(
    ("array", "size", "expected"),
    [
        ([], 1, []),
        ([], 5, []),
        ([0], 1, [[0]]),
        ([0], 3, [[0]]),
        ([0, 1], 1, [[0], [1]]),
        ([0, 1], 2, [[0, 1]]),
        ([0, 1, 2], 2, [[0, 1], [2]]),
        ([0, 1, 2], 4, [[0, 1, 2]]),
        ([0, 1, 2, 3], 2, [[0, 1], [2, 3]]),
        ([0, 1, 2, 3], 3, [[0, 1, 2], [3]]),
    ],
)
def test_array_partition_matches_the_recordings(array: list[int], size: int, expected: list[Any]) -> None:
    # Given an array and a chunk size / When partitioned / Then the recorded chunks come back
    result = run(
        "States.ArrayPartition($.FunctionInput.fst, $.FunctionInput.snd)", {"fst": array, "snd": size}
    )
    assert identical(result, expected)


@pytest.mark.parametrize(
    ("start", "end", "step", "expected"),
    [(0, 9, 3, [0, 3, 6, 9]), (0, 10, 3, [0, 3, 6, 9]), (1, 9, 9, [1]), (1, 9, 2, [1, 3, 5, 7, 9])],
)
def test_array_range_includes_the_end_when_reached(
    start: int, end: int, step: int, expected: list[int]
) -> None:
    # Given start, end and step / When ranged / Then the recorded integers come back
    result = run(
        "States.ArrayRange($.FunctionInput.fst, $.FunctionInput.snd, $.FunctionInput.trd)",
        {"fst": start, "snd": end, "trd": step},
    )
    assert identical(result, expected)


def test_array_range_with_literals_and_a_descending_step() -> None:
    # Given literal arguments / When ranged / Then integers come back, also counting down
    assert identical(run("States.ArrayRange(0, 3, 1)"), [0, 1, 2, 3])
    assert identical(run("States.ArrayRange(3, 0, -2)"), [3, 1])


@pytest.mark.parametrize(
    "value", ["", " ", "HelloWorld", None, 1, 1.1, '{"Arg1": 1, "Arg2": []}', {"Arg1": 1, "Arg2": []}]
)
def test_array_builds_an_array_of_its_arguments(value: Any) -> None:
    # Given two arguments of any type / When States.Array is called / Then both come back unchanged
    result = run("States.Array($.FunctionInput.fst, $.FunctionInput.snd)", {"fst": value, "snd": value})
    assert identical(result, [value, value])
    assert run("States.Array()") == []


def test_array_takes_literals_of_every_kind() -> None:
    # Given literal arguments of every kind / When States.Array is called / Then their JSON types are kept
    result = run("States.Array('text', 1, -2.5, 1e3, true, false, null, $$.Execution.Name)")
    assert identical(result, ["text", 1, -2.5, 1000.0, True, False, None, "run-1"])


@pytest.mark.parametrize(
    ("array", "value", "expected"),
    [
        ([], None, False),
        ([[1, 2, 3], 2], [1, 2, 3], True),
        ([[1, 2, 3], 2], None, False),
        ([{"1": 2, "2": []}], {"2": [], "1": 2}, True),
        ([True, False], False, True),
        ([1.0], 1, False),
        ([1], True, False),
    ],
)
def test_array_contains_compares_type_strictly(array: list[Any], value: Any, expected: bool) -> None:
    # Given an array and a value / When searched / Then only a JSON-identical element counts
    result = run(
        "States.ArrayContains($.FunctionInput.fst, $.FunctionInput.snd)", {"fst": array, "snd": value}
    )
    assert result is expected


def test_array_get_item_and_length() -> None:
    # Given the recorded array / When indexed and measured / Then item 5 is 6 and the length is 9
    numbers = [1, 2, 3, 4, 5, 6, 7, 8, 9]
    assert identical(
        run("States.ArrayGetItem($.FunctionInput.fst, $.FunctionInput.snd)", {"fst": numbers, "snd": 5}), 6
    )
    assert identical(run("States.ArrayLength($.FunctionInput)", numbers), 9)


def test_array_unique_keeps_first_occurrences_type_strictly() -> None:
    # Given the recorded mixed array (its length, 20, was recorded too)
    mixed = [
        None,
        None,
        True,
        True,
        False,
        False,
        1,
        1,
        1.1,
        0,
        0,
        "HelloWorld",
        "HelloWorld",
        [],
        [],
        [None],
        [None],
        {"a": 1, "b": 2},
        {"b": 2, "a": 1},
        {"a": 1, "b": 1},
    ]
    assert identical(run("States.ArrayLength($.FunctionInput)", mixed), 20)
    # When made unique / Then duplicates go, while 1 and true (and key order) are told apart correctly
    expected = [None, True, False, 1, 1.1, 0, "HelloWorld", [], [None], {"a": 1, "b": 2}, {"a": 1, "b": 1}]
    assert identical(run("States.ArrayUnique($.FunctionInput)", mixed), expected)
    assert identical(run("States.ArrayUnique($.FunctionInput)", [1, 1.0, True]), [1, 1.0, True])


BASE64_PAIRS = [
    ("", ""),
    ("Data to encode", "RGF0YSB0byBlbmNvZGU="),
    ("Hello World", "SGVsbG8gV29ybGQ="),
    ("é✓", "w6ninJM="),
]


@pytest.mark.parametrize(("plain", "encoded"), BASE64_PAIRS)
def test_base64_encode_and_decode(plain: str, encoded: str) -> None:
    # Given recorded pairs / When encoded and decoded / Then each maps onto the other
    assert run("States.Base64Encode($.FunctionInput)", plain) == encoded
    assert run("States.Base64Decode($.FunctionInput)", encoded) == plain


def test_base64_decode_accepts_missing_padding() -> None:
    # Given Base64 without its trailing '=' / When decoded / Then it decodes as Java's decoder does
    assert run("States.Base64Decode('RGF0YSB0byBlbmNvZGU')") == "Data to encode"


def test_hash_matches_the_recording_and_every_algorithm() -> None:
    # Given the recorded SHA-256 of "Hash this string"
    recorded = "1cac63f39fd68d8c531f27b807610fb3d50f0fc3f186995767fb6316e7200a3e"
    assert run("States.Hash($.FunctionInput, 'SHA-256')", "Hash this string") == recorded
    # When every algorithm is used / Then lowercase hex digests of the UTF-8 bytes come back
    for algorithm, name in [("MD5", "md5"), ("SHA-1", "sha1"), ("SHA-384", "sha384"), ("SHA-512", "sha512")]:
        expected = hashlib.new(name, b"input data").hexdigest()
        assert (
            run("States.Hash($.FunctionInput.d, $.FunctionInput.a)", {"d": "input data", "a": algorithm})
            == expected
        )


def test_json_merge_is_shallow_and_the_second_object_wins() -> None:
    # Given the recorded objects / When merged shallowly / Then "a" is replaced whole and "d" comes from snd
    fst = {"a": {"a1": 1, "a2": 2}, "b": 2, "d": 3}
    snd = {"a": {"a3": 1, "a4": 2}, "c": 3, "d": 4}
    result = run(
        "States.JsonMerge($.FunctionInput.fst, $.FunctionInput.snd, false)", {"fst": fst, "snd": snd}
    )
    assert identical(result, {"a": {"a3": 1, "a4": 2}, "b": 2, "c": 3, "d": 4})


def test_json_merge_of_a_parsed_literal_and_the_execution_input() -> None:
    # Given the corpus' escaped literal merged with $$.Execution.Input
    expression = (
        'States.JsonMerge(States.StringToJson(\'{"constant_in_literal": "false"}\'), '
        "$$.Execution.Input.input_field, false)"
    )
    context = {"Execution": {"Input": {"input_field": {"constant_input_field": "constant_value"}}}}
    # When evaluated / Then both objects' members come back
    result = intrinsics.evaluate(expression, input={}, context=context)
    assert identical(result, {"constant_input_field": "constant_value", "constant_in_literal": "false"})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("-0", 0),
        ("1", 1),
        ("1.1", 1.1),
        ("true", True),
        ('"HelloWorld"', "HelloWorld"),
        ('[1, 2, "HelloWorld"]', [1, 2, "HelloWorld"]),
        ('{"Arg1": 1, "Arg2": []}', {"Arg1": 1, "Arg2": []}),
        ("1.0", 1.0),
        ("", None),
        (" ", None),
        ("null", None),
    ],
)
def test_string_to_json_parses_keeping_number_types(text: str, expected: Any) -> None:
    # Given JSON text / When parsed / Then the value comes back with its JSON type (1.0 stays a float)
    assert identical(run("States.StringToJson($.FunctionInput)", text), expected)


def test_json_to_string_writes_compact_json_like_jackson() -> None:
    # Given an object (the corpus' {"test": "object"} and numbers Java formats its own way)
    assert run("States.JsonToString($.FunctionInput)", {"test": "object"}) == '{"test":"object"}'
    # When serialised / Then no spaces, raw non-ASCII, Java's float text
    value = {"n": [1, 1.0, 1e7, 2.5e-5], "s": "é"}
    assert run("States.JsonToString($.FunctionInput)", value) == '{"n":[1,1.0,1.0E7,2.5E-5],"s":"é"}'


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", "Formatting argument ."),
        (" ", "Formatting argument  ."),
        ("HelloWorld", "Formatting argument HelloWorld."),
        (None, "Formatting argument null."),
        (1, "Formatting argument 1."),
        (1.1, "Formatting argument 1.1."),
        ('{"Arg1": 1, "Arg2": []}', 'Formatting argument {"Arg1": 1, "Arg2": []}.'),
        (True, "Formatting argument true."),
        (2.0, "Formatting argument 2.0."),
    ],
)
def test_format_writes_each_value_as_java_does(value: Any, expected: str) -> None:
    # Given a template with one placeholder / When formatted / Then the recorded text comes back
    assert run("States.Format('Formatting argument {}.', $.FunctionInput)", value) == expected


def test_format_writes_objects_and_arrays_in_java_map_notation() -> None:
    # Given objects and the context's StateMachine, as recorded
    value = {"Arg1": 1, "Arg2": []}
    result = run(
        "States.Format('fst={} and snd={}.', $.FunctionInput.fst, $.FunctionInput.snd)",
        {"fst": value, "snd": [1, "a", {"b": None}]},
    )
    # When formatted / Then {key=value, ...} and [a, b] notation is used
    assert result == "fst={Arg1=1, Arg2=[]} and snd=[1, a, {b=null}]."
    context_text = run("States.Format('fst={} and snd={}.', $$.Execution.Name, $$.StateMachine)")
    assert context_text == (
        "fst=run-1 and snd={Id=arn:aws:states:us-east-1:123456789012:stateMachine:sm-1, Name=sm-1}."
    )


def test_format_escapes_keep_braces_quotes_and_backslashes_literal() -> None:
    # Given a template with escaped braces, quotes and a backslash
    result = run("States.Format('\\{\\} is {}, it\\'s \\\\ {}', $.FunctionInput, 'x')", 5)
    # When formatted / Then escaped characters are literal and only {} is a placeholder
    assert result == "{} is 5, it's \\ x"


def test_format_template_may_come_from_a_path_or_a_nested_call() -> None:
    # Given templates read at run time / When formatted / Then their {} placeholders are filled
    assert run("States.Format($.FunctionInput.t, 'A')", {"t": "<{}>"}) == "<A>"
    assert run("States.Format(States.Format('{}{}', '{', '}'), 7)") == "7"


@pytest.mark.parametrize(
    ("text", "delimiters", "expected"),
    [
        (" ", ",", [" "]),
        (" , ", ",", [" ", " "]),
        (", , ,", ",", [" ", " "]),
        (",,,,", ",", []),
        ("1,2,3,4,5", ",", ["1", "2", "3", "4", "5"]),
        ("This.is+a,test=string", ".+,=", ["This", "is", "a", "test", "string"]),
        ("split on T and \nnew line", "T\n", ["split on ", " and ", "new line"]),
    ],
)
def test_string_split_treats_each_character_as_a_delimiter(
    text: str, delimiters: str, expected: list[str]
) -> None:
    # Given the recorded strings / When split / Then empty tokens vanish (Java's StringTokenizer)
    result = run(
        "States.StringSplit($.FunctionInput.fst, $.FunctionInput.snd)", {"fst": text, "snd": delimiters}
    )
    assert identical(result, expected)


def test_string_split_of_the_execution_input_and_real_newlines() -> None:
    # Given the corpus' multi-line execution input split on ','
    text = "Value1,Value2,Value3\nValue4,Value5,Value6\n,,,\ntrue,1,'HelloWorld'\nNull,None,\n   \n"
    context = {"Execution": {"Input": {"FunctionInput": text}}}
    result = intrinsics.evaluate(
        "States.StringSplit($$.Execution.Input.FunctionInput, ',')", input={}, context=context
    )
    # When evaluated / Then the recorded tokens come back; a literal newline in the template splits too
    assert result == [
        "Value1",
        "Value2",
        "Value3\nValue4",
        "Value5",
        "Value6\n",
        "\ntrue",
        "1",
        "'HelloWorld'\nNull",
        "None",
        "\n   \n",
    ]
    assert run("States.StringSplit('Hello\nWorld', '\n')") == ["Hello", "World"]


def test_nested_calls_split_the_state_machine_name() -> None:
    # Given a nested call over the context object / When evaluated / Then the first part of the name returns
    context = {"StateMachine": {"Name": "statemachine-1a2b"}}
    assert (
        run("States.ArrayGetItem(States.StringSplit($$.StateMachine.Name, '-'), 0)", context=context)
        == "statemachine"
    )


def test_uuid_is_a_fresh_version_4_uuid() -> None:
    # Given two calls / When evaluated / Then each is a distinct canonical UUID v4
    first, second = run("States.UUID()"), run("States.UUID()")
    assert first != second
    assert str(uuid.UUID(first)) == first
    assert uuid.UUID(first).version == 4


def test_math_random_stays_in_range_and_a_seed_repeats() -> None:
    # Given a range, once with and once without a seed (floats are rounded like MathAdd)
    values = {
        run("States.MathRandom($.FunctionInput.fst, $.FunctionInput.snd)", {"fst": 12.5, "snd": 44.51})
        for _ in range(200)
    }
    # When evaluated repeatedly / Then integers in [start, end) come back, and a seed gives one answer
    assert all(isinstance(value, int) and 13 <= value < 45 for value in values)
    assert len(values) > 1
    seeded = {run("States.MathRandom(0, 999, 3)") for _ in range(5)}
    assert len(seeded) == 1
    assert 0 <= seeded.pop() < 999


def test_variables_and_variable_members_are_arguments() -> None:
    # Given the corpus' variables / When used as arguments / Then their values (and members) are read
    variables = {"name": "John", "place": "LocalStack", "info": {"tags": ["a", "b"]}}
    result = intrinsics.evaluate(
        "States.Format('Hello {}, welcome to {}! {}', $name, $place, $info.tags[1])",
        input={},
        context=CONTEXT,
        variables=variables,
    )
    assert result == "Hello John, welcome to LocalStack! b"


def test_whole_input_and_whole_context_are_arguments() -> None:
    # Given "$" and "$$" as arguments / When passed to JsonToString / Then the whole documents are used
    assert intrinsics.evaluate("States.JsonToString($)", input=[1], context={}) == "[1]"
    assert intrinsics.evaluate("States.JsonToString($$)", input=None, context={"a": 1}) == '{"a":1}'


def test_path_arguments_may_be_indefinite_or_filtered() -> None:
    # Given paths with wildcards and filters (commas and parentheses inside them)
    document = {"items": [{"id": 1, "ok": True}, {"id": 2, "ok": False}]}
    result = intrinsics.evaluate(
        "States.Array($.items[*].id, $.items[?(@.ok == true && @.id in [1, 2])].id)",
        input=document,
        context={},
    )
    # When evaluated / Then each argument is the list those paths select
    assert result == [[1, 2], [1]]
