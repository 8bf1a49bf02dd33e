"""Evaluates the JSONata fields of an ASL state the way Step Functions does, with jsonata-python."""

from __future__ import annotations

from typing import Any

import jsonata


def evaluate(field: Any, states: dict[str, Any]) -> Any:
    """``field`` with every ``{% expression %}`` string evaluated; ``states`` is bound to ``$states``."""
    if isinstance(field, str) and field.startswith("{%") and field.endswith("%}"):
        return jsonata.Jsonata(field[2:-2].strip()).evaluate(None, {"states": states})
    if isinstance(field, dict):
        return {key: evaluate(value, states) for key, value in field.items()}
    if isinstance(field, list):
        return [evaluate(item, states) for item in field]
    return field


def context(
    *, entered_time: str, start_time: str, execution_arn: str = "arn:aws:states:::execution:m:e"
) -> dict:
    """A minimal Context object with the fields our definitions read."""
    return {
        "Execution": {"Id": execution_arn, "StartTime": start_time},
        "State": {"EnteredTime": entered_time},
    }
