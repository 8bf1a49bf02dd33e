"""Map Runs in the console: a Distributed Map's panel and event row link to its run, the run's page counts
its items and lists its child executions (in pages, by status), a child's page links back to its run, and
the executions list leaves the children to their run, as ListExecutions and the AWS console do."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from local.engine import Engine
from tests.local.console.machines import distributed_map_machine, wait_until
from tests.local.console.pages import click_state, expect_rows, open_execution, outcomes

WAIT_A_MINUTE = {"Wait": {"Type": "Wait", "Seconds": 60, "End": True}}
# An item "bad" fails its child execution; every other item succeeds.
CHECK_ITEM = {
    "Check": {
        "Type": "Choice",
        "Choices": [{"Variable": "$", "StringEquals": "bad", "Next": "Refuse"}],
        "Default": "Accept",
    },
    "Refuse": {"Type": "Fail", "Error": "BadItem", "Cause": "the item is bad"},
    "Accept": {"Type": "Pass", "End": True},
}


def _map_run_url(base_url: str, map_run_arn: str) -> str:
    return f"{base_url}/console/#/map-run/{quote(map_run_arn, safe='')}"


def _only_map_run(engine: Engine, execution_arn: str) -> str:
    wait_until(lambda: bool(engine.list_map_runs(execution_arn)["mapRuns"]))
    return str(engine.list_map_runs(execution_arn)["mapRuns"][0]["mapRunArn"])


def _counts(page: Any, which: str) -> dict[str, int]:
    return page.eval_on_selector_all(
        f'#map-run-counts tr[data-counts="{which}"] td',
        "cells => Object.fromEntries(cells.map(c => [c.dataset.count, Number(c.textContent)]))",
    )


def _child_rows(page: Any) -> list[dict[str, str]]:
    return page.eval_on_selector_all(
        "tr.execution-row",
        "rows => rows.map(r => ({arn: r.dataset.arn, status: r.dataset.status,"
        " href: r.querySelector('td a').getAttribute('href')}))",
    )


def test_a_running_distributed_map_links_to_its_map_run_which_the_page_follows(
    engine: Engine, sfn_url: str, console: Any
) -> None:
    from playwright.sync_api import expect  # here: without Playwright the browser tests skip

    # Given a Distributed Map of three items, two children at a time, each child waiting a minute
    machine = distributed_map_machine(engine, "Fanout", WAIT_A_MINUTE, "Wait", MaxConcurrency=2)
    parent = str(engine.start_execution(machine, input="[1, 2, 3]", name="parent")["executionArn"])
    run_arn = _only_map_run(engine, parent)
    wait_until(lambda: engine.describe_map_run(run_arn)["executionCounts"]["running"] == 2)

    # When the parent's page is opened and the Map state clicked
    page = console.page
    open_execution(page, sfn_url, parent)
    click_state(page, "Fanout")

    # Then the graph draws the Map as a group with its children counted, and the panel links to the run
    group = page.locator('#graph .state-node[data-state="Fanout"]')
    assert group.get_attribute("data-outcome") == "running"
    expect(group.locator("> .cluster-label")).to_contain_text(
        "Fanout (Map) · 3 items · Map Run · 3 child executions: 2 running, 1 pending"
    )
    assert page.get_attribute("#state-panel #map-run-link", "href") == f"#/map-run/{quote(run_arn, safe='')}"
    # And so does the MapRunStarted row of the event table
    started_row = page.locator('#event-table tr.event-row[data-type="MapRunStarted"] a.map-run-link')
    assert started_row.get_attribute("href") == f"#/map-run/{quote(run_arn, safe='')}"
    # And the item processor's state, which runs in the children, is drawn plain, not as never visited
    assert outcomes(page)["Wait"] == "plain"
    click_state(page, "Wait")
    assert "Runs in the Map Run's child executions" in page.inner_text('#state-panel [data-field="outcome"]')

    # When the link is followed
    click_state(page, "Fanout")
    page.click("#state-panel #map-run-link")

    # Then the Map Run page shows the run running, its limits and its counts
    page.wait_for_selector("#map-run-status")
    assert page.inner_text("#map-run-status") == "RUNNING"
    assert page.inner_text("#map-run-parent") == parent
    summary = page.inner_text("dl.summary")
    assert run_arn in summary
    assert "Max concurrency\n2\n" in summary
    assert "so far" in summary
    assert _counts(page, "executions") == {
        "pending": 1,
        "running": 2,
        "succeeded": 0,
        "failed": 0,
        "timedOut": 0,
        "aborted": 0,
        "total": 3,
        "resultsWritten": 0,
    }
    expect_rows(page, 2)

    # When the children's minutes pass (moved by another client)
    engine.advance(60)
    wait_until(lambda: engine.describe_map_run(run_arn)["executionCounts"]["running"] == 1)
    engine.advance(60)

    # Then the page follows the run to its end without a reload
    page.wait_for_selector('#map-run-status:text("SUCCEEDED")')
    expect(page.locator('tr.execution-row[data-status="SUCCEEDED"]')).to_have_count(3)
    assert _counts(page, "items")["succeeded"] == 3
    assert _counts(page, "executions")["total"] == 3
    assert "Duration\n2m" in page.inner_text("dl.summary")
    assert console.errors == []


def test_a_map_run_page_lists_its_children_in_pages_filtered_by_status(
    engine: Engine, sfn_url: str, console: Any
) -> None:
    # Given a finished Map Run of 27 items, two of which failed (tolerated)
    machine = distributed_map_machine(engine, "Checker", CHECK_ITEM, "Check", ToleratedFailureCount=5)
    items = ["bad" if index in (3, 20) else f"item-{index}" for index in range(27)]
    parent = str(engine.start_execution(machine, input=json.dumps(items), name="checked")["executionArn"])
    wait_until(lambda: engine.describe_execution(parent)["status"] != "RUNNING")
    run_arn = _only_map_run(engine, parent)
    children = engine.list_executions(map_run_arn=run_arn, max_results=100)["executions"]
    failed = {child["executionArn"] for child in children if child["status"] == "FAILED"}

    # When its page is opened
    page = console.page
    page.goto(_map_run_url(sfn_url, run_arn))
    page.wait_for_selector("tr.execution-row")

    # Then it counts the items and child executions by status
    assert page.inner_text("#map-run-status") == "SUCCEEDED"
    assert _counts(page, "items") == {
        "pending": 0,
        "running": 0,
        "succeeded": 25,
        "failed": 2,
        "timedOut": 0,
        "aborted": 0,
        "total": 27,
        "resultsWritten": 27,
    }
    assert "Tolerated failures\n5 executions, 0%" in page.inner_text("dl.summary")

    # And lists the children in pages of 25, each linked to its execution page
    rows = _child_rows(page)
    assert len(rows) == 25
    assert all(row["href"] == f"#/execution/{quote(row['arn'], safe='')}" for row in rows)
    page.click("#next-page")
    expect_rows(page, 2)
    listed = {row["arn"] for row in rows} | {row["arn"] for row in _child_rows(page)}
    assert listed == {child["executionArn"] for child in children}

    # And the status filter leaves the two that failed
    page.select_option("#filter-status", "FAILED")
    expect_rows(page, 2)
    assert {row["arn"] for row in _child_rows(page)} == failed
    assert console.errors == []


def test_a_child_execution_links_back_to_its_map_run_and_the_list_leaves_it_out(
    engine: Engine, sfn_url: str, console: Any
) -> None:
    # Given a finished Map Run of two children
    machine = distributed_map_machine(engine, "Pair", CHECK_ITEM, "Check")
    parent = str(engine.start_execution(machine, input='["a", "b"]', name="pair")["executionArn"])
    wait_until(lambda: engine.describe_execution(parent)["status"] == "SUCCEEDED")
    run_arn = _only_map_run(engine, parent)
    child = engine.list_executions(map_run_arn=run_arn)["executions"][0]

    # When a child's page is opened
    page = console.page
    open_execution(page, sfn_url, child["executionArn"])

    # Then it says it belongs to the Map Run, links to it, and offers no new execution of the item processor
    assert page.inner_text("#execution-status") == "SUCCEEDED"
    assert "A child execution of the Map Run" in page.inner_text(".execution-header")
    assert page.locator("#start-execution").count() == 0
    page.click("#parent-map-run")
    page.wait_for_selector("#map-run-status")
    assert page.inner_text("#map-run-name") == run_arn.split(":", 6)[-1]

    # And from the run, its parent execution is a click away
    page.click("#map-run-parent")
    page.wait_for_selector('#graph .state-node[data-state="Fanout"]')
    assert page.inner_text("#execution-name") == "pair"

    # And the executions list shows the parent, not its children (ListExecutions of the machine has only it)
    page.goto(f"{sfn_url}/console/#/executions")
    expect_rows(page, 1)
    assert page.inner_text("tr.execution-row td a") == "pair"
    assert console.errors == []


def test_an_express_child_shows_its_description_without_a_history(
    engine: Engine, sfn_url: str, console: Any
) -> None:
    # Given a finished Map Run whose children are Express executions (described, but with no history)
    machine = distributed_map_machine(engine, "Quick", CHECK_ITEM, "Check", execution_type="EXPRESS")
    parent = str(engine.start_execution(machine, input='["only"]', name="quick")["executionArn"])
    wait_until(lambda: engine.describe_execution(parent)["status"] == "SUCCEEDED")
    page = console.page
    page.goto(_map_run_url(sfn_url, _only_map_run(engine, parent)))

    # When its child is opened from the run's page
    page.click("tr.execution-row td a")

    # Then the child's page shows its status, its item processor's graph and its output, and says why
    # there are no events
    page.wait_for_selector("#no-history")
    assert page.inner_text("#execution-status") == "SUCCEEDED"
    assert sorted(outcomes(page)) == ["Accept", "Check", "Refuse"]
    page.click('[data-tab="output"]')
    assert json.loads(page.inner_text("#execution-output")) == "only"
    assert page.locator("#parent-map-run").count() == 1
    assert console.errors == []
