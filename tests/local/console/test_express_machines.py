"""Express state machines in the console: Step Functions keeps no record of their executions (ListExecutions
refuses the machine, as on AWS), so the executions list leaves them out and an Express machine's page runs
an execution to its end and shows the answer."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from local.engine import Engine
from tests.local.console.conftest import ROLE_ARN
from tests.local.console.machines import create
from tests.local.console.pages import expect_rows

PASS_THROUGH = {"Only": {"Type": "Pass", "End": True}}


def _express(engine: Engine, name: str) -> str:
    definition = json.dumps({"StartAt": "Only", "States": PASS_THROUGH})
    created = engine.create_state_machine(name=name, definition=definition, role_arn=ROLE_ARN, type="EXPRESS")
    return str(created["stateMachineArn"])


def test_the_executions_list_leaves_express_machines_out(engine: Engine, sfn_url: str, console: Any) -> None:
    # Given a Standard execution, and an Express machine that has run
    standard = create(engine, "Recorded", PASS_THROUGH, "Only")
    engine.start_execution(standard, input="{}", name="kept")
    express = _express(engine, "Fleeting")
    engine.start_execution(express, input="{}", name="gone")

    # When the executions page is opened
    page = console.page
    page.goto(f"{sfn_url}/console/")

    # Then the Standard execution is listed, without an error
    expect_rows(page, 1)
    assert page.inner_text("tr.execution-row td a") == "kept"
    assert console.errors == []


def test_an_express_machine_page_runs_an_execution_to_its_end(
    engine: Engine, sfn_url: str, console: Any
) -> None:
    # Given an Express machine's page
    express = _express(engine, "Quick")
    page = console.page
    page.goto(f"{sfn_url}/console/#/state-machine/{quote(express, safe='')}")
    page.wait_for_selector("#recent-executions p")
    assert "not recorded" in page.inner_text("#recent-executions")

    # When an execution is started from it
    page.click("#start-execution")
    page.fill("#start-input", '{"hello": "express"}')
    page.fill("#start-name", "now")
    page.click("#start-confirm")

    # Then the dialog shows the answer of the run
    page.wait_for_selector("#sync-result")
    assert "now: SUCCEEDED" in page.inner_text("#sync-result")
    assert json.loads(page.inner_text("#sync-result pre")) == {"hello": "express"}
    assert console.errors == []
