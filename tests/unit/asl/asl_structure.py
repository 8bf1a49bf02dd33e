"""Structural checks of an ASL definition, shared by the tests of every state machine."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

State = dict[str, Any]


def transitions(state: State) -> list[str]:
    """Where a state goes when it does not fail: Next, Default and every Choice rule's Next."""
    targets = [state[key] for key in ("Next", "Default") if key in state]
    targets += [rule["Next"] for rule in state.get("Choices", [])]
    return targets


def catch_targets(state: State) -> list[str]:
    """Where a state goes when one of its catchers matches."""
    return [catcher["Next"] for catcher in state.get("Catch", [])]


def reachable_states(definition: dict[str, Any]) -> set[str]:
    """Every state reachable from StartAt, through transitions and catchers."""
    states = definition["States"]
    seen: set[str] = set()
    pending = [definition["StartAt"]]
    while pending:
        name = pending.pop()
        if name in seen or name not in states:
            continue
        seen.add(name)
        pending += transitions(states[name]) + catch_targets(states[name])
    return seen


def failure_path_problems(definition: dict[str, Any]) -> list[str]:
    """Paths from a catcher that do not end in a Fail state with a named Error.

    A path may instead lead back into the state that caught the error: that is a new attempt
    (a reschedule), not the end of the failure path. A catcher that continues where success would
    have gone (the state's own Next) handles an expected outcome and is not a failure path at all.
    """
    states = definition["States"]
    problems: list[str] = []
    for catching_name, state in states.items():
        for target in catch_targets(state):
            if target == state.get("Next"):
                continue
            problems += _walk(states, target, catching_name, path=(catching_name,))
    return problems


def _walk(states: dict[str, State], name: str, catching_name: str, path: tuple[str, ...]) -> list[str]:
    route = " -> ".join((*path, name))
    if name == catching_name:
        return []
    if name in path:
        return [f"{route}: loops without reaching a Fail state"]
    state = states[name]
    if state["Type"] == "Fail":
        return [] if state.get("Error") else [f"{route}: Fail state without a named Error"]
    if state["Type"] == "Succeed" or state.get("End"):
        return [f"{route}: a failure path ends without failing"]
    return [
        problem
        for target in transitions(state)
        for problem in _walk(states, target, catching_name, (*path, name))
    ]


def tasks(definition: dict[str, Any]) -> Iterator[tuple[str, State]]:
    """Every Task state, with its name."""
    for name, state in definition["States"].items():
        if state["Type"] == "Task":
            yield name, state
