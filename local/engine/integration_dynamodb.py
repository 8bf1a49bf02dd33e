"""The optimized DynamoDB integration: `arn:aws:states:::dynamodb:getItem|putItem|updateItem|deleteItem`.

The state's parameters are the API request and its result is the API response in DynamoDB JSON (`{"Item":
{"id": {"S": "a"}}}`), without response metadata, as on AWS. Binary values are base64 text both ways, as in
DynamoDB's own JSON protocol.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from local.engine.sdk_errors import SdkService

SERVICE = SdkService(
    prefix="DynamoDB", sdk_name="AmazonDynamoDBv2", generic_exception="AmazonDynamoDBException"
)
OPERATIONS = {
    "getItem": "get_item",
    "putItem": "put_item",
    "updateItem": "update_item",
    "deleteItem": "delete_item",
}
# Request members whose values are attribute values (boto3 wants their binaries as bytes).
_ATTRIBUTE_VALUE_MAPS = ("Key", "Item", "ExpressionAttributeValues")


def call(client: Any, action: str, parameters: Any) -> Any:
    """Perform `action` with the state's parameters; raises StatesError named as Step Functions names it."""
    request = dict(parameters) if isinstance(parameters, dict) else {}
    for member in _ATTRIBUTE_VALUE_MAPS:
        values = request.get(member)
        if isinstance(values, dict):
            request[member] = {name: _to_sdk(value) for name, value in values.items()}
    try:
        response = getattr(client, OPERATIONS[action])(**request)
    except Exception as exc:  # every failure of the call is the task's error, never the engine's
        raise SERVICE.failure(client, exc) from exc
    response.pop("ResponseMetadata", None)
    return _to_json(response)


def _to_sdk(value: Any) -> Any:
    """An attribute value with its base64 binaries decoded (an invalid one is left for DynamoDB to refuse)."""
    if not isinstance(value, dict) or len(value) != 1:
        return value
    ((kind, content),) = value.items()
    if kind == "B" and isinstance(content, str):
        return {kind: _decoded(content)}
    if kind == "BS" and isinstance(content, list):
        return {kind: [_decoded(item) if isinstance(item, str) else item for item in content]}
    if kind == "M" and isinstance(content, dict):
        return {kind: {name: _to_sdk(item) for name, item in content.items()}}
    if kind == "L" and isinstance(content, list):
        return {kind: [_to_sdk(item) for item in content]}
    return value


def _decoded(text: str) -> bytes | str:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return text


def _to_json(value: Any) -> Any:
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, dict):
        return {key: _to_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_to_json(item) for item in value]
    return value
