"""Print the Schedule API's OpenAPI document, generated from the front door's routes and models.

Run `python -m functions.scheduled_requests.front_door.openapi > docs/openapi.json` (`make openapi`).
"""

from __future__ import annotations

import json
from typing import Any

from functions.scheduled_requests.front_door.handler import app
from functions.scheduled_requests.front_door.models import GatewayErrorResponse

TITLE = "Schedule API"
VERSION = "1.0.0"
DESCRIPTION = (
    "Schedule a request to be processed once at a future time, read its status, cancel it while it "
    "waits. Each schedule is one AWS Step Functions execution; its id is the execution name. "
    "Requests are signed with AWS Signature Version 4 (IAM authorization, the default; a deployment "
    "configured with `apiAuthorization` API_KEY expects an `x-api-key` header instead, COGNITO an "
    "`Authorization` token). Errors of the front door are "
    '`{"error": CODE, "message": text, "field"?: name}`; answers API Gateway gives itself '
    "(403, 429, 502, 504 and some 500s) are "
    '`{"error": RESPONSE_TYPE, "message": text}`. Every answer carries `x-amzn-RequestId`, the key '
    "under which the front door logs the details of a failure."
)
# Powertools documents its default 422 validation answer on every route; this API answers such
# problems with 400 and ErrorResponse (see handler.reject_invalid_request), so those entries go.
_UNUSED_STATUS = "422"
_UNUSED_SCHEMAS = ("HTTPValidationError", "ValidationError", "ResponseValidationError")

SIGV4_SCHEME = "sigv4"
# API Gateway's own description of IAM authorization in OpenAPI (x-amazon-apigateway-authtype).
_SIGV4 = {
    "type": "apiKey",
    "name": "Authorization",
    "in": "header",
    "description": "AWS Signature Version 4 (service `execute-api`); the caller needs execute-api:Invoke.",
    "x-amazon-apigateway-authtype": "awsSigv4",
}
_GATEWAY_SCHEMA = GatewayErrorResponse.__name__
# What API Gateway answers itself, before or instead of the front door, on every route.
_GATEWAY_ANSWERS = {
    "403": "Refused by API Gateway: missing or invalid signature (MISSING_AUTHENTICATION_TOKEN, "
    "INVALID_SIGNATURE, EXPIRED_TOKEN), not allowed (ACCESS_DENIED), or blocked (WAF_FILTERED).",
    "429": "Refused by API Gateway: the stage's throttling limits (THROTTLED) or a usage plan's "
    "quota (QUOTA_EXCEEDED) were exceeded; retry with backoff.",
    "502": "API Gateway could not use the front door's answer (DEFAULT_5XX); retry later.",
    "504": "The front door did not answer in time (INTEGRATION_TIMEOUT, INTEGRATION_FAILURE). A POST "
    "may still have been scheduled: retry it with the same Idempotency-Key.",
}
_INTERNAL_ERROR = (
    "An unexpected failure of the front door (INTERNAL_ERROR, logged under the request id) or of "
    "API Gateway's configuration."
)


def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.1 document of the Schedule API as a dict."""
    document: dict[str, Any] = json.loads(
        app.get_openapi_json_schema(title=TITLE, version=VERSION, description=DESCRIPTION)
    )
    for path_item in document.get("paths", {}).values():
        for operation in path_item.values():
            responses = operation.setdefault("responses", {})
            responses.pop(_UNUSED_STATUS, None)
            _add_gateway_answers(responses)
    components = document.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for name in _UNUSED_SCHEMAS:
        schemas.pop(name, None)
    gateway_schema = GatewayErrorResponse.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(gateway_schema.pop("$defs", {}))
    schemas[_GATEWAY_SCHEMA] = gateway_schema
    components["securitySchemes"] = {SIGV4_SCHEME: _SIGV4}
    document["security"] = [{SIGV4_SCHEME: []}]
    return document


def _add_gateway_answers(responses: dict[str, Any]) -> None:
    gateway = {"$ref": f"#/components/schemas/{_GATEWAY_SCHEMA}"}
    for status, description in _GATEWAY_ANSWERS.items():
        responses[status] = {"description": description, "content": {"application/json": {"schema": gateway}}}
    front_door = responses["500"]["content"]["application/json"]["schema"]
    responses["500"] = {
        "description": _INTERNAL_ERROR,
        "content": {"application/json": {"schema": {"anyOf": [front_door, gateway]}}},
    }


def render() -> str:
    """The document as stable, indented JSON text with a final newline."""
    return json.dumps(openapi_document(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    print(render(), end="")
