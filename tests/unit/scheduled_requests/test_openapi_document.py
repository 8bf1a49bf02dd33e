"""docs/openapi.json is generated from the front door's code and must not go stale."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from functions.common.rfc3339 import format_utc_seconds
from functions.scheduled_requests.front_door.logic import ScheduleService
from functions.scheduled_requests.front_door.models import (
    EXAMPLE_TRIGGER_LEAD,
    CreateScheduleRequest,
    ScheduleStatus,
)
from functions.scheduled_requests.front_door.openapi import openapi_document, render
from functions.scheduled_requests.front_door.settings import FrontDoorSettings
from tests.unit.scheduled_requests.fakes import STATE_MACHINE_ARN, InMemoryExecutions, ManualClock

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
    assert set(operations["/schedules", "post"]["responses"]) == {
        "202",
        "400",
        "403",
        "409",
        "413",
        "415",
        "429",
        "500",
        "502",
        "503",
        "504",
    }
    for operation in operations.values():
        assert "422" not in operation["responses"]
        assert operation["responses"]["404" if "404" in operation["responses"] else "400"]["content"][
            "application/json"
        ]["schema"] == {"$ref": "#/components/schemas/ErrorResponse"}
    referenced = {ref.rsplit("/", 1)[-1] for ref in _refs(document)}
    assert referenced <= set(document["components"]["schemas"])


GATEWAY_STATUSES = ("403", "429", "502", "504")


def _operations(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [operation for item in document["paths"].values() for operation in item.values()]


@pytest.mark.parametrize("status", GATEWAY_STATUSES)
def test_every_operation_documents_what_api_gateway_itself_answers(status: str) -> None:
    # When the document is generated
    document = openapi_document()

    # Then each operation has the gateway's status, in the gateway-response shape with its response types
    schemas = document["components"]["schemas"]
    gateway_error = schemas["GatewayErrorResponse"]
    assert set(gateway_error["required"]) == {"error", "message"}
    assert gateway_error["properties"]["error"]["$ref"] == "#/components/schemas/GatewayResponseType"
    for operation in _operations(document):
        schema = operation["responses"][status]["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/GatewayErrorResponse"}
    assert {"ACCESS_DENIED", "MISSING_AUTHENTICATION_TOKEN", "THROTTLED", "INTEGRATION_TIMEOUT"} <= set(
        schemas["GatewayResponseType"]["enum"]
    )


def test_every_operation_documents_500_in_either_shape() -> None:
    # When the document is generated / Then 500 is the front door's error or the gateway's
    for operation in _operations(openapi_document()):
        schema = operation["responses"]["500"]["content"]["application/json"]["schema"]
        assert schema == {
            "anyOf": [
                {"$ref": "#/components/schemas/ErrorResponse"},
                {"$ref": "#/components/schemas/GatewayErrorResponse"},
            ]
        }


def test_the_document_requires_sigv4_signed_requests() -> None:
    # When the document is generated
    document = openapi_document()

    # Then IAM SigV4 is the security scheme (API Gateway's extension), required by every operation
    scheme = document["components"]["securitySchemes"]["sigv4"]
    assert scheme["type"] == "apiKey"
    assert (scheme["in"], scheme["name"]) == ("header", "Authorization")
    assert scheme["x-amazon-apigateway-authtype"] == "awsSigv4"
    assert document["security"] == [{"sigv4": []}]


def test_the_request_examples_are_accepted_now() -> None:
    # Given the examples the document gives for the request body, and the documented relative triggerAt
    properties = openapi_document()["components"]["schemas"]["CreateScheduleRequest"]["properties"]
    now = datetime.now(UTC).replace(microsecond=0)
    bodies = [{"triggerAt": format_utc_seconds(now + EXAMPLE_TRIGGER_LEAD), "payload": {}}]
    for name, schema in properties.items():
        bodies += [{**bodies[0], name: example} for example in schema.get("examples", [])]
    assert "one hour from now" in properties["triggerAt"]["description"]

    # When each is sent to the front door's rules with the clock at now
    clock = ManualClock(now)
    executions = InMemoryExecutions(clock)
    settings = FrontDoorSettings.model_validate(
        {"STATE_MACHINE_ARN": STATE_MACHINE_ARN, "TARGET_FUNCTIONS": json.dumps({"example-processor": "x"})}
    )
    service = ScheduleService(settings, executions, clock)
    outcomes = [service.create(CreateScheduleRequest.model_validate(body), None) for body in bodies]

    # Then every one is scheduled
    assert [outcome.accepted.status for outcome in outcomes] == [ScheduleStatus.SCHEDULED] * len(bodies)


def _refs(node: object) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []
