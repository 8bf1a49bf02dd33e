"""The console's own modules, run in the browser: durations as the clock control reads them, JSON checks
before a start, and the page that says how to install mermaid when it is missing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from local.console import files
from local.engine import Engine
from tests.local.console.machines import start_waiting, waiting_machine
from tests.local.console.pages import execution_url


def _evaluate_module(page: Any, module: str, expression: str) -> Any:
    """Evaluate `expression` with the console module `module` imported as `m`."""
    return page.evaluate(
        f"async () => {{ const m = await import('/console/js/{module}'); return {expression}; }}"
    )


def test_durations_are_read_as_people_write_them(sfn_url: str, console: Any) -> None:
    page = console.page
    page.goto(f"{sfn_url}/console/")
    seconds = _evaluate_module(
        page, "format.js", "['90m', '3d', '1d12h', '45s', '1h 30m', '0.5h'].map(m.parseDuration)"
    )
    assert seconds == [5400, 259200, 129600, 45, 5400, 1800]
    refused = _evaluate_module(
        page,
        "format.js",
        "['', 'soon', '3 days', '-1h', '1x'].map(t => {"
        " try { m.parseDuration(t); return null } catch (e) { return e.message } })",
    )
    assert all(message and "is not a duration" in message for message in refused)
    shown = _evaluate_module(page, "format.js", "[0.25, 59, 3600, 90061.5].map(m.formatDuration)")
    assert shown == ["250 ms", "59s", "1h", "1d 1h 1m 1.5s"]


def test_an_input_is_checked_as_json_before_it_is_sent(sfn_url: str, console: Any) -> None:
    page = console.page
    page.goto(f"{sfn_url}/console/")
    problems = _evaluate_module(
        page, "actions.js", "['{\"a\": 1}', '[]', '\"text\"', '{a: 1}', '', '{\"a\":'].map(m.jsonProblem)"
    )
    assert problems[:3] == [None, None, None]
    assert all(problems[3:])
    assert problems[4] == "it is empty"


def test_without_mermaid_the_page_says_how_to_install_it(
    engine: Engine, sfn_url: str, console: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Given a checkout without node_modules/mermaid
    monkeypatch.setitem(files.VENDOR_FILES, "mermaid.min.js", tmp_path / "missing.js")
    # (waiting, so that its history does not change while the page and the test read it)
    execution_arn = start_waiting(engine, waiting_machine(engine, "Undrawn", 60))

    # When an execution's page is opened
    page = console.page
    page.goto(execution_url(sfn_url, execution_arn))

    # Then the graph's place says how to install mermaid, and the rest of the page works
    page.wait_for_selector("#graph .notice-warning")
    assert "make install" in page.inner_text("#graph")
    assert page.inner_text("#execution-status") == "RUNNING"
    assert page.locator("#event-table tr.event-row").count() == len(
        engine.get_execution_history(execution_arn)["events"]
    )
