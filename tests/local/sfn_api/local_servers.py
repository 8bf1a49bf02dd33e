"""Every local server built on `local.http_server`, each started around an engine, for tests of the HTTP
behaviour they share."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

from local.engine import Engine
from local.sfn_api import SfnApiServer
from local.stack.api_server import LocalApiServer
from local.third_party_fake import FakeThirdPartyApi


@contextmanager
def _sfn_api(engine: Engine) -> Iterator[tuple[str, str]]:
    with SfnApiServer(engine, port=0) as server:
        yield server.endpoint_url, "/_local/clock"


@contextmanager
def _schedule_api(engine: Engine) -> Iterator[tuple[str, str]]:
    server = LocalApiServer(engine, [], host="127.0.0.1", port=0)
    try:
        yield server.start(), "/_local/clock"
    finally:
        server.close()


@contextmanager
def _fake_vendor(_: Engine) -> Iterator[tuple[str, str]]:
    with FakeThirdPartyApi() as fake:
        yield fake.base_url, "/_control/behaviour"


SERVERS: dict[str, Callable[[Engine], AbstractContextManager[tuple[str, str]]]] = {
    "step functions api": _sfn_api,
    "schedule api": _schedule_api,
    "fake vendor": _fake_vendor,
}
"""Each server by name: serves it, yielding (base URL, a path that answers GET with 200)."""
