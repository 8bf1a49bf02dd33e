"""Intrinsic functions that fail at run time, and expressions the definition validator must refuse."""

from __future__ import annotations

from typing import Any

import pytest

from local.engine import intrinsics
from local.engine.errors import StatesError


def failure(expression: str, document: Any = None, **kwargs: Any) -> StatesError:
    with pytest.raises(StatesError) as raised:
        intrinsics.evaluate(expression, input=document, context={"Execution": {"Name": "run-1"}}, **kwargs)
    return raised.value


INVALID = "Invalid arguments in "
RUNTIME_FAILURES: list[tuple[str, Any, str]] = [
    ("States.ArrayGetItem($.a, 3)", {"a": [1, 2, 3]},
     INVALID + "States.ArrayGetItem: the index 3 is out of bounds for an array of length 3"),
    ("States.ArrayGetItem($.a, -1)", {"a": [1]},
     INVALID + "States.ArrayGetItem: the index -1 is out of bounds for an array of length 1"),
    ("States.ArrayGetItem($.a, 1.5)", {"a": [1, 2]},
     INVALID + "States.ArrayGetItem: expected an integer, but argument 2 is the number 1.5"),
    ("States.ArrayLength($.a)", {"a": "text"},
     INVALID + 'States.ArrayLength: expected an array, but argument 1 is the string "text"'),
    ("States.ArrayPartition($.a, 0)", {"a": [1]},
     INVALID + "States.ArrayPartition: the chunk size must be greater than 0, but was 0"),
    ("States.ArrayRange(0, 10, 0)", None, INVALID + "States.ArrayRange: the step must not be 0"),
    ("States.ArrayRange(0, 1000, 1)", None,
     INVALID + "States.ArrayRange: the range would have 1001 elements; at most 1000 are allowed"),
    ("States.MathAdd($.a, 1)", {"a": "1"},
     INVALID + 'States.MathAdd: expected a number, but argument 1 is the string "1"'),
    ("States.MathAdd(true, 1)", None,
     INVALID + "States.MathAdd: expected a number, but argument 1 is the boolean true"),
    ("States.MathRandom(5, 5)", None,
     INVALID + "States.MathRandom: the end (5) must be greater than the start (5)"),
    ("States.JsonMerge($.a, $.a, true)", {"a": {}},
     INVALID + "States.JsonMerge: only a shallow merge is supported, so the third argument must be false"),
    ("States.JsonMerge($.a, 'x', false)", {"a": {}},
     INVALID + 'States.JsonMerge: expected an object, but argument 2 is the string "x"'),
    ("States.StringToJson($.a)", {"a": "{not json"},
     "States.StringToJson failed: the string is not valid JSON: {not json"),
    ("States.StringToJson($.a)", {"a": "NaN"},
     "States.StringToJson failed: the string is not valid JSON: NaN"),
    ("States.StringToJson($.a)", {"a": {"b": 1}},
     INVALID + 'States.StringToJson: expected a string, but argument 1 is the object {"b":1}'),
    ("States.Base64Decode('%%%')", None,
     "States.Base64Decode failed: the string is not valid Base64: %%%"),
    ("States.Base64Decode('/w==')", None,
     "States.Base64Decode failed: the string is not valid Base64: /w=="),
    ("States.Hash('data', 'SHA1')", None,
     INVALID + "States.Hash: the hash algorithm 'SHA1' is not one of MD5, SHA-1, SHA-256, SHA-384, SHA-512"),
    ("States.Hash($.a, 'MD5')", {"a": 1},
     INVALID + "States.Hash: expected a string, but argument 1 is the number 1"),
    ("States.Format('{} and {}', 1)", None,
     INVALID + "States.Format: the template has 2 placeholder(s) but 1 value(s) were given"),
    ("States.Format('{}', 1, 2)", None,
     INVALID + "States.Format: the template has 1 placeholder(s) but 2 value(s) were given"),
    ("States.Format($.t)", {"t": 5},
     INVALID + "States.Format: expected a string, but argument 1 is the number 5"),
    ("States.StringSplit($.a, ',')", {"a": None},
     INVALID + "States.StringSplit: expected a string, but argument 1 is the null null"),
    ("States.ArrayContains($.a, 1)", {"a": {"k": 1}},
     INVALID + 'States.ArrayContains: expected an array, but argument 1 is the object {"k":1}'),
]  # fmt: skip


@pytest.mark.parametrize(("expression", "document", "cause"), RUNTIME_FAILURES)
def test_runtime_failures_are_states_runtime_with_a_cause(expression: str, document: Any, cause: str) -> None:
    # Given arguments a function cannot work with / When evaluated
    error = failure(expression, document)
    # Then the execution error is States.Runtime and the cause is the text after AWS's state prefix
    assert isinstance(error, intrinsics.IntrinsicFailure)
    assert error.error == "States.Runtime"
    assert error.cause == cause


