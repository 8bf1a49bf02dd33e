"""ResultPath semantics: replacing, inserting, creating intermediate objects, and match failures."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from local.engine import jsonpath


@pytest.mark.parametrize(
    ("path", "document", "expected"),
    [
        ("$", {"a": 1}, "result"),
        ("$.b", {"a": 1}, {"a": 1, "b": "result"}),
        ("$.a", {"a": 1}, {"a": "result"}),
        ("$.x.y.z", {"a": 1}, {"a": 1, "x": {"y": {"z": "result"}}}),
        ("$.a.c", {"a": {"b": 2}}, {"a": {"b": 2, "c": "result"}}),
        ("$['odd key']", {}, {"odd key": "result"}),
        ("$.list[1]", {"list": [0, 1, 2]}, {"list": [0, "result", 2]}),
        ("$.list[-1].v", {"list": [{"v": 0}, {"v": 1}]}, {"list": [{"v": 0}, {"v": "result"}]}),
    ],
)
def test_assign_places_the_result_at_the_path(path: str, document: Any, expected: Any) -> None:
    # Given a state input and a ResultPath
    original = copy.deepcopy(document)
    # When the result is assigned
    combined = jsonpath.assign(path, document, "result")
    # Then the result sits at the path, intermediate objects are created, and the input is untouched
    assert combined == expected
    assert document == original


@pytest.mark.parametrize(
    ("path", "document", "cause"),
    [
        ("$.a", "text", 'Unable to apply ReferencePath $.a to input "text"'),
        ("$.a", [1, 2], "Unable to apply ReferencePath $.a to input [1,2]"),
        ("$.a.b", {"a": 1}, 'Unable to apply ReferencePath $.a.b to input {"a":1}'),
        ("$.a.b", {"a": None}, 'Unable to apply ReferencePath $.a.b to input {"a":null}'),
        ("$.list[5]", {"list": [1]}, 'Unable to apply ReferencePath $.list[5] to input {"list":[1]}'),
    ],
)
def test_assign_into_a_non_object_fails_like_aws(path: str, document: Any, cause: str) -> None:
    # Given a ResultPath that runs into a value that is not an object (or an index past the end)
    # When the result is assigned
    with pytest.raises(jsonpath.ResultPathMatchFailure) as raised:
        jsonpath.assign(path, document, "result")
    # Then it fails with AWS's wording, naming the whole input
    assert str(raised.value) == cause


@pytest.mark.parametrize("path", ["$.a[*]", "$..a", "$.a[?(@.b)]", "$.a[0:1]", "$$.Execution"])
def test_assign_rejects_paths_that_are_not_reference_paths(path: str) -> None:
    # Given a path with operators / When used as a ResultPath / Then it is refused as invalid
    assert not jsonpath.is_reference_path(path)
    with pytest.raises(ValueError, match="Invalid ResultPath"):
        jsonpath.assign(path, {}, 1)
