"""Selecting with AWS's JSONPath dialect: definite vs indefinite results, filters, scans, misses."""

from __future__ import annotations

import json
from typing import Any

import pytest

from local.engine import jsonpath

DOCUMENT: dict[str, Any] = {
    "store": {
        "book": [
            {"title": "Sayings", "price": 8.95, "category": "reference"},
            {"title": "Sword", "price": 12.99, "category": "fiction", "isbn": "0-553-21311-3"},
            {"title": "Moby", "price": 8, "category": "fiction", "isbn": "0-395-19395-8"},
        ],
        "bicycle": {"color": "red", "price": 19.95},
    },
    "text": "plain",
    "nothing": None,
    "flag": True,
    "empty": [],
}


def identical(actual: Any, expected: Any) -> bool:
    """Type-strict JSON equality (1, 1.0 and true differ), as the conformance corpus compares."""
    return json.dumps(actual, sort_keys=True) == json.dumps(expected, sort_keys=True)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("$", DOCUMENT),
        ("$.text", "plain"),
        ("$.nothing", None),
        ("$.flag", True),
        ("$.store.bicycle.price", 19.95),
        ("$['store']['bicycle']['color']", "red"),
        ('$["store"]["bicycle"]["color"]', "red"),
        ("$.store.book[0].title", "Sayings"),
        ("$.store.book[-1].title", "Moby"),
        ("$.store.book[2].price", 8),
        ("$.store.book[7]", None),  # past the end: Jackson answers null, so AWS does too
        ("$.store.bicycle['color','price']", {"color": "red", "price": 19.95}),
        ("$$.text", "plain"),
    ],
)
def test_definite_path_selects_one_value(path: str, expected: Any) -> None:
    # Given a definite path (single names and indexes only)
    # When it is selected from the document
    result = jsonpath.select(path, DOCUMENT)
    # Then the value itself comes back, not a list
    assert identical(result, expected)
    assert jsonpath.is_definite(path)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("$.store.book[*].title", ["Sayings", "Sword", "Moby"]),
        ("$.store.book[*].isbn", ["0-553-21311-3", "0-395-19395-8"]),
        ("$.store.bicycle.*", ["red", 19.95]),
        ("$.store.book[0,2].title", ["Sayings", "Moby"]),
        ("$.store.book[1:].title", ["Sword", "Moby"]),
        ("$.store.book[:2].title", ["Sayings", "Sword"]),
        ("$.store.book[-2:].title", ["Sword", "Moby"]),
        ("$.store.book[:-1].title", ["Sayings", "Sword"]),
        ("$.store.book[0:1]", [DOCUMENT["store"]["book"][0]]),
        ("$..price", [8.95, 12.99, 8, 19.95]),  # Jayway scans member by member, depth first
        ("$..isbn", ["0-553-21311-3", "0-395-19395-8"]),
        ("$..book[0].title", ["Sayings"]),
        ("$.store.book[?(@.isbn)].title", ["Sword", "Moby"]),
        ("$.store.book[?(!@.isbn)].title", ["Sayings"]),
        ("$.store.book[?(@.price < 10)].title", ["Sayings", "Moby"]),
        ("$.store.book[?(@.price >= 12.99)].title", ["Sword"]),
        ("$.store.book[?(@.price == 8)].title", ["Moby"]),
        ("$.store.book[?(@.price == 8.0)].title", ["Moby"]),
        ("$.store.book[?(@.category == 'fiction' && @.price > 10)].title", ["Sword"]),
        ("$.store.book[?(@.category == 'reference' || @.price == 8)].title", ["Sayings", "Moby"]),
        ("$.store.book[?(@.category != 'fiction')].title", ["Sayings"]),
        ("$.store.book[?(@.title =~ /s.*/i)].title", ["Sayings", "Sword"]),
        ("$.store.book[?(@.title in ['Moby', 'Nope'])].title", ["Moby"]),
        ("$.store.book[?(@.title nin ['Moby'])].title", ["Sayings", "Sword"]),
        ("$.store.book[?(@.price > $.store.bicycle.price)].title", []),
        ("$.store.book[?(@.title size 5)].title", ["Sword"]),
        ("$.empty[*]", []),
        ("$.text[*]", []),  # a wildcard skips what it cannot enter
    ],
)
def test_indefinite_path_selects_a_list(path: str, expected: list[Any]) -> None:
    # Given an indefinite path (wildcards, unions, slices, scans, filters)
    # When it is selected
    result = jsonpath.select(path, DOCUMENT)
    # Then the matches come back as a list, in document order, and an empty match is an empty list
    assert identical(result, expected)
    assert not jsonpath.is_definite(path)


def test_filter_applies_to_an_object_itself() -> None:
    # Given a filter applied to an object rather than an array (Jayway tests the object)
    # When selected / Then the object is the single match when the condition holds
    assert jsonpath.select("$.store.bicycle[?(@.color == 'red')].price", DOCUMENT) == [19.95]
    assert jsonpath.select("$.store.bicycle[?(@.color == 'blue')]", DOCUMENT) == []


def test_filter_equality_is_numeric_across_int_and_float_but_not_boolean() -> None:
    # Given items whose values are 1, 1.0 and true
    document = {"items": [{"v": 1}, {"v": 1.0}, {"v": True}, {"v": "1"}]}
    # When filtered on == 1 / Then 1 and 1.0 match numerically, true does not, "1" matches as a numeral
    assert jsonpath.select("$.items[?(@.v == 1)].v", document) == [1, 1.0, "1"]
    assert jsonpath.select("$.items[?(@.v == true)].v", document) == [True]


