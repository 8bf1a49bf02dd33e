"""What a person does from an execution's page: stop it, redrive it, start another with an input checked
before it is sent, and move the clock to the next timer; the page follows without being reloaded."""

from __future__ import annotations

import time
from typing import Any

from local.engine import Engine
from tests.local.console.machines import Switch, parallel_machine, waiting_machine
from tests.local.console.pages import open_execution, outcomes, sfn_call

DEADLINE_SECONDS = 15


def _status_becomes(engine: Engine, execution_arn: str, status: str) -> None:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while engine.describe_execution(execution_arn)["status"] != status:
        assert time.monotonic() < deadline, engine.describe_execution(execution_arn)
        time.sleep(0.02)


def _entered(engine: Engine, execution_arn: str, state: str) -> None:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not any(
        event.get("stateEnteredEventDetails", {}).get("name") == state
        for event in engine.get_execution_history(execution_arn)["events"]
    ):
        assert time.monotonic() < deadline
        time.sleep(0.02)


def test_stopping_a_running_execution_from_its_page(engine: Engine, sfn_url: str, console: Any) -> None:
    # Given an execution waiting a day in its Wait state, on its page
    machine = waiting_machine(engine, "WaitsADay", 86_400)
    execution_arn = engine.start_execution(machine, input="{}")["executionArn"]
    _entered(engine, execution_arn, "WaitForIt")
    page = console.page
    open_execution(page, sfn_url, execution_arn)
    assert outcomes(page)["WaitForIt"] == "running"

    # When it is stopped from the page, with an error and a cause
    page.click("#stop-execution")
    page.fill("#stop-error", "Operator.Stopped")
    page.fill("#stop-cause", "stopped from the console")
    page.click("#stop-confirm")

    # Then the page shows it aborted, the state it was in cancelled and the next one never visited
    page.wait_for_selector("#execution-status:text('ABORTED')")
    page.wait_for_selector('#graph .state-node[data-state="WaitForIt"][data-outcome="cancelled"]')
    assert outcomes(page)["Finish"] == "not-visited"
    assert page.inner_text("#execution-error") == "Operator.Stopped"

    # And the API says the same
    described = engine.describe_execution(execution_arn)
    assert (described["status"], described["error"], described["cause"]) == (
        "ABORTED",
        "Operator.Stopped",
        "stopped from the console",
    )
    assert console.errors == []


def test_redriving_a_failed_execution_reruns_its_failed_branch(
    engine: Engine, sfn_url: str, console: Any
) -> None:
    # Given an execution that failed because one branch of its Parallel state failed
    charge = Switch()
    engine.register_lambda("charge", charge)
    machine = parallel_machine(engine, "ReserveAndCharge", "charge")
    execution_arn = engine.start_execution(machine, input="{}")["executionArn"]
    _status_becomes(engine, execution_arn, "FAILED")
    page = console.page
    open_execution(page, sfn_url, execution_arn)
    drawn = outcomes(page)
    assert (drawn["Charge"], drawn["Both"], drawn["Reserve"], drawn["Done"]) == (
        "failed",
        "failed",
        "succeeded",
        "not-visited",
    )

    # When the service is back and the execution is redriven from the page
    charge.failing = False
    page.click("#redrive-execution")

    # Then it runs the failed branch again and succeeds; the page shows it without a reload
    page.wait_for_selector("#execution-status:text('SUCCEEDED')")
    page.wait_for_selector('#graph .state-node[data-state="Done"][data-outcome="succeeded"]')
    drawn = outcomes(page)
    assert (drawn["Charge"], drawn["Both"]) == ("succeeded", "succeeded")
    assert engine.describe_execution(execution_arn)["redriveCount"] == 1
    assert "Redriven" in page.inner_text(".summary")


def test_a_new_execution_starts_only_with_an_input_that_is_json(
    engine: Engine, sfn_url: str, console: Any
) -> None:
    # Given a finished execution's page
    machine = waiting_machine(engine, "Short", 1)
    first = engine.start_execution(machine, input='{"attempt": 1}')["executionArn"]
    engine.advance(1)
    page = console.page
    open_execution(page, sfn_url, first)

    # When a new execution is asked for with an input that is not JSON
    page.click("#start-execution")
    assert page.input_value("#start-input") == '{"attempt": 1}'
    page.fill("#start-input", '{"attempt": 2,')

    # Then the page says so and cannot send it
    assert "Input is not valid JSON" in page.inner_text("#start-input-check")
    assert page.is_disabled("#start-confirm")

    # And once the input is JSON, the execution starts and its page opens
    page.fill("#start-input", '{"attempt": 2}')
    page.fill("#start-name", "second-try")
    assert page.inner_text("#start-input-check") == "Input is valid JSON."
    page.click("#start-confirm")
    page.wait_for_selector("#execution-name:text('second-try')")
    executions = sfn_call(sfn_url, "ListExecutions", stateMachineArn=machine)["executions"]
    assert sorted(e["name"] for e in executions) == sorted([first.split(":")[-1], "second-try"])
    started = next(e for e in executions if e["name"] == "second-try")
    assert engine.describe_execution(started["executionArn"])["input"] == '{"attempt": 2}'


def test_running_to_the_next_timer_from_the_header(engine: Engine, sfn_url: str, console: Any) -> None:
    # Given an execution waiting an hour on a virtual clock at 2026-01-01T00:00:00Z, on its page
    machine = waiting_machine(engine, "WaitsAnHour", 3600)
    execution_arn = engine.start_execution(machine, input="{}")["executionArn"]
    _entered(engine, execution_arn, "WaitForIt")
    page = console.page
    open_execution(page, sfn_url, execution_arn)
    assert page.inner_text("#clock-mode") == "virtual clock"

    # When the clock is run to the next timer from the page's header
    page.click("#clock-next-timer")

    # Then the clock stands where the Wait ended and the execution has succeeded
    page.wait_for_selector("#execution-status:text('SUCCEEDED')")
    assert page.inner_text("#clock-now") == "2026-01-01 01:00:00.000 UTC"
    assert "ran to the next timer (+1h)" in page.inner_text("#clock-message")

    # And with nothing left waiting, the header says there is no next timer
    page.click("#clock-next-timer")
    page.wait_for_selector("#clock-message.error")
    assert "no next timer" in page.inner_text("#clock-message")
