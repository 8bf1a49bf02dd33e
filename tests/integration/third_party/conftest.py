"""Fixtures: the fake third-party API on a free port and a client pointed at it over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from functions.consent_deletion.third_party import DeletionApiClient, StaticApiKey
from local.third_party_fake import FakeThirdPartyApi

API_KEY = "client-test-api-key"


@pytest.fixture
def fake_api() -> Iterator[FakeThirdPartyApi]:
    with FakeThirdPartyApi(api_key=API_KEY) as fake:
        yield fake


@pytest.fixture
def client(fake_api: FakeThirdPartyApi) -> DeletionApiClient:
    """A client that never retries in process, so each call is exactly one HTTP request."""
    return DeletionApiClient(
        fake_api.base_url,
        StaticApiKey(API_KEY),
        connect_timeout_seconds=2.0,
        read_timeout_seconds=5.0,
        max_in_process_retries=0,
    )
