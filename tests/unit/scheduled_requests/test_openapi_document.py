"""docs/openapi.json is generated from the front door's code and must not go stale."""

from __future__ import annotations

from pathlib import Path

from functions.scheduled_requests.front_door.openapi import openapi_document, render

COMMITTED = Path(__file__).resolve().parents[3] / "docs" / "openapi.json"


def test_the_committed_document_matches_the_code() -> None:
    # Given the document generated from the routes and models now
    generated = render()

    # Then it is exactly the committed one
    committed = COMMITTED.read_text(encoding="utf-8") if COMMITTED.exists() else "<missing>"
    assert committed == generated, (
        "docs/openapi.json is stale: run `make openapi` "
        "(python -m functions.scheduled_requests.front_door.openapi > docs/openapi.json) and commit it"
    )


def test_the_document_describes_the_three_operations_with_our_error_shape() -> None:
    # When the document is generated
    document = openapi_document()

    # Then it has the three operations, errors use ErrorResponse, and Powertools' 422 is gone
    operations = {
        (path, method): operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
    }
    assert set(operations) == {
        ("/schedules", "post"),
        ("/schedules/{scheduleId}", "get"),
        ("/schedules/{scheduleId}", "delete"),
    }
    assert set(operations["/schedules", "post"]["responses"]) == {"202", "400", "409", "413", "415", "503"}
    for operation in operations.values():
        assert "422" not in operation["responses"]
        assert operation["responses"]["404" if "404" in operation["responses"] else "400"]["content"][
            "application/json"
        ]["schema"] == {"$ref": "#/components/schemas/ErrorResponse"}
    referenced = {ref.rsplit("/", 1)[-1] for ref in _refs(document)}
    assert referenced <= set(document["components"]["schemas"])


def _refs(node: object) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []
