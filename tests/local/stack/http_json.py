"""A small JSON-over-HTTP helper for tests that talk to the local stack like any client would."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: dict[str, Any]


def call(
    method: str, url: str, body: object | None = None, *, content_type: str = "application/json"
) -> Answer:
    """Send one request; answers of any status come back as an `Answer` (never raised)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            return Answer(response.status, dict(response.headers), _json(response.read()))
    except urllib.error.HTTPError as error:
        return Answer(error.code, dict(error.headers), _json(error.read()))


def _json(raw: bytes) -> dict[str, Any]:
    return json.loads(raw) if raw else {}
