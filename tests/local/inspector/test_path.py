"""The path taken, with loops that went round the same way many times collapsed."""

from __future__ import annotations

from datetime import UTC, datetime

from local.inspector.history import StateFailure, StateVisit
from local.inspector.path import FEWEST_ROUNDS, LoopRounds, collapse_loops, visit_key

START = datetime(2026, 1, 1, tzinfo=UTC)


def visits(*names: str) -> list[StateVisit]:
    return [StateVisit(name, "Pass", START, parent=None, iteration=None, exited_at=START) for name in names]


def shown(path: list[StateVisit | LoopRounds]) -> list[str]:
    return [
        f"{item.rounds}x{item.round_length}" if isinstance(item, LoopRounds) else item.name for item in path
    ]


def test_a_long_loop_is_shown_once_with_its_further_rounds() -> None:
    # Given Start, then ten rounds of Wait -> Check, then End
    path = visits("Start", *["Wait", "Check"] * 10, "End")
    # When
    collapsed = collapse_loops(path, visit_key("SUCCEEDED"))
    # Then
    assert shown(collapsed) == ["Start", "Wait", "Check", "9x2", "End"]
    loop = collapsed[3]
    assert isinstance(loop, LoopRounds) and len(loop.visits) == 18


def test_a_few_rounds_are_shown_in_full() -> None:
    # Given
    path = visits(*["Wait", "Check"] * (FEWEST_ROUNDS - 1))
    # When / Then
    assert shown(collapse_loops(path, visit_key("SUCCEEDED"))) == ["Wait", "Check"] * (FEWEST_ROUNDS - 1)


def test_a_round_that_went_otherwise_ends_the_loop() -> None:
    # Given six rounds, the last of which caught an error in Check
    path = visits(*["Wait", "Check"] * 6)
    path[-1].attempts = 1
    path[-1].failures.append(StateFailure("Boom", ""))
    # When
    collapsed = collapse_loops(path, visit_key("SUCCEEDED"))
    # Then
    assert shown(collapsed) == ["Wait", "Check", "4x2", "Wait", "Check"]
    assert collapsed[-1].outcome("SUCCEEDED") == "caught Boom"  # type: ignore[union-attr]
