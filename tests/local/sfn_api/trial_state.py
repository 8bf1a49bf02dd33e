"""Calling TestState over HTTP: a client that reaches the local endpoint, and one state run as JSON."""

from __future__ import annotations

import json
from typing import Any

from tests.local.sfn_api.helpers import ROLE_ARN, make_client


def client(endpoint_url: str) -> Any:
    """A boto3 client for TestState: botocore sends it to a `sync-` host; the local endpoint answers on
    its own host."""
    return make_client(endpoint_url, inject_host_prefix=False)


def run(sfn: Any, state: dict[str, Any], payload: Any, **options: Any) -> dict[str, Any]:
    """TestState on `state` with `payload` as its input, and a role unless `options` gives roleArn=None."""
    role = options.pop("roleArn", ROLE_ARN)
    if role is not None:
        options["roleArn"] = role
    answer: dict[str, Any] = sfn.test_state(
        definition=json.dumps(state), input=json.dumps(payload), **options
    )
    return answer


def inspection(answer: dict[str, Any]) -> dict[str, Any]:
    """The inspection data, its JSON text members read as JSON (numbers and errorDetails as they are)."""
    return {
        key: json.loads(value) if isinstance(value, str) else value
        for key, value in answer["inspectionData"].items()
    }
