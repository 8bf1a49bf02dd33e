"""Fixtures: a fake third-party API on a free port, driven by a manual clock, and a small HTTP caller."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import urllib3

from local.third_party_fake import FakeThirdPartyApi

API_KEY = "fake-api-test-key"


class ManualClock:
    """A clock that moves only when told to, like the local runtime's virtual clock."""

    def __init__(self) -> None:
        self.current = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, seconds: float) -> None:
        self.current += timedelta(seconds=seconds)


@dataclass(frozen=True)
class Answer:
    status: int
    headers: urllib3.HTTPHeaderDict
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class FakeApiCaller:
    """Calls the fake over real HTTP; vendor routes carry the API key unless told otherwise."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self._pool = urllib3.PoolManager()

    def call(
        self,
        method: str,
        path: str,
        *,
        body: object = None,
        api_key: str | None = API_KEY,
        read_timeout: float = 5.0,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        headers = {**(headers or {}), **({"x-api-key": api_key} if api_key is not None else {})}
        response = self._pool.request(
            method,
            self.base_url + path,
            body=json.dumps(body).encode() if body is not None else None,
            headers=headers,
            timeout=urllib3.Timeout(connect=2.0, read=read_timeout),
            retries=False,
        )
        return Answer(response.status, response.headers, response.data)

    def control(self, method: str, name: str, body: object = None) -> Answer:
        return self.call(method, f"/_control/{name}", body=body, api_key=None)

    def behave(self, **behaviour: object) -> None:
        answer = self.control("POST", "behaviour", behaviour)
        assert answer.status == 200, answer.body

    def request_deletion(self, customer_id: str, idempotency_key: str | None = None) -> Answer:
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key is not None else {}
        return self.call("POST", f"/customers/{customer_id}/deletions", headers=headers)

    def check(self, operation_id: str) -> Answer:
        return self.call("GET", f"/operations/{operation_id}")

    def recorded_statuses(self) -> list[int]:
        return [request["status"] for request in self.control("GET", "requests").json()["requests"]]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def fake(clock: ManualClock) -> Iterator[FakeThirdPartyApi]:
    with FakeThirdPartyApi(api_key=API_KEY, clock=clock.now) as running:
        yield running


@pytest.fixture
def api(fake: FakeThirdPartyApi) -> FakeApiCaller:
    return FakeApiCaller(fake.base_url)