@pytest.mark.parametrize(
    ("path", "detail"),
    [
        # the corpus records exactly this text after "Invalid path '$.NoSuchInputPath' : "
        ("$.NoSuchInputPath", "No results for path: $['NoSuchInputPath']"),
        ("$.store.nope", "No results for path: $['store']['nope']"),
        ("$.nope.deeper", "Missing property in path $['nope']"),
        (
            "$.text.length",
            "Expected to find an object with property ['length'] in path $['text'] but found "
            "'com.fasterxml.jackson.databind.node.TextNode'. This is not a json object according to the "
            "JsonProvider: 'com.jayway.jsonpath.spi.json.JacksonJsonNodeJsonProvider'.",
        ),
        ("$.text[0]", 'Filter: [0] can only be applied to arrays. Current context is: "plain"'),
        ("$.store.book[9][0]", "The path $['store']['book'][9] is null"),
    ],
)
def test_definite_path_that_matches_nothing_raises_with_jayway_detail(path: str, detail: str) -> None:
    # Given a definite path that cannot be followed through the document
    # When it is selected
    with pytest.raises(jsonpath.JsonPathNotFound) as raised:
        jsonpath.select(path, DOCUMENT)
    # Then the error names the path as written and carries Jayway's message
    assert raised.value.path == path
    assert raised.value.detail == detail


@pytest.mark.parametrize(
    "path",
    [
        # recorded on AWS with the input {}: each answered [] rather than failing
        "$[*]", "$.items[*]", "$.items[1:]", "$.items[:1]", "$.items[*].itemValue", "$.items[1:].itemValue",
        "$.items[:1].itemValue", "$.item.items[*]", "$.item.items[1:]", "$.item.items[1:5]",
        "$.item.items[:1]", "$.item.items[1:5].itemValue",
    ],
)  # fmt: skip
def test_indefinite_path_over_missing_names_is_an_empty_list(path: str) -> None:
    # Given an empty input / When an indefinite path through missing names is selected / Then []
    assert jsonpath.select(path, {}) == []


@pytest.mark.parametrize(
    ("path", "detail"),
    [
        ("$[1:]", "Filter: [1:] can only be applied to arrays. Current context is: {}"),
        ("$.text[0,1]", 'Filter: [0,1] can only be applied to arrays. Current context is: "plain"'),
        ("$.text[?(@.x)]", 'Filter: [?] can not be applied to primitives. Current context is: "plain"'),
    ],
)
def test_indefinite_path_applying_an_array_step_to_a_non_array_raises(path: str, detail: str) -> None:
    # Given an array step applied, on the definite part of the path, to an object or string
    # When selected / Then it fails (Jayway's InvalidPathException), unlike a missing name
    document = {} if path == "$[1:]" else DOCUMENT
    with pytest.raises(jsonpath.JsonPathNotFound) as raised:
        jsonpath.select(path, document)
    assert raised.value.detail == detail


def test_bracket_names_keep_backslashes_other_than_the_escaped_delimiter() -> None:
    # Given the corpus' key with a backslash and quotes, and a name with an escaped delimiter
    document = {'Test\\""Name"': 'Value"\\', "it's": 1}
    # When selected / Then \" stays as written while \' stands for the quote itself
    assert jsonpath.select('$[\'Test\\""Name"\']', document) == 'Value"\\'
    assert jsonpath.select("$['it\\'s']", document) == 1


def test_indefinite_path_never_raises_for_misses_after_the_first_indefinite_step() -> None:
    # Given paths whose misses happen below a wildcard or scan
    # When selected / Then the misses are skipped, not errors
    assert jsonpath.select("$.store.book[*].missing", DOCUMENT) == []
    assert jsonpath.select("$..missing.deeper", DOCUMENT) == []


def test_select_returns_the_stored_value_without_copying() -> None:
    # Given a document / When a nested object is selected / Then it is the same object (no copy cost)
    assert jsonpath.select("$.store.bicycle", DOCUMENT) is DOCUMENT["store"]["bicycle"]


@pytest.mark.parametrize(
    ("path", "valid", "definite"),
    [
        ("$", True, True),
        ("$$.Execution.Input", True, True),
        ("$.a-b.c_d.$e", True, True),
        ("$['with space']", True, True),
        ("$['it\\'s']", True, True),
        ("$.a[0][1]", True, True),
        ("$.a[*]", True, False),
        ("$..a", True, False),
        ("$.a[?(@.b == 'x)')]", True, False),
        ("$.a[1:2]", True, False),
        ("a.b", False, None),
        ("$.", False, None),
        ("$..", False, None),
        ("$.a b", False, None),
        ("$.a[", False, None),
        ("$.a[x]", False, None),
        ("$.a[1:2:3]", False, None),
        ("$.a[?(@.b == )]", False, None),
        ("$.a.length()", False, None),
    ],
)
def test_validation_accepts_the_aws_dialect_and_rejects_the_rest(
    path: str, valid: bool, definite: bool | None
) -> None:
    # Given a path text / When validated / Then validity and definiteness are reported
    assert jsonpath.is_valid_path(path) is valid
    if valid:
        jsonpath.validate(path)
        assert jsonpath.is_definite(path) is definite
    else:
        with pytest.raises(ValueError, match="Invalid JSONPath"):
            jsonpath.validate(path)
