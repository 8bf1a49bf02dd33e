"""The outline of an execution history: event types in order (each state's exit with the state's
output), with concurrent work made order-free.

Parallel branches and Map iterations run concurrently, so AWS (and moto, which runs them in
threads) may interleave their events in any order. The outline keeps the order of everything
outside them, and turns the events between ParallelStateStarted / MapStateStarted and the
matching ParallelStateSucceeded / MapStateSucceeded into a sorted tuple of per-branch (per-iteration)
outlines: each branch keeps its own order, only the order between branches is dropped.

An event joins the branch of the event its previousEventId names (both engines point it at the
previous event of the same branch); a branch starts at an event that points at ParallelStateStarted,
an iteration at its MapIterationStarted (found by the Map's name, because moto points that event at
the previous iteration instead).

The contents of a Parallel or Map that failed are not compared: which sibling branches had started
or finished when one failed depends on timing, in AWS as in moto.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

Outline = tuple[Any, ...]
Event = dict[str, Any]

FAILED_CONTENTS = "<contents of a failed Parallel/Map: timing-dependent, not compared>"
_CONTAINER_KIND = {"ParallelStateStarted": "Parallel", "MapStateStarted": "Map"}


def outline(events: Sequence[Event]) -> Outline:
    """The outline of a history (events as GetExecutionHistory returns them, in any order)."""
    return _thread(sorted(events, key=lambda event: event["id"]))


def state_name(event: Event) -> str | None:
    """The state or Map name an event's details carry, if any."""
    for key, details in event.items():
        if key.endswith("EventDetails") and isinstance(details, dict) and "name" in details:
            return str(details["name"])
    return None


def _thread(events: list[Event]) -> Outline:
    """Outline of the events of one thread: the execution, one branch or one iteration."""
    items: list[Any] = []
    position = 0
    while position < len(events):
        event = events[position]
        items.append(_item(event))
        kind = _CONTAINER_KIND.get(event["type"])
        if kind is None:
            position += 1
            continue
        name = state_name(events[position - 1]) if position else None
        end = _success_event(events, position, kind, name)
        if end is None:
            items.append(FAILED_CONTENTS)
            # moto may append events of aborted iterations after ExecutionFailed; keep only the end.
            items += [
                later["type"] for later in events[position + 1 :] if later["type"].startswith("Execution")
            ]
            break
        items.append(_branches(events[position + 1 : end], event, kind, name))
        position = end
    return tuple(items)


def _item(event: Event) -> Any:
    """An event's type; for a state's exit also the state's output (parsed, type-strict)."""
    details = event.get("stateExitedEventDetails")
    if details is None or "output" not in details:
        return event["type"]
    return (event["type"], json.dumps(json.loads(details["output"]), sort_keys=True))


def _success_event(events: list[Event], start: int, kind: str, name: str | None) -> int | None:
    """Index of `<kind>StateSucceeded` directly followed by the container's own `<kind>StateExited`."""
    for index in range(start + 1, len(events) - 1):
        following = events[index + 1]
        if (
            events[index]["type"] == f"{kind}StateSucceeded"
            and following["type"] == f"{kind}StateExited"
            and state_name(following) == name
        ):
            return index
    return None


def _branches(inside: list[Event], start: Event, kind: str, name: str | None) -> tuple[Outline, ...]:
    """Per-branch (or per-iteration) outlines, sorted so that their order in the history is irrelevant."""
    groups: list[list[Event]] = []
    group_of: dict[int, int] = {}
    for event in inside:
        if kind == "Map":
            opens = event["type"] == "MapIterationStarted" and state_name(event) == name
        else:
            opens = event.get("previousEventId") == start["id"]
        previous = event.get("previousEventId")
        if opens or previous not in group_of:
            groups.append([])
            group = len(groups) - 1
        else:
            group = group_of[previous]
        groups[group].append(event)
        group_of[event["id"]] = group
    return tuple(sorted((_thread(group) for group in groups), key=repr))
