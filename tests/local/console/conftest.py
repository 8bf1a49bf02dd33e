"""Fixtures for the console's browser tests: Debian's Chromium driven by Playwright, a page per test that
records its requests and leaves a screenshot under test-artifacts/console/, and an engine-only Step
Functions server for the tests that bring their own state machines.

Without Chromium (or Playwright) the browser tests skip and say why; with CI set they fail instead.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from local.engine import Engine, MemoryStore, VirtualClock
from local.sfn_api import SfnApiServer

REPOSITORY_ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = REPOSITORY_ROOT / "test-artifacts" / "console"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
VIEWPORT = {"width": 1400, "height": 1000}
CLOCK_START = datetime(2026, 1, 1, tzinfo=UTC)
ROLE_ARN = "arn:aws:iam::123456789012:role/console-tests"


def chromium_path() -> str | None:
    """Debian's Chromium, if installed."""
    found = shutil.which("chromium")
    if found:
        return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so the browser tests fail instead of skipping)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    executable = chromium_path()
    if executable is None:
        _unavailable(
            "Chromium is not installed: `apt-get install -y chromium` to run the console's browser tests"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed: `make install` to run the browser tests")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class RecordedPage:
    """A browser page plus every request it sent and every error its scripts raised."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.requests: list[Any] = []
        self.errors: list[str] = []
        page.on("request", self._sent)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))

    def _sent(self, request: Any) -> None:
        self.requests.append(request)


@pytest.fixture
def console(browser: Any, request: pytest.FixtureRequest) -> Iterator[RecordedPage]:
    """A fresh page; after the test, a full-page screenshot in test-artifacts/console/<test>.png."""
    context = browser.new_context(viewport=VIEWPORT)
    recorded = RecordedPage(context.new_page())
    recorded.page.set_default_timeout(15_000)
    try:
        yield recorded
    finally:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        recorded.page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
        context.close()


@pytest.fixture
def engine() -> Iterator[Engine]:
    """An engine on a virtual clock, running in the background like `python -m local sfn --clock virtual`."""
    engine = Engine(clock=VirtualClock(start=CLOCK_START), store=MemoryStore())
    engine.start()
    yield engine
    engine.close()


@pytest.fixture
def sfn_url(engine: Engine) -> Iterator[str]:
    """The engine's Step Functions API (and console) on a free port."""
    with SfnApiServer(engine, host="127.0.0.1", port=0) as server:
        yield server.endpoint_url
