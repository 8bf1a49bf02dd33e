"""The history outline: order kept within a thread, dropped only between concurrent branches."""

from __future__ import annotations

from typing import Any

from .history_outline import FAILED_CONTENTS, outline


def _event(
    event_id: int, previous: int, kind: str, name: str | None = None, **details: Any
) -> dict[str, Any]:
    event: dict[str, Any] = {"id": event_id, "previousEventId": previous, "type": kind}
    if name is not None:
        key = (
            "mapIterationStartedEventDetails"
            if kind.startswith("MapIteration")
            else "stateEnteredEventDetails"
        )
        event[key] = {"name": name, **details}
    return event


def _exited(event_id: int, previous: int, kind: str, name: str, output: str = "{}") -> dict[str, Any]:
    return {
        "id": event_id,
        "previousEventId": previous,
        "type": kind,
        "stateExitedEventDetails": {"name": name, "output": output},
    }


def _parallel(first: str, second: str) -> list[dict[str, Any]]:
    """A Parallel whose two one-state branches are recorded in the order given (ids follow the order)."""
    events = [_event(1, 0, "ExecutionStarted"), _event(2, 0, "ParallelStateEntered", "P")]
    events.append(_event(3, 2, "ParallelStateStarted"))
    next_id = 4
    for branch in (first, second):
        events.append(_event(next_id, 3, "PassStateEntered", branch))
        events.append(_exited(next_id + 1, next_id, "PassStateExited", branch, f'{{"from": "{branch}"}}'))
        next_id += 2
    events.append(_event(next_id, next_id - 1, "ParallelStateSucceeded"))
    events.append(_exited(next_id + 1, next_id - 1, "ParallelStateExited", "P"))
    events.append(_event(next_id + 2, next_id + 1, "ExecutionSucceeded"))
    return events


def test_branches_recorded_in_either_order_have_the_same_outline() -> None:
    # Given the same Parallel with its branches recorded in opposite orders
    # When outlined / Then the outlines are equal
    assert outline(_parallel("A", "B")) == outline(_parallel("B", "A"))


def test_interleaved_branch_events_are_assigned_by_previous_event_id() -> None:
    # Given two branches whose events interleave (A entered, B entered, A exited, B exited)
    events = [
        _event(1, 0, "ExecutionStarted"),
        _event(2, 0, "ParallelStateEntered", "P"),
        _event(3, 2, "ParallelStateStarted"),
        _event(4, 3, "PassStateEntered", "A"),
        _event(5, 3, "PassStateEntered", "B"),
        _exited(6, 4, "PassStateExited", "A", '{"from": "A"}'),
        _exited(7, 5, "PassStateExited", "B", '{"from": "B"}'),
        _event(8, 7, "ParallelStateSucceeded"),
        _exited(9, 7, "ParallelStateExited", "P"),
        _event(10, 9, "ExecutionSucceeded"),
    ]
    # When outlined / Then it equals the outline of the same branches recorded one after the other
    assert outline(events) == outline(_parallel("A", "B"))


def test_a_different_output_inside_a_branch_changes_the_outline() -> None:
    # Given the same history but for one state's output
    changed = _parallel("A", "B")
    changed[4]["stateExitedEventDetails"]["output"] = '{"from": 1}'
    # When outlined / Then the outlines differ
    assert outline(changed) != outline(_parallel("A", "B"))


def test_map_iterations_are_grouped_by_their_started_event_wherever_it_points() -> None:
    # Given a Map whose second MapIterationStarted points at the first iteration (as moto records it)
    def history(second_points_at: int) -> list[dict[str, Any]]:
        return [
            _event(1, 0, "ExecutionStarted"),
            _event(2, 0, "MapStateEntered", "M"),
            _event(3, 2, "MapStateStarted"),
            _event(4, 3, "MapIterationStarted", "M", index=0),
            _event(5, 4, "PassStateEntered", "I"),
            _exited(6, 5, "PassStateExited", "I", "1"),
            _event(7, 6, "MapIterationSucceeded", "M", index=0),
            _event(8, second_points_at, "MapIterationStarted", "M", index=1),
            _event(9, 8, "PassStateEntered", "I"),
            _exited(10, 9, "PassStateExited", "I", "2"),
            _event(11, 10, "MapIterationSucceeded", "M", index=1),
            _event(12, 11, "MapStateSucceeded"),
            _exited(13, 11, "MapStateExited", "M", "[1, 2]"),
            _event(14, 13, "ExecutionSucceeded"),
        ]

    # When outlined with the second iteration pointing at MapStateStarted or at the first iteration
    # Then both give two iterations of four events each
    assert outline(history(7)) == outline(history(3))
    iterations = outline(history(3))[3]
    assert [len(iteration) for iteration in iterations] == [4, 4]


def test_the_contents_of_a_failed_parallel_are_not_compared() -> None:
    # Given a Parallel whose branch fails, with a late event of an aborted branch after ExecutionFailed
    events = [
        _event(1, 0, "ExecutionStarted"),
        _event(2, 0, "ParallelStateEntered", "P"),
        _event(3, 2, "ParallelStateStarted"),
        _event(4, 3, "FailStateEntered", "F"),
        _event(5, 4, "ParallelStateFailed"),
        _event(6, 5, "ExecutionFailed"),
        _event(7, 3, "PassStateEntered", "Late"),
    ]
    # When outlined / Then the branches are replaced by a marker and the execution's end is kept
    assert outline(events) == (
        "ExecutionStarted",
        "ParallelStateEntered",
        "ParallelStateStarted",
        FAILED_CONTENTS,
        "ExecutionFailed",
    )
