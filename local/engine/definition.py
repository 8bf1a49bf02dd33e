"""The parsed form of an Amazon States Language definition.

A definition is a tree of state machines: the top level, each Parallel branch and each Map item
processor. Every (sub-)machine gets a key ("" for the top level, "Parent/branch/0", "Parent/items")
so that an execution's persisted progress can name the machine a thread runs in.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from local.engine.errors import ApiError
from local.engine.json_nesting import MAX_JSON_DEPTH, exceeds_depth

JSONPATH = "JSONPath"
JSONATA = "JSONata"


@dataclass
class StateSpec:
    """One state: its raw ASL fields plus what the interpreter derives from them (cached)."""

    name: str
    type: str
    raw: dict[str, Any]
    query_language: str
    machine_key: str
    cache: dict[str, Any] = field(default_factory=dict, repr=False)

    def get(self, key: str, default: Any = None) -> Any:
        """A raw ASL field of the state."""
        return self.raw.get(key, default)

    def has(self, key: str) -> bool:
        """Whether the state declares the field (even with a null value)."""
        return key in self.raw

    @property
    def is_jsonata(self) -> bool:
        """Whether the state uses the JSONata query language."""
        return self.query_language == JSONATA

    @property
    def next_state(self) -> str | None:
        """The `Next` target, or None for a terminal state."""
        value = self.raw.get("Next")
        return value if isinstance(value, str) else None


@dataclass
class MachineSpec:
    """A (sub-)state machine: where it starts and its states."""

    key: str
    start_at: str
    states: dict[str, StateSpec]
    query_language: str


@dataclass
class Definition:
    """A whole parsed definition with every nested machine addressable by key."""

    raw: dict[str, Any]
    root: MachineSpec
    machines: dict[str, MachineSpec]

    @property
    def timeout_seconds(self) -> int | None:
        """The execution-wide `TimeoutSeconds`, if any."""
        value = self.raw.get("TimeoutSeconds")
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    def state(self, machine_key: str, name: str) -> StateSpec:
        """Look a state up by machine key and name."""
        return self.machines[machine_key].states[name]


def branch_key(parent: StateSpec, index: int) -> str:
    """Machine key of a Parallel state's branch."""
    return f"{parent.machine_key}/{parent.name}/branch/{index}"


def processor_key(parent: StateSpec) -> str:
    """Machine key of a Map state's item processor."""
    return f"{parent.machine_key}/{parent.name}/items"


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
        raise ApiError(
            "InvalidDefinition",
            f"Invalid State Machine Definition: 'INVALID_JSON_DESCRIPTION: {exc}'",
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
    return Definition(raw=raw, root=root, machines=machines)


def _build_machine(
    raw: dict[str, Any], key: str, inherited_language: str, machines: dict[str, MachineSpec]
) -> MachineSpec:
    language = raw.get("QueryLanguage", inherited_language)
    states: dict[str, StateSpec] = {}
    for name, state_raw in raw["States"].items():
        state_language = state_raw.get("QueryLanguage", language)
        spec = StateSpec(
            name=name,
            type=state_raw["Type"],
            raw=state_raw,
            query_language=state_language,
            machine_key=key,
        )
        states[name] = spec
        _build_children(spec, state_language, machines)
    machine = MachineSpec(key=key, start_at=raw["StartAt"], states=states, query_language=language)
    machines[key] = machine
    return machine


def _build_children(spec: StateSpec, language: str, machines: dict[str, MachineSpec]) -> None:
    if spec.type == "Parallel":
        for index, branch in enumerate(spec.raw.get("Branches", [])):
            _build_machine(branch, branch_key(spec, index), language, machines)
    elif spec.type == "Map":
        processor = spec.raw.get("ItemProcessor") or spec.raw.get("Iterator")
        if isinstance(processor, dict):
            _build_machine(processor, processor_key(spec), language, machines)
