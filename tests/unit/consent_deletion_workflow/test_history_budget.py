"""How many history events a deletion that stays pending until the deadline produces, computed from the ASL.

The wait schedule comes from evaluating the definition's own Wait expressions; the events per round from
the state types in the loop (and, for the bound, every retrier's MaxAttempts).
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import jsonata

from tests.unit.consent_deletion_workflow.asl_model import SUBSTITUTIONS, definition, expressions

STATES: dict[str, Any] = definition()["States"]
LOOP = ("WaitBeforeCheck", "CheckDeletionStatus", "RecordCheck", "IsDeletionFinished")
# Events per state visit, by type (Task: Entered, Scheduled, Started, Succeeded, Exited; Fail: Entered and
# the ExecutionFailed it causes).
EVENTS_PER_VISIT = {"Task": 5, "Wait": 2, "Choice": 2, "Fail": 2}
# A retried attempt adds TaskFailed, then TaskScheduled and TaskStarted of the next attempt.
EVENTS_PER_RETRY = 3
# The states before the loop, and the timeout path after it (ExecutionStarted is counted apart).
PREFIX = (
    "RecordDeletionRequested",
    "RequestDeletion",
    "DidVendorTakeRequest",
    "IsAnythingToDelete",
    "RecordOperation",
)
# A deletion request answered with a Retry-After goes round this loop, a bounded number of times.
REQUEST_LOOP = ("WaitForVendorRetryAfter", "RequestDeletion", "DidVendorTakeRequest")
TIMEOUT_PATH = ("RecordDeletionTimedOut", "AlertTechnicalContact", "ChooseFailure", "DeletionTimedOut")
SOFT_LIMIT = 2_000
HARD_LIMIT = 25_000
START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def _evaluate(expression: str, bindings: dict[str, Any]) -> Any:
    return jsonata.Jsonata(expression).evaluate(None, bindings)


def wait_schedule() -> list[datetime]:
    """When each check happens for a deletion revoked and started at START that never completes."""
    wait = STATES["WaitBeforeCheck"]
    [timestamp] = expressions(wait["Timestamp"])
    [next_delay] = expressions(wait["Assign"]["checkDelaySeconds"])
    [first_delay] = expressions(STATES["RecordDeletionRequested"]["Assign"]["checkDelaySeconds"])
    deadline = START + timedelta(seconds=int(SUBSTITUTIONS["DeletionDeadlineSeconds"]))
    variables: dict[str, Any] = {
        "checkDelaySeconds": _evaluate(first_delay, {}),
        "retryAfterSeconds": 0,
        "deadlineMillis": int(deadline.timestamp() * 1000),
    }
    entered, checks = START, list[datetime]()
    while not checks or checks[-1] < deadline:
        bindings = {**variables, "states": {"context": {"State": {"EnteredTime": entered.isoformat()}}}}
        check_at = datetime.fromisoformat(_evaluate(timestamp, bindings))
        variables["checkDelaySeconds"] = _evaluate(next_delay, bindings)
        checks.append(check_at)
        entered = check_at
    return checks


def _events(names: tuple[str, ...]) -> int:
    return sum(EVENTS_PER_VISIT[STATES[name]["Type"]] for name in names)


def _worst_case_retries(name: str) -> int:
    return sum(retrier["MaxAttempts"] for retrier in STATES[name].get("Retry", []))


def max_request_waits() -> int:
    """How many times DidVendorTakeRequest sends the request round its Retry-After wait."""
    [condition] = [
        choice["Condition"]
        for choice in STATES["DidVendorTakeRequest"]["Choices"]
        if choice["Next"] == "WaitForVendorRetryAfter"
    ]
    bound = re.search(r"\$requestWaits < (\d+)", condition)
    assert bound, condition
    return int(bound.group(1))


def test_the_loop_backs_off_to_the_cap_and_checks_exactly_at_the_deadline() -> None:
    # Given the schedule the definition produces for a deletion that never completes
    checks = wait_schedule()
    gaps = [
        (later - earlier).total_seconds() for earlier, later in zip([START, *checks], checks, strict=False)
    ]

    # Then the delay doubles from the initial one up to the cap, and the last check is the deadline itself
    assert gaps[:7] == [60, 120, 240, 480, 960, 1920, 3600]
    assert max(gaps) == int(SUBSTITUTIONS["MaxCheckDelaySeconds"])
    assert checks[-1] == START + timedelta(seconds=int(SUBSTITUTIONS["DeletionDeadlineSeconds"]))
    assert checks[-2] < checks[-1]


def test_three_days_pending_stays_under_two_thousand_events() -> None:
    # Given the number of checks in three days
    rounds = len(wait_schedule())

    # When the events of a fault-free execution that times out are added up
    total = 1 + _events(PREFIX) + rounds * _events(LOOP) + _events(TIMEOUT_PATH)

    # Then there is one round per delay of the ramp, then one per capped delay until the deadline,
    # and the total stays under the project's budget, far below AWS's 25,000
    initial, cap = int(SUBSTITUTIONS["InitialCheckDelaySeconds"]), int(SUBSTITUTIONS["MaxCheckDelaySeconds"])
    ramp = [initial * 2**step for step in range(32) if initial * 2**step < cap]
    deadline = int(SUBSTITUTIONS["DeletionDeadlineSeconds"])
    assert rounds == len(ramp) + math.ceil((deadline - sum(ramp)) / cap)
    assert total < SOFT_LIMIT, total


def test_even_with_every_retry_exhausted_it_stays_under_the_aws_limit() -> None:
    # Given every retrier of every task in the loop exhausting its attempts in every round
    rounds = len(wait_schedule())
    retries_per_round = sum(_worst_case_retries(name) for name in LOOP)
    prefix_retries = sum(_worst_case_retries(name) for name in PREFIX + TIMEOUT_PATH)
    # and the vendor answering the deletion request with a Retry-After as often as the definition allows
    request_rounds = max_request_waits()
    retries_per_request_round = sum(_worst_case_retries(name) for name in REQUEST_LOOP)

    # When the events are added up
    total = (
        1
        + _events(PREFIX)
        + request_rounds * (_events(REQUEST_LOOP) + EVENTS_PER_RETRY * retries_per_request_round)
        + rounds * (_events(LOOP) + EVENTS_PER_RETRY * retries_per_round)
        + _events(TIMEOUT_PATH)
        + EVENTS_PER_RETRY * prefix_retries
    )

    # Then even that pathological execution is not failed by Step Functions
    assert total < HARD_LIMIT, total