@pytest.mark.parametrize("function", ["States.Base64Encode", "States.Base64Decode", "States.Hash"])
def test_string_inputs_are_limited_to_ten_thousand_characters(function: str) -> None:
    # Given a string one character over AWS's limit
    arguments = "$.s, 'MD5'" if function == "States.Hash" else "$.s"
    # When passed in / Then the call fails naming the limit, while the limit itself is accepted
    error = failure(f"{function}({arguments})", {"s": "A" * 10_001})
    assert error.cause.endswith("the string in argument 1 is longer than 10000 characters")
    intrinsics.evaluate(f"{function}({arguments})", input={"s": "AAAA" * 2_500}, context={})


def test_a_path_argument_that_matches_nothing_names_path_field_and_input() -> None:
    # Given an argument path missing from the input, and the field being evaluated
    error = failure("States.Format('{}', $.missing)", {"present": 1}, field="greeting.$")
    # When evaluated / Then the cause reads like AWS's payload-template miss
    assert isinstance(error, intrinsics.IntrinsicPathNotFound)
    assert error.error == "States.Runtime"
    assert error.path == "$.missing"
    assert error.cause == (
        "The JSONPath '$.missing' specified for the field 'greeting.$' could not be found "
        "in the input '{\"present\":1}'"
    )


def test_a_context_path_that_matches_nothing_shows_the_context_object() -> None:
    # Given a missing context path and no field / When evaluated / Then the context object is quoted
    error = failure("States.Array($$.Execution.Nope)", {})
    document = '{"Execution":{"Name":"run-1"}}'
    assert error.cause == f"The JSONPath '$$.Execution.Nope' could not be found in the input '{document}'"


def test_an_undefined_variable_fails() -> None:
    # Given a reference to a variable nobody assigned / When evaluated / Then it fails naming the variable
    error = failure("States.Array($nope)", {}, variables={"other": 1})
    assert error.cause == "The variable '$nope' is not defined"


@pytest.mark.parametrize(
    ("expression", "reason"),
    [
        ("States.Nope($.a)", "unknown intrinsic function States.Nope"),
        ("States.Array(States.Nope())", "unknown intrinsic function States.Nope"),
        ("States.UUID(1)", "States.UUID takes 0 argument(s), but 1 were given"),
        ("States.Format()", "States.Format takes at least 1 argument(s), but 0 were given"),
        ("States.MathRandom(1)", "States.MathRandom takes 2 to 3 arguments, but 1 were given"),
        ("States.JsonMerge($.a, $.b)", "States.JsonMerge takes 3 argument(s), but 2 were given"),
        ("States.Format(1)", "the first argument of States.Format must be a string"),
        ("States.Array(", "unexpected end of the expression"),
        ("States.Array('open)", "unterminated string literal"),
        ("States.Array($.a $.b)", "expected ',' or ')' in the arguments of States.Array"),
        ("States.Array(tru)", "invalid argument at 'tru)'"),
        ("States.Array() trailing", "unexpected 'trailing' after States.Array(...)"),
        ("States.Array", "expected '(' after States.Array"),
        ("States.Array($.a[)", "Invalid JSONPath '$.a[)'"),
        ("$.not.a.call", "expected an intrinsic function such as States.Format(...)"),
    ],
)
def test_validate_refuses_bad_expressions_with_a_reason(expression: str, reason: str) -> None:
    # Given an expression the definition validator sees / When validated
    with pytest.raises(ValueError) as raised:
        intrinsics.validate(expression)
    # Then it is refused with a message that names the expression and the reason
    assert str(raised.value).startswith(f"Invalid intrinsic function '{expression}': ")
    assert reason in str(raised.value)


@pytest.mark.parametrize(
    "expression",
    [
        "States.Format('Hello, my name is {}.', $.name)",
        "States.Format( 'spaced {}' , $$.Execution.Id )",
        "States.Array()",
        "States.Array('a', 1, -1.5, 2e3, true, false, null, $, $$, $var, $var.x[0], $.a[?(@.b == 'x, y')])",
        "States.JsonMerge(States.StringToJson('{\"a\": 1}'), $.b, false)",
        "States.MathRandom($.start, $.end, 42)",
        "States.ArrayGetItem(States.StringSplit($$.StateMachine.Name, '-'), 0)",
    ],
)
def test_validate_accepts_well_formed_expressions(expression: str) -> None:
    # Given well-formed calls / When validated / Then no error is raised and they are recognised as calls
    intrinsics.validate(expression)
    assert intrinsics.is_intrinsic(expression)


def test_is_intrinsic_tells_calls_from_paths() -> None:
    # Given a call, a path and a constant / When classified / Then only the call is an intrinsic
    assert intrinsics.is_intrinsic("States.UUID()")
    assert not intrinsics.is_intrinsic("$.States.UUID")
    assert not intrinsics.is_intrinsic("plain text")


def test_evaluating_an_invalid_expression_fails_the_state_instead_of_crashing() -> None:
    # Given a malformed expression that slipped past validation / When evaluated / Then States.Runtime
    error = failure("States.Nope()")
    assert error.error == "States.Runtime"
    assert "unknown intrinsic function States.Nope" in error.cause
