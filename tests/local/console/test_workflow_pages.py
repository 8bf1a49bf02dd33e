"""The console on the local stack, showing the catalog's own workflows: a consent deletion that finished
(its path, the states it never visited, its events, a state's input and output) and a scheduled request
that waits until the clock, moved from the console, lets it run.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from catalog.scheduled_request import SCHEDULED_REQUEST
from local.sfn_api.clock_control import format_rfc3339
from local.stack import LocalStack
from tests.local.console.pages import click_state, open_execution, outcomes, panel_json
from tests.local.console.stack_scenarios import finished_deletion, history
from tests.local.stack.conftest import clock_now, quiet_config
from tests.local.stack.http_json import call

pytestmark = pytest.mark.xdist_group("console-stack")


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    with LocalStack(quiet_config()) as running:
        yield running


def test_a_finished_deletion_shows_its_path_its_events_and_each_state_s_data(
    stack: LocalStack, console: Any
) -> None:
    # Given a deletion whose first request to the vendor failed once (so it was retried) and that the
    # vendor reported complete at the second status check, run to its end on the virtual clock
    execution_arn = finished_deletion(stack, "console-finished")
    events = history(stack, execution_arn)
    assert events[-1]["type"] == "ExecutionSucceeded"
    entered = {e["stateEnteredEventDetails"]["name"] for e in events if "stateEnteredEventDetails" in e}

    # When its page is opened
    page = console.page
    open_execution(page, stack.addresses.stepfunctions, execution_arn)

    # Then every state of its path is drawn as visited, and the states it never entered as not visited
    drawn = outcomes(page)
    assert entered <= set(drawn)
    assert {name: drawn[name] for name in entered if drawn[name] == "not-visited"} == {}
    assert drawn["AlertTechnicalContact"] == "not-visited"
    assert {name for name, outcome in drawn.items() if outcome == "not-visited"} == set(drawn) - entered
    assert drawn["RequestDeletion"] == "retried"
    assert drawn["DeletionCompleted"] == "succeeded"
    assert page.inner_text("#execution-status") == "SUCCEEDED"

    # And its event table has a row for each event of the history, each opening to the event's details
    assert page.locator("#event-table tr.event-row").count() == len(events)
    page.click('#event-table tr.event-row[data-event-id="2"]')
    assert '"name": "RecordDeletionRequested"' in page.inner_text(
        "#event-table tr.event-details:not([hidden])"
    )

    # And clicking a state shows that state's input and output, as the history has them
    click_state(page, "RequestDeletion")
    entered_event = next(
        e for e in events if e.get("stateEnteredEventDetails", {}).get("name") == "RequestDeletion"
    )
    exited_event = next(
        e for e in events if e.get("stateExitedEventDetails", {}).get("name") == "RequestDeletion"
    )
    assert panel_json(page, "input") == json.loads(entered_event["stateEnteredEventDetails"]["input"])
    assert panel_json(page, "output") == json.loads(exited_event["stateExitedEventDetails"]["output"])
    assert page.inner_text('#state-panel [data-field="outcome"]') == "Succeeded after retries"
    assert "Attempts\n2" in page.inner_text("#state-panel .facts")
    assert console.errors == []


def test_a_waiting_schedule_shows_its_current_state_and_runs_when_the_console_moves_the_clock(
    stack: LocalStack, console: Any
) -> None:
    # Given a scheduled request one virtual hour ahead, waiting in WaitUntilTriggerAt
    trigger_at = format_rfc3339((clock_now(stack.addresses.api) + timedelta(hours=1)).replace(microsecond=0))
    created = call("POST", f"{stack.addresses.api}/schedules", {"triggerAt": trigger_at, "payload": {"n": 1}})
    assert created.status == 202, created.body
    execution_arn = created.body["executionArn"]
    assert execution_arn.split(":")[-2] == SCHEDULED_REQUEST.name

    # When its page is opened
    page = console.page
    open_execution(page, stack.addresses.stepfunctions, execution_arn)

    # Then the state it waits in is its current state, shown beside the graph
    assert page.inner_text("#execution-status") == "RUNNING"
    assert outcomes(page)["WaitUntilTriggerAt"] == "running"
    assert page.get_attribute("#state-panel", "data-state") == "WaitUntilTriggerAt"
    assert page.inner_text('#state-panel [data-field="outcome"]') == "In progress"

    # And when the console's clock control moves the clock two hours on
    page.evaluate("window.notReloaded = true")
    page.fill("#clock-duration", "2h")
    page.click("#clock-advance")

    # Then the page shows the execution succeeded, without being reloaded
    page.wait_for_selector("#execution-status:text('SUCCEEDED')")
    assert page.evaluate("window.notReloaded") is True
    page.wait_for_selector('#graph .state-node[data-state="ProcessRequest"][data-outcome="succeeded"]')
    assert outcomes(page)["WaitUntilTriggerAt"] == "succeeded"
    # (the page may see the execution end before the clock move it belongs to has answered)
    page.wait_for_selector("#clock-message:has-text('advanced 2h')")
    assert console.errors == []
