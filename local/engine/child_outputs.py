"""The outputs of a Map's iterations or a Parallel's branches, and the ones a redrive keeps.

A composite state's frame data holds `results` (one slot per child) and `succeeded` (the slots whose
child succeeded). RedriveExecution carries the succeeded outputs over as `kept` pairs `[slot, output]`,
so that only the children that did not succeed run again.
"""

from __future__ import annotations

from typing import Any

from local.engine.frame import StateData


def take_kept(data: StateData, count: int) -> dict[int, Any]:
    """Remove the outputs a redrive kept from the state's data, by slot, ignoring slots past `count`."""
    return {slot: output for slot, output in data.pop("kept", None) or [] if slot < count}


def record_success(data: StateData, slot: int, output: Any) -> None:
    """Store a child's output and mark its slot as succeeded."""
    data["results"][slot] = output
    # setdefault: a frame saved before redrive kept outputs has no such list
    data.setdefault("succeeded", []).append(slot)


def kept_for_redrive(data: StateData) -> list[list[Any]]:
    """The `[slot, output]` pairs a redrive of this state keeps."""
    if "succeeded" in data:
        return [[slot, data["results"][slot]] for slot in data["succeeded"]]
    # failed again before its children started: keep what an earlier redrive kept
    kept: list[list[Any]] = data.get("kept") or []
    return kept
