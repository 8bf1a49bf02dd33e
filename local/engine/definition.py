"""The parsed form of an Amazon States Language definition.

A definition is a tree of state machines: the top level, each Parallel branch and each Map item
processor. Every (sub-)machine gets a key ("" for the top level, "Parent/branch/0", "Parent/items")
so that an execution's persisted progress can name the machine a thread runs in.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from local.engine import jackson_errors
from local.engine.errors import ApiError
from local.engine.json_nesting import MAX_JSON_DEPTH, exceeds_depth
from local.engine.state_specs import (
    JSONATA,
    JSONPATH,
    QueryLanguage,
    StateSpec,
    branch_key,
    parse_state,
    processor_key,
)

__all__ = [
    "JSONATA",
    "JSONPATH",
    "Definition",
    "MachineSpec",
    "QueryLanguage",
    "StateSpec",
    "build",
    "load_json",
]


@dataclass
class MachineSpec:
    """A (sub-)state machine: where it starts and its states."""

    key: str
    start_at: str
    states: dict[str, StateSpec]
    query_language: QueryLanguage


@dataclass
class Definition:
    """A whole parsed definition with every nested machine addressable by key."""

    root: MachineSpec
    machines: dict[str, MachineSpec]
    timeout_seconds: int | None  # the execution-wide TimeoutSeconds

    def state(self, machine_key: str, name: str) -> StateSpec:
        """Look a state up by machine key and name."""
        return self.machines[machine_key].states[name]


def load_json(text: str) -> dict[str, Any]:
    """Parse definition text, failing like CreateStateMachine does on malformed JSON.

    Text nested deeper than `MAX_JSON_DEPTH` is refused before it is parsed, because parsing, validating
    and building the definition recurse once per level.
    """
    if isinstance(text, str) and exceeds_depth(text):
        raise ApiError(
            "InvalidDefinition",
            "Invalid State Machine Definition: 'INVALID_JSON_DESCRIPTION: The definition nests objects "
            f"and arrays more than {MAX_JSON_DEPTH} levels deep'",
        )
    try:
        raw = json.loads(text)
    except (TypeError, ValueError) as exc:
        jackson = jackson_errors.describe(text) if isinstance(text, str) else None
        reason = jackson.located_message if jackson is not None else str(exc)
        raise ApiError(
            "InvalidDefinition", f"Invalid State Machine Definition: 'INVALID_JSON_DESCRIPTION: {reason}'"
        ) from exc
    if not isinstance(raw, dict):
        raise ApiError(
            "InvalidDefinition",
            "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: "
            "The definition must be a JSON object at /'",
        )
    return raw


def build(raw: dict[str, Any]) -> Definition:
    """Build the machine tree from an already validated raw definition."""
    machines: dict[str, MachineSpec] = {}
    top_language = raw.get("QueryLanguage", JSONPATH)
    root = _build_machine(raw, "", top_language, machines)
    timeout = raw.get("TimeoutSeconds")
    timeout_seconds = timeout if isinstance(timeout, int) and not isinstance(timeout, bool) else None
    return Definition(root=root, machines=machines, timeout_seconds=timeout_seconds)


def _build_machine(
    raw: dict[str, Any], key: str, inherited_language: QueryLanguage, machines: dict[str, MachineSpec]
) -> MachineSpec:
    language = raw.get("QueryLanguage", inherited_language)
    states: dict[str, StateSpec] = {}
    for name, state_raw in raw["States"].items():
        state_language = state_raw.get("QueryLanguage", language)
        states[name] = parse_state(name, state_raw, state_language, key)
        _build_children(name, state_raw, key, state_language, machines)
    machine = MachineSpec(key=key, start_at=raw["StartAt"], states=states, query_language=language)
    machines[key] = machine
    return machine


def _build_children(
    name: str, raw: dict[str, Any], key: str, language: QueryLanguage, machines: dict[str, MachineSpec]
) -> None:
    if raw["Type"] == "Parallel":
        for index, branch in enumerate(raw.get("Branches", [])):
            _build_machine(branch, branch_key(key, name, index), language, machines)
    elif raw["Type"] == "Map":
        processor = raw.get("ItemProcessor") or raw.get("Iterator")
        if isinstance(processor, dict):
            _build_machine(processor, processor_key(key, name), language, machines)
