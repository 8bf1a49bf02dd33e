"""A Map whose items are not an array fails as AWS records it: EvaluationFailed, then MapStateFailed."""

from __future__ import annotations

from typing import Any

import pytest

from local.engine import Engine

from .conftest import Starter

ITERATE = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
DECORATION = "An error occurred while executing the state 'M' (entered at the event id #2). "


def _shape(engine: Engine, arn: str) -> list[tuple[str, int, dict[str, Any] | None]]:
    return [
        (event["type"], event["previousEventId"], event.get("evaluationFailedEventDetails"))
        for event in engine.get_execution_history(arn)["events"]
    ]


@pytest.mark.parametrize(
    ("definition", "location", "cause"),
    [
        (
            {
                "StartAt": "M",
                "States": {
                    "M": {"Type": "Map", "ItemsPath": "$.items", "ItemProcessor": ITERATE, "End": True}
                },
            },
            "ItemsPath",
            "Invalid path '$.items': The ItemsPath field must point to a JSON array, but was: \"abc\"",
        ),
        (
            {
                "QueryLanguage": "JSONata",
                "StartAt": "M",
                "States": {"M": {"Type": "Map", "ItemProcessor": ITERATE, "End": True}},
            },
            "Items",
            "Map state input must be an array but was: object",
        ),
    ],
    ids=["jsonpath-items-path", "jsonata-state-input"],
)
def test_items_that_are_not_an_array_fail_with_an_evaluation_failed_event(
    skip_engine: Engine, start: Starter, definition: dict[str, Any], location: str, cause: str
) -> None:
    # Given a Map whose items resolve to a string (JSONPath) or whose input is an object (JSONata)
    arn = start(skip_engine, definition, {"items": "abc"})
    # When run
    skip_engine.run_until_idle()
    # Then EvaluationFailed names the field and the state, MapStateFailed follows, and the
    # execution fails with States.Runtime and the same decorated cause
    expected_details = {
        "cause": DECORATION + cause,
        "error": "States.Runtime",
        "location": location,
        "state": "M",
    }
    assert _shape(skip_engine, arn) == [
        ("ExecutionStarted", 0, None),
        ("MapStateEntered", 0, None),
        ("EvaluationFailed", 0, expected_details),
        ("MapStateFailed", 3, None),
        ("ExecutionFailed", 4, None),
    ]
    described = skip_engine.describe_execution(arn)
    assert (described["status"], described["error"], described["cause"]) == (
        "FAILED",
        "States.Runtime",
        DECORATION + cause,
    )
