"""A Distributed Map's ItemBatcher: its declaration and how selected items are grouped into batches.

Each batch is one child's input, `{"Items": [...]}` plus `"BatchInput"` when the batcher gives one. A
batch closes when it holds MaxItemsPerBatch items or when one more item would make its input larger than
MaxInputBytesPerBatch (its JSON text in UTF-8); an item larger than that on its own gets a batch of its own.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from local.engine import paths
from local.engine.paths import Evaluator

LIMITS = ("MaxItemsPerBatch", "MaxInputBytesPerBatch")
FIELDS = frozenset({*LIMITS, *(f"{name}Path" for name in LIMITS), "BatchInput"})


@dataclass(frozen=True)
class ItemBatcherSpec:
    """The ItemBatcher field of a Map state, parsed from a validated definition."""

    max_items: Any  # a number, or (JSONata) an expression
    max_items_path: str | None
    max_bytes: Any
    max_bytes_path: str | None
    batch_input: Evaluator | None  # JSONPath
    batch_input_template: Any  # JSONata (None when absent)
    has_batch_input: bool

    @classmethod
    def parse(cls, raw: dict[str, Any], is_jsonata: bool) -> ItemBatcherSpec:
        """The batcher as the Map state runs it."""
        has_batch_input = "BatchInput" in raw
        return cls(
            max_items=raw.get("MaxItemsPerBatch"),
            max_items_path=raw.get("MaxItemsPerBatchPath"),
            max_bytes=raw.get("MaxInputBytesPerBatch"),
            max_bytes_path=raw.get("MaxInputBytesPerBatchPath"),
            batch_input=paths.compile_template(raw["BatchInput"])
            if has_batch_input and not is_jsonata
            else None,
            batch_input_template=raw.get("BatchInput") if is_jsonata else None,
            has_batch_input=has_batch_input,
        )


def problems(batcher: Any) -> list[tuple[str, str]]:
    """What is wrong with an ItemBatcher field, as (message, field below ItemBatcher) pairs."""
    if not isinstance(batcher, dict):
        return [("Expected value of type: Object", "")]
    found = [("Field is not supported", f"/{name}") for name in batcher if name not in FIELDS]
    if not any(name in batcher for name in (*LIMITS, *(f"{name}Path" for name in LIMITS))):
        found.append(("ItemBatcher must specify MaxItemsPerBatch or MaxInputBytesPerBatch", ""))
    for name in LIMITS:
        value = batcher.get(name)
        if (
            isinstance(value, int | float)
            and not isinstance(value, bool)
            and (int(value) != value or value < 1)
        ):
            found.append(("Value must be a positive integer", f"/{name}"))
    return found


def batches(
    items: list[Any], max_items: int | None, max_bytes: int | None, extra: dict[str, Any]
) -> list[dict[str, Any]]:
    """The children's inputs: `items` grouped under the limits (None: no limit), each with `extra`
    (`{"BatchInput": ...}` when the batcher gives one)."""
    empty = _size({"Items": [], **extra})
    grouped: list[list[Any]] = []
    current: list[Any] = []
    current_bytes = empty
    for item in items:
        item_bytes = _size(item) + (1 if current else 0)  # a comma separates it from the previous item
        full = max_items is not None and len(current) >= max_items
        too_big = max_bytes is not None and current and current_bytes + item_bytes > max_bytes
        if full or too_big:
            grouped.append(current)
            current, current_bytes, item_bytes = [], empty, _size(item)
        current.append(item)
        current_bytes += item_bytes
    if current:
        grouped.append(current)
    return [{"Items": group, **extra} for group in grouped]


def _size(value: Any) -> int:
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())
