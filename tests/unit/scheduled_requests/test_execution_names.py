"""Execution names stay valid whatever the Idempotency-Key holds; ids of another shape are not looked up."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from functions.common.execution_names import (
    EXECUTION_NAME_MAX_LENGTH,
    hashed_execution_name,
    is_valid_execution_name,
    random_execution_name,
)
from functions.scheduled_requests.front_door.logic import is_schedule_id, schedule_id_for_key

ALLOWED = re.compile(r"[0-9A-Za-z_-]+")
# Any Python text, including lone surrogates that JSON "\ud800" escapes decode to.
any_key = st.text(st.characters(codec=None, categories=None), max_size=2000)


@given(any_key)
def test_any_key_gives_a_short_name_of_allowed_characters(key: str) -> None:
    # When a key of any content and length is turned into a schedule id
    name = schedule_id_for_key(key)

    # Then it is a valid execution name: at most 80 characters from [0-9A-Za-z_-]
    assert len(name) <= EXECUTION_NAME_MAX_LENGTH
    assert ALLOWED.fullmatch(name)
    assert is_valid_execution_name(name)
    assert name.startswith("idem-")
    assert len(name) == 69


@given(any_key)
def test_the_same_key_always_gives_the_same_id_and_it_is_recognised(key: str) -> None:
    # When the same key is mapped twice / Then the id is the same, and GET/DELETE accept its shape
    assert schedule_id_for_key(key) == schedule_id_for_key(key)
    assert is_schedule_id(schedule_id_for_key(key))


@given(any_key, any_key)
def test_different_keys_give_different_ids(first: str, second: str) -> None:
    # Given two different keys / Then their ids differ (SHA-256 collisions aside)
    if first != second:
        assert schedule_id_for_key(first) != schedule_id_for_key(second)


def test_random_names_are_valid_and_recognised() -> None:
    # When names are drawn for requests without a key
    names = {random_execution_name() for _ in range(50)}

    # Then they are all different, valid and recognised as schedule ids
    assert len(names) == 50
    assert all(is_valid_execution_name(name) and is_schedule_id(name) for name in names)


@given(st.text(max_size=100))
def test_arbitrary_text_is_an_id_only_when_it_has_a_generated_shape(text: str) -> None:
    # Given arbitrary text as a path parameter
    shaped = re.fullmatch(
        r"idem-[0-9a-f]{64}|[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", text
    )

    # Then it is looked up only when it has the shape of an id we hand out
    assert is_schedule_id(text) == (shaped is not None)


@pytest.mark.parametrize(
    "value",
    [
        "idem-" + "a" * 63,
        "idem-" + "A" * 64,
        "idem-" + "a" * 65,
        "IDEM-" + "a" * 64,
        "0f8fad5b-d9cb-469f-a165-70867728950",
        "0F8FAD5B-D9CB-469F-A165-70867728950E",
        "0f8fad5b-d9cb-169f-a165-70867728950e",
        "../etc/passwd",
        "",
    ],
)
def test_near_miss_ids_are_not_recognised(value: str) -> None:
    # Given an id of almost the right shape / Then it is not looked up (the API answers 404)
    assert not is_schedule_id(value)


@pytest.mark.parametrize("prefix", ["", "bad prefix", "x" * 17])
def test_unusable_prefixes_are_refused(prefix: str) -> None:
    # Given a prefix that would make names invalid or too long / Then it is refused
    with pytest.raises(ValueError, match="prefix"):
        hashed_execution_name(prefix, "key")
