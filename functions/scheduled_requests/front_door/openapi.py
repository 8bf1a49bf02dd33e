"""Print the Schedule API's OpenAPI document, generated from the front door's routes and models.

Run `python -m functions.scheduled_requests.front_door.openapi > docs/openapi.json` (`make openapi`).
"""

from __future__ import annotations

import json
from typing import Any

from functions.scheduled_requests.front_door.handler import app

TITLE = "Schedule API"
VERSION = "1.0.0"
DESCRIPTION = (
    "Schedule a request to be processed once at a future time, read its status, cancel it while it "
    "waits. Each schedule is one AWS Step Functions execution; its id is the execution name. "
    "Authorization is configured on API Gateway (IAM SigV4 by default). Errors are "
    '`{"error": CODE, "message": text, "field"?: name}`.'
)
# Powertools documents its default 422 validation answer on every route; this API answers such
# problems with 400 and ErrorResponse (see handler.reject_invalid_request), so those entries go.
_UNUSED_STATUS = "422"
_UNUSED_SCHEMAS = ("HTTPValidationError", "ValidationError", "ResponseValidationError")


def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.1 document of the Schedule API as a dict."""
    document: dict[str, Any] = json.loads(
        app.get_openapi_json_schema(title=TITLE, version=VERSION, description=DESCRIPTION)
    )
    for path_item in document.get("paths", {}).values():
        for operation in path_item.values():
            operation.get("responses", {}).pop(_UNUSED_STATUS, None)
    schemas = document.get("components", {}).get("schemas", {})
    for name in _UNUSED_SCHEMAS:
        schemas.pop(name, None)
    return document


def render() -> str:
    """The document as stable, indented JSON text with a final newline."""
    return json.dumps(openapi_document(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    print(render(), end="")
