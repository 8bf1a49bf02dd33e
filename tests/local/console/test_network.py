"""The console loads nothing from elsewhere and reads only through the Step Functions API (as boto3
calls it) and /_local/clock."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from local.engine import Engine
from tests.local.console.machines import waiting_machine
from tests.local.console.pages import open_execution

STEP_FUNCTIONS_CONTENT_TYPE = "application/x-amz-json-1.0"


def test_every_request_of_every_page_goes_to_the_api_the_clock_or_the_console_files(
    engine: Engine, sfn_url: str, console: Any
) -> None:
    # Given a state machine with a waiting execution
    machine = waiting_machine(engine, "Watched", 600)
    execution_arn = engine.start_execution(machine, input='{"watch": true}')["executionArn"]

    # When every page is visited, the clock is moved and the start dialog is opened
    page = console.page
    page.goto(f"{sfn_url}/console/")
    page.wait_for_selector("tr.execution-row")
    open_execution(page, sfn_url, execution_arn)
    page.click("[data-tab=definition]")
    page.fill("#clock-duration", "10m")
    page.click("#clock-advance")
    page.wait_for_selector("#execution-status:text('SUCCEEDED')")
    page.click("#start-execution")
    page.keyboard.press("Escape")
    page.goto(f"{sfn_url}/console/#/state-machines")
    page.wait_for_selector("tr.machine-row")
    page.click("tr.machine-row a")
    page.wait_for_selector("#graph .state-node")

    # Then every request went to this server: its console files, the clock, or the Step Functions API
    # called as boto3 calls it
    origin = urlsplit(sfn_url)
    assert console.requests
    for request in console.requests:
        url = urlsplit(request.url)
        assert (url.scheme, url.netloc) == (origin.scheme, origin.netloc), request.url
        if url.path == "/":
            assert request.method == "POST"
            assert request.headers["x-amz-target"].startswith("AWSStepFunctions.")
            assert request.headers["content-type"] == STEP_FUNCTIONS_CONTENT_TYPE
        else:
            assert url.path == "/_local/clock" or url.path.startswith("/console/"), request.url
    actions = {
        request.headers["x-amz-target"] for request in console.requests if urlsplit(request.url).path == "/"
    }
    assert {
        "AWSStepFunctions.ListStateMachines",
        "AWSStepFunctions.ListExecutions",
        "AWSStepFunctions.DescribeExecution",
        "AWSStepFunctions.DescribeStateMachineForExecution",
        "AWSStepFunctions.GetExecutionHistory",
        "AWSStepFunctions.DescribeStateMachine",
    } <= actions
    assert console.errors == []
