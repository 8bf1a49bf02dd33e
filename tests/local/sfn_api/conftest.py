"""Fixtures: an engine on a virtual clock, the HTTP server on a free port, and a boto3 client for it."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from local.engine import Engine, MemoryStore, VirtualClock
from local.sfn_api import SfnApiServer
from tests.local.sfn_api.helpers import CLOCK_START, make_client


@pytest.fixture
def engine() -> Iterator[Engine]:
    engine = Engine(clock=VirtualClock(start=CLOCK_START), store=MemoryStore())
    engine.start()
    yield engine
    engine.close()


@pytest.fixture
def endpoint_url(engine: Engine) -> Iterator[str]:
    with SfnApiServer(engine, host="127.0.0.1", port=0) as server:
        yield server.endpoint_url


@pytest.fixture
def sfn(endpoint_url: str) -> Any:
    return make_client(endpoint_url)


@pytest.fixture
def unique_name() -> Callable[[str], str]:
    return lambda prefix: f"{prefix}-{uuid.uuid4().hex[:10]}"
