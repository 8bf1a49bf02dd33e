"""Execution names: valid for any customer id, deterministic, and distinct for distinct revocations."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from hypothesis import assume, given
from hypothesis import strategies as st

from functions.consent_deletion.stream_trigger.execution_name import (
    MAX_EXECUTION_NAME_LENGTH,
    VALID_EXECUTION_NAME,
    build_execution_name,
)
from functions.consent_deletion.stream_trigger.logic import revocation_execution_name

REPO_ROOT = Path(__file__).resolve().parents[3]

# Any Unicode, including characters Step Functions forbids in names, and very long ids.
any_text = st.text(min_size=0, max_size=300)
event_ids = st.text(min_size=1, max_size=80)


@given(customer_id=any_text, event_id=event_ids)
def test_name_is_always_valid(customer_id: str, event_id: str) -> None:
    # Given any customer id and event id
    # When a name is built
    name = revocation_execution_name(customer_id, event_id)

    # Then it has only allowed characters and at most 80 of them
    assert VALID_EXECUTION_NAME.fullmatch(name)
    assert len(name) <= MAX_EXECUTION_NAME_LENGTH


@given(customer_id=any_text, event_id=event_ids)
def test_name_is_deterministic(customer_id: str, event_id: str) -> None:
    # Given the same revocation delivered twice / When both names are built / Then they are equal
    first, second = (revocation_execution_name(customer_id, event_id) for _ in range(2))
    assert first == second


def test_name_is_the_same_in_another_process() -> None:
    # Given revocations named in this process
    pairs = [("c-1", "evt-1"), ("Zoë Ünïcødé", "evt-2"), ("", "evt-3"), ("x" * 500, "evt-4")]
    here = [revocation_execution_name(*pair) for pair in pairs]

    # When another process (with different string hashing) names them
    script = (
        "import json, sys\n"
        "from functions.consent_deletion.stream_trigger.logic import revocation_execution_name\n"
        "print(json.dumps([revocation_execution_name(*pair) for pair in json.load(sys.stdin)]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        input=json.dumps(pairs),
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONHASHSEED": "12345"},
    )

    # Then the names are the same: a Lambda cold start never renames a revocation
    assert json.loads(result.stdout) == here


@given(first=st.tuples(any_text, event_ids), second=st.tuples(any_text, event_ids))
def test_distinct_revocations_get_distinct_names(first: tuple[str, str], second: tuple[str, str]) -> None:
    # Given two different (customer id, event id) pairs
    assume(first != second)

    # When their names are built / Then the names differ
    assert revocation_execution_name(*first) != revocation_execution_name(*second)


def test_ids_that_sanitise_alike_still_get_distinct_names() -> None:
    # Given customer ids that differ only in characters a name cannot hold, or beyond the readable part
    ids = ["a b", "a/b", "a_b", "a:b", "x" * 200, "x" * 200 + "y"]

    # When names are built for the same event
    names = {revocation_execution_name(customer_id, "event-1") for customer_id in ids}

    # Then every id has its own name
    assert len(names) == len(ids)


def test_customer_ids_as_long_as_a_dynamodb_key_get_valid_distinct_names() -> None:
    # Given customer ids of 2,048 bytes, DynamoDB's key limit, differing only in their last character
    ids = ["x" * 2047 + "a", "x" * 2047 + "b", "\U0001f600" * 511 + "xyza", "\U0001f600" * 511 + "xyzb"]
    assert {len(customer_id.encode()) for customer_id in ids} == {2048}

    # When names are built for the same event
    names = {revocation_execution_name(customer_id, "event-1") for customer_id in ids}

    # Then each is a valid execution name of its own
    assert len(names) == len(ids)
    assert all(VALID_EXECUTION_NAME.fullmatch(name) for name in names)


@given(customer_id=st.from_regex(r"[0-9A-Za-z_-]{1,40}", fullmatch=True), event_id=event_ids)
def test_name_starts_with_a_readable_customer_id(customer_id: str, event_id: str) -> None:
    # Given a customer id that is short and already made of allowed characters
    # When a name is built / Then a person can find the customer's execution by its id
    assert revocation_execution_name(customer_id, event_id).startswith(f"{customer_id}-")


def test_label_and_identity_cannot_be_confused() -> None:
    # Given the same characters split differently between the parts
    # When names are built / Then they differ (the digest encodes the parts unambiguously)
    assert build_execution_name("ab", "c") != build_execution_name("a", "bc")
