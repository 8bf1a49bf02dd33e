"""What the demo talks to, over real HTTP: the Schedule API, the clock endpoint, AWS APIs through boto3."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

import boto3

from local.sfn_api.clock_command import request_clock
from local.sfn_api.clock_control import CLOCK_PATH, format_rfc3339, parse_rfc3339
from local.stack.config import REGION
from local.stack.sandbox import FAKE_AWS_ENVIRONMENT

_TIMEOUT_SECONDS = 30


@cache
def _session() -> boto3.session.Session:
    # One session: each new one reloads botocore's data files.
    return boto3.session.Session()


@dataclass(frozen=True)
class ApiAnswer:
    """Status and decoded JSON body of one HTTP answer."""

    status: int
    body: dict[str, Any]


def call_json(method: str, url: str, body: object | None = None) -> ApiAnswer:
    """Send one request with a JSON body (if any) and decode the JSON answer, whatever its status."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=_TIMEOUT_SECONDS) as response:
            return ApiAnswer(response.status, _decoded(response.read()))
    except urllib.error.HTTPError as error:
        return ApiAnswer(error.code, _decoded(error.read()))


def _decoded(raw: bytes) -> dict[str, Any]:
    document = json.loads(raw) if raw else {}
    return document if isinstance(document, dict) else {"value": document}


class ScheduleApiClient:
    """The Schedule API's three routes."""

    def __init__(self, base_url: str) -> None:
        self._base_url = base_url.rstrip("/")

    def create(self, trigger_at: datetime, payload: dict[str, Any]) -> ApiAnswer:
        """POST /schedules."""
        body = {"triggerAt": format_rfc3339(trigger_at.replace(microsecond=0)), "payload": payload}
        return call_json("POST", f"{self._base_url}/schedules", body)

    def get(self, schedule_id: str) -> ApiAnswer:
        """GET /schedules/{scheduleId}."""
        return call_json("GET", f"{self._base_url}/schedules/{schedule_id}")

    def cancel(self, schedule_id: str) -> ApiAnswer:
        """DELETE /schedules/{scheduleId}."""
        return call_json("DELETE", f"{self._base_url}/schedules/{schedule_id}")


class ClockClient:
    """`/_local/clock` of the stack."""

    def __init__(self, base_url: str) -> None:
        self._url = base_url.rstrip("/") + CLOCK_PATH

    def now(self) -> datetime:
        """The stack's current (virtual) time."""
        return parse_rfc3339(request_clock(self._url, None)["now"])

    def advance(self, seconds: float) -> datetime:
        """Move the clock forward; returns once everything due by then has run."""
        return parse_rfc3339(request_clock(self._url, {"advanceSeconds": seconds})["now"])


@cache
def aws_client(service: str, endpoint_url: str) -> Any:
    """A boto3 client for `service` at `endpoint_url`, with the stack's fake credentials (one per pair)."""
    return _session().client(
        service,
        endpoint_url=endpoint_url,
        region_name=REGION,
        aws_access_key_id=FAKE_AWS_ENVIRONMENT["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=FAKE_AWS_ENVIRONMENT["AWS_SECRET_ACCESS_KEY"],
    )
