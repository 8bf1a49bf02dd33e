"""The optimized EventBridge integration: `arn:aws:states:::events:putEvents` (and `.waitForTaskToken`).

As on AWS: a `Detail` given as JSON (not text) is sent as its JSON text, the state machine's and the
execution's ARNs are appended to every entry's `Resources`, the result is the PutEvents response
(`Entries`, `FailedEntryCount`), and a response with failed entries fails the task with
`EventBridge.FailedEntry`.
"""

from __future__ import annotations

import json
from typing import Any

from local.engine.errors import StatesError
from local.engine.sdk_errors import SdkService

SERVICE = SdkService(
    prefix="EventBridge", sdk_name="AmazonEventBridge", generic_exception="AmazonEventBridgeException"
)
FAILED_ENTRY = "EventBridge.FailedEntry"


def put_events(client: Any, parameters: Any, *, state_machine_arn: str, execution_arn: str) -> Any:
    """Send the state's entries; raises StatesError named as Step Functions names it."""
    request = dict(parameters) if isinstance(parameters, dict) else {}
    entries = request.get("Entries")
    if isinstance(entries, list):
        request["Entries"] = [_entry(entry, [state_machine_arn, execution_arn]) for entry in entries]
    try:
        response = client.put_events(**request)
    except Exception as exc:  # every failure of the call is the task's error, never the engine's
        raise SERVICE.failure(client, exc) from exc
    response.pop("ResponseMetadata", None)
    if response.get("FailedEntryCount", 0) > 0:
        raise StatesError(FAILED_ENTRY, json.dumps(response, separators=(",", ":")))
    return response


def _entry(entry: Any, arns: list[str]) -> Any:
    if not isinstance(entry, dict):
        return entry
    sent = dict(entry)
    if "Detail" in sent and not isinstance(sent["Detail"], str):
        sent["Detail"] = json.dumps(sent["Detail"], separators=(",", ":"))
    resources = sent.get("Resources")
    sent["Resources"] = [*(resources if isinstance(resources, list) else []), *arns]
    return sent
