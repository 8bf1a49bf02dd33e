"""Strict JSON for untrusted bodies: nesting bounded before parsing, duplicate keys refused by path."""

from __future__ import annotations

import json

import pytest

from functions.common.strict_json import DuplicateKey, NestingTooDeep, check_nesting, loads_strict

LIMIT = 8


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("depth", [1, LIMIT])
def test_documents_within_the_limit_pass(depth: int) -> None:
    # Given a document nested exactly up to the limit / Then it parses unchanged
    assert loads_strict(nested(depth), max_depth=LIMIT) == json.loads(nested(depth))


@pytest.mark.parametrize("depth", [LIMIT + 1, 256, 20_000, 1_000_000])
def test_deeper_documents_are_refused_before_parsing(depth: int) -> None:
    # Given a document nested beyond the limit (json.loads itself recurses once per level)
    # When it is parsed / Then it is refused by name, never with a RecursionError
    with pytest.raises(NestingTooDeep) as refused:
        loads_strict(nested(depth), max_depth=LIMIT)
    assert refused.value.max_depth == LIMIT
    assert refused.value.member is None


def test_the_top_level_member_that_nests_too_deep_is_named() -> None:
    # Given an object whose "payload" member nests too deep, after a harmless one
    text = '{"ok": [[1]], "pay\\u006coad": {"a": ' + nested(LIMIT) + "}}"

    # When the nesting is checked / Then the member is named (escapes decoded)
    with pytest.raises(NestingTooDeep) as refused:
        check_nesting(text, max_depth=LIMIT)
    assert refused.value.member == "payload"


def test_brackets_inside_strings_do_not_count() -> None:
    # Given a string full of brackets and escaped quotes / Then only structure counts toward the depth
    text = json.dumps({"text": "[" * 1000 + '\\"{' * 100})
    assert loads_strict(text, max_depth=2) == json.loads(text)


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ('{"triggerAt": "a", "triggerAt": "b"}', "triggerAt"),
        ('{"payload": {"n": 1, "n": 2}}', "payload.n"),
        ('{"payload": {"list": [{}, {"k": 1, "k": 1}]}}', "payload.list.1.k"),
        ('[{"x": 1}, {"y": 1, "y": 2}]', "1.y"),
    ],
    ids=["top level", "nested", "inside an array", "array at the root"],
)
def test_duplicate_keys_are_refused_with_their_path(text: str, path: str) -> None:
    # Given a document that repeats a key (json.loads would silently keep the last value)
    # When it is parsed / Then the repeated key is named by its path
    with pytest.raises(DuplicateKey) as refused:
        loads_strict(text, max_depth=LIMIT)
    assert refused.value.path == path


def test_invalid_json_is_still_a_json_decode_error() -> None:
    # Given text that is not JSON / Then the usual JSONDecodeError comes out
    with pytest.raises(json.JSONDecodeError):
        loads_strict("{not json", max_depth=LIMIT)
