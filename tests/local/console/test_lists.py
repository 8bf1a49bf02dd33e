"""The executions list (newest first across machines, filters, pages, live statuses) and the state
machine pages."""

from __future__ import annotations

from typing import Any

from local.engine import Engine
from tests.local.console.machines import create, waiting_machine
from tests.local.console.pages import expect_rows

PASS_THROUGH = {"Only": {"Type": "Pass", "End": True}}


def _rows(page: Any) -> list[dict[str, str]]:
    return page.eval_on_selector_all(
        "tr.execution-row",
        "rows => rows.map(r => ({name: r.querySelector('td a').textContent, status: r.dataset.status}))",
    )


def test_executions_of_every_machine_are_listed_newest_first_and_filtered(
    engine: Engine, sfn_url: str, console: Any
) -> None:
    # Given executions of two machines, started a second apart, one of them still waiting
    alpha = create(engine, "Alpha", PASS_THROUGH, "Only")
    beta = waiting_machine(engine, "Beta", 3600)
    for name, machine in [("a-1", alpha), ("b-1", beta), ("a-2", alpha), ("other", alpha)]:
        engine.start_execution(machine, input="{}", name=name)
        engine.advance(1)

    # When the executions page is opened
    page = console.page
    page.goto(f"{sfn_url}/console/")
    page.wait_for_selector("tr.execution-row")

    # Then all of them are listed, newest first, each with its machine and status
    assert _rows(page) == [
        {"name": "other", "status": "SUCCEEDED"},
        {"name": "a-2", "status": "SUCCEEDED"},
        {"name": "b-1", "status": "RUNNING"},
        {"name": "a-1", "status": "SUCCEEDED"},
    ]
    assert "so far" in page.inner_text('tr[data-status="RUNNING"]')

    # And each filter narrows the list
    page.select_option("#filter-machine", beta)
    expect_rows(page, 1)
    assert _rows(page) == [{"name": "b-1", "status": "RUNNING"}]
    page.select_option("#filter-machine", "")
    page.select_option("#filter-status", "SUCCEEDED")
    page.fill("#filter-prefix", "a-")
    page.press("#filter-prefix", "Enter")
    expect_rows(page, 2)
    assert [row["name"] for row in _rows(page)] == ["a-2", "a-1"]


def test_a_running_execution_in_the_list_changes_status_without_a_reload(
    engine: Engine, sfn_url: str, console: Any
) -> None:
    # Given the list showing an execution that waits an hour
    machine = waiting_machine(engine, "Hourly", 3600)
    engine.start_execution(machine, input="{}", name="waiting")
    page = console.page
    page.goto(f"{sfn_url}/console/#/executions")
    page.wait_for_selector('tr.execution-row[data-status="RUNNING"]')

    # When the hour passes (moved by another client)
    engine.advance(3600)

    # Then the row shows it succeeded, with its duration in virtual time
    page.wait_for_selector('tr.execution-row[data-status="SUCCEEDED"]')
    assert page.inner_text("tr.execution-row td:last-child") == "1h"


def test_executions_come_in_pages(engine: Engine, sfn_url: str, console: Any) -> None:
    # Given 30 executions
    machine = create(engine, "Many", PASS_THROUGH, "Only")
    for number in range(1, 31):
        engine.start_execution(machine, input="{}", name=f"run-{number:02d}")
        engine.advance(1)
    page = console.page
    page.goto(f"{sfn_url}/console/#/executions")
    page.wait_for_selector("tr.execution-row")

    # Then the first page holds the 25 newest, the next one the 5 oldest, and Previous goes back
    assert [row["name"] for row in _rows(page)] == [f"run-{n:02d}" for n in range(30, 5, -1)]
    assert page.is_disabled("#previous-page")
    page.click("#next-page")
    expect_rows(page, 5)
    assert [row["name"] for row in _rows(page)] == [f"run-{n:02d}" for n in range(5, 0, -1)]
    assert page.is_disabled("#next-page")
    page.click("#previous-page")
    expect_rows(page, 25)


def test_a_state_machine_page_shows_its_graph_definition_and_latest_executions(
    engine: Engine, sfn_url: str, console: Any
) -> None:
    # Given a state machine with one execution
    machine = waiting_machine(engine, "Waiter", 60)
    engine.start_execution(machine, input="{}", name="only-one")

    # When it is chosen from the list of state machines
    page = console.page
    page.goto(f"{sfn_url}/console/#/state-machines")
    page.click("tr.machine-row a")
    page.wait_for_selector("#graph .state-node")

    # Then its graph shows every state, its definition and its execution are there
    states = page.eval_on_selector_all("#graph .state-node", "nodes => nodes.map(n => n.dataset.state)")
    assert sorted(states) == ["Finish", "WaitForIt"]
    assert '"Seconds": 60' in page.inner_text("#machine-definition")
    page.wait_for_selector("#recent-executions tr.execution-row")
    assert [row["name"] for row in _rows(page)] == ["only-one"]

    # And clicking a state shows its definition
    page.click('#graph .state-node[data-state="Finish"]')
    page.wait_for_selector('#state-panel[data-state="Finish"]')
    assert '"Type": "Pass"' in page.inner_text("#state-panel")
