"""`POST /_local/clock {"toNextTimer": true}`: the console's "run to the next timer"."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.local.sfn_api.helpers import ROLE_ARN, http_json, wait_for_event, wait_machine

Names = Callable[[str], str]


def create_machine(sfn: Any, name: str, machine_definition: str) -> str:
    return str(
        sfn.create_state_machine(name=name, definition=machine_definition, roleArn=ROLE_ARN)[
            "stateMachineArn"
        ]
    )


def test_the_clock_moves_to_the_earliest_timer_and_runs_what_falls_due(
    sfn: Any, endpoint_url: str, unique_name: Names
) -> None:
    # Given two executions on a virtual clock at 2026-01-01T00:00:00Z, waiting one hour and one day
    machine_hour = create_machine(sfn, unique_name("Hour"), wait_machine(3600))
    machine_day = create_machine(sfn, unique_name("Day"), wait_machine(86400))
    hour = sfn.start_execution(stateMachineArn=machine_hour)["executionArn"]
    day = sfn.start_execution(stateMachineArn=machine_day)["executionArn"]
    for execution in (hour, day):
        wait_for_event(sfn, execution, "WaitStateEntered")

    # When the clock is moved to the next timer
    moved = http_json(f"{endpoint_url}/_local/clock", {"toNextTimer": True})

    # Then it stands where the first Wait ended, that execution has finished and the other still waits
    assert moved == (200, {"now": "2026-01-01T01:00:00Z", "mode": "virtual"})
    assert sfn.describe_execution(executionArn=hour)["status"] == "SUCCEEDED"
    assert sfn.describe_execution(executionArn=day)["status"] == "RUNNING"

    # And the next move reaches the second
    assert (
        http_json(f"{endpoint_url}/_local/clock", {"toNextTimer": True})[1]["now"] == "2026-01-02T00:00:00Z"
    )
    assert sfn.describe_execution(executionArn=day)["status"] == "SUCCEEDED"


def test_with_no_timer_pending_the_clock_stays_and_says_why(endpoint_url: str) -> None:
    # Given an engine where nothing waits
    # When the clock is asked to move to the next timer
    status, answer = http_json(f"{endpoint_url}/_local/clock", {"toNextTimer": True})

    # Then it is refused by name and the clock did not move
    assert status == 400
    assert answer["error"] == "NoTimerPending"
    assert http_json(f"{endpoint_url}/_local/clock")[1]["now"] == "2026-01-01T00:00:00Z"


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"toNextTimer": False}, "must be true"),
        ({"toNextTimer": True, "advanceSeconds": 5}, "exactly one"),
    ],
)
def test_a_malformed_next_timer_request_is_refused(
    endpoint_url: str, body: dict[str, Any], fragment: str
) -> None:
    status, answer = http_json(f"{endpoint_url}/_local/clock", body)

    assert status == 400
    assert fragment in answer["message"]
