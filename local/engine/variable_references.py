"""The variables each state of a definition reads, as DescribeStateMachine's `variableReferences` lists them.

A state reads a variable through a reference field ("InputPath": "$answer", "ErrorPath", a Choice rule's
"Variable" or "...Path"), a template value ("key.$": "$answer" or an intrinsic function's arguments), or,
in a JSONata state, a `$name` in an expression that is not a function call. States inside Map and Parallel
states are listed by their own names.
"""

from __future__ import annotations

import re
from typing import Any

_NESTED = ("ItemProcessor", "Iterator", "Branches")
_VARIABLE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_JSONATA_VARIABLE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)(?!\s*\()")
_STATES_VARIABLE = "states"  # JSONata's reserved $states, which no Assign sets


def variable_references(definition: dict[str, Any]) -> dict[str, list[str]]:
    """Each state that reads variables, with the names it reads, sorted (no state when none does)."""
    found: dict[str, list[str]] = {}
    _collect_machine(definition, found)
    return found


def _collect_machine(machine: Any, found: dict[str, list[str]]) -> None:
    states = machine.get("States") if isinstance(machine, dict) else None
    if not isinstance(states, dict):
        return
    for name, state in states.items():
        if not isinstance(state, dict):
            continue
        names: set[str] = set()
        for key, value in state.items():
            if key in _NESTED:
                for nested in value if isinstance(value, list) else [value]:
                    _collect_machine(nested, found)
            else:
                _collect_value(key, value, names)
        if names:
            found[name] = sorted(names)


def _collect_value(key: str, value: Any, names: set[str]) -> None:
    if isinstance(value, dict):
        for inner_key, inner in value.items():
            _collect_value(inner_key, inner, names)
    elif isinstance(value, list):
        for item in value:
            _collect_value(key, item, names)
    elif isinstance(value, str):
        if value.startswith("{%"):
            names.update(n for n in _JSONATA_VARIABLE.findall(value) if n != _STATES_VARIABLE)
        elif key.endswith(".$") or key.endswith("Path") or key == "Variable":
            names.update(_VARIABLE.findall(value))
