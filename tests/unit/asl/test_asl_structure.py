"""The structural checks themselves catch the mistakes they exist for."""

from __future__ import annotations

from typing import Any

from tests.unit.asl.asl_structure import failure_path_problems, reachable_states


def _definition(**states: dict[str, Any]) -> dict[str, Any]:
    return {"StartAt": next(iter(states)), "States": states}


def test_a_catch_that_leads_to_success_is_reported() -> None:
    # Given a task whose catcher ends in Succeed
    definition = _definition(
        Work={"Type": "Task", "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done"}], "End": True},
        Done={"Type": "Succeed"},
    )

    # When / Then the failure path is reported
    assert failure_path_problems(definition) == ["Work -> Done: a failure path ends without failing"]


def test_a_fail_state_without_error_is_reported_and_a_retry_loop_is_accepted() -> None:
    # Given a catcher that either retries the task or fails without naming an error
    definition = _definition(
        Work={"Type": "Task", "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Again"}], "End": True},
        Again={
            "Type": "Choice",
            "Choices": [{"Condition": "{% true %}", "Next": "Work"}],
            "Default": "GiveUp",
        },
        GiveUp={"Type": "Fail"},
    )

    # When / Then only the unnamed Fail is a problem
    assert failure_path_problems(definition) == ["Work -> Again -> GiveUp: Fail state without a named Error"]


def test_states_only_reached_through_nothing_are_unreachable() -> None:
    # Given a state nothing transitions to
    definition = _definition(Start={"Type": "Pass", "End": True}, Orphan={"Type": "Pass", "End": True})

    # When / Then it is not reachable
    assert reachable_states(definition) == {"Start"}
