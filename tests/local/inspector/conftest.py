"""Fixtures: an engine on a virtual clock behind the Step Functions HTTP API, holding executions whose every
event is known, for the `python -m local executions` commands to read."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from local.engine import Engine, MemoryStore, VirtualClock
from local.sfn_api import SfnApiServer
from tests.local.sfn_api.helpers import CLOCK_START, ROLE_ARN, make_client

MAP_ITEMS = 30  # enough Map iterations for a history longer than one page (100 events)
RECOVER_WAIT_SECONDS = 60

# Prepare -> Flaky (fails once, retried) -> Fan (Map) -> Broken (fails, caught) -> Recover (Wait) -> Done.
# `Never` is never visited.
INSPECTED_DEFINITION: dict[str, Any] = {
    "StartAt": "Prepare",
    "States": {
        "Prepare": {"Type": "Pass", "Next": "Flaky"},
        "Flaky": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "flaky", "Payload": {"run.$": "$$.Execution.Name"}},
            "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 2, "MaxAttempts": 2}],
            "ResultPath": None,
            "Next": "Fan",
        },
        "Fan": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "ItemProcessor": {"StartAt": "Inner", "States": {"Inner": {"Type": "Pass", "End": True}}},
            "ResultPath": None,
            "Next": "Broken",
        },
        "Broken": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "broken"},
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.caught", "Next": "Recover"}],
            "Next": "Never",
        },
        "Never": {"Type": "Pass", "End": True},
        "Recover": {"Type": "Wait", "Seconds": RECOVER_WAIT_SECONDS, "Next": "Done"},
        "Done": {"Type": "Succeed"},
    },
}
INSPECTED_PATH = ["Prepare", "Flaky", "Fan", "Inner", "Broken", "Recover", "Done"]

# Fails at once: Broken without a Catch.
FAILING_DEFINITION: dict[str, Any] = {
    "StartAt": "Broken",
    "States": {
        "Broken": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "broken"},
            "End": True,
        }
    },
}


@dataclass(frozen=True)
class InspectedEngine:
    """The engine, its HTTP endpoint, a boto3 client for it, and the executions the tests read."""

    engine: Engine
    endpoint: str
    sfn: Any
    inspected_machine_arn: str
    succeeded_arn: str
    """`known-run` of `Inspected`: every kind of visit (retried, Map, caught, waited)."""
    failed_arn: str
    """`twin` of `Failing`: failed in its only state."""
    twin_arn: str
    """`twin` of `Inspected`, still waiting in Recover: the name `twin` is in two state machines."""


def _flaky_handler() -> Any:
    calls: dict[str, int] = {}

    def flaky(event: dict[str, Any], context: object) -> dict[str, Any]:
        run = event["run"]
        calls[run] = calls.get(run, 0) + 1
        if calls[run] == 1:
            raise ConnectionError("the first call of each run fails")
        return {"ok": True}

    return flaky


def broken(event: object, context: object) -> None:
    raise ValueError("always broken")


@pytest.fixture(scope="module")
def inspected() -> Iterator[InspectedEngine]:
    engine = Engine(clock=VirtualClock(start=CLOCK_START), store=MemoryStore())
    engine.register_lambda("flaky", _flaky_handler())
    engine.register_lambda("broken", broken)
    engine.start()
    with SfnApiServer(engine, host="127.0.0.1", port=0) as server:
        sfn = make_client(server.endpoint_url)
        inspected_arn = _machine(sfn, "Inspected", INSPECTED_DEFINITION)
        failing_arn = _machine(sfn, "Failing", FAILING_DEFINITION)
        items = json.dumps({"items": list(range(MAP_ITEMS))})
        succeeded = sfn.start_execution(stateMachineArn=inspected_arn, name="known-run", input=items)
        failed = sfn.start_execution(stateMachineArn=failing_arn, name="twin", input="{}")
        engine.run_until_idle()
        engine.advance(RECOVER_WAIT_SECONDS + 10)  # the retry's backoff, then Recover's wait
        twin = sfn.start_execution(stateMachineArn=inspected_arn, name="twin", input=items)
        engine.run_until_idle()
        engine.advance(5)  # past the retry's backoff: the twin waits in Recover
        yield InspectedEngine(
            engine=engine,
            endpoint=server.endpoint_url,
            sfn=sfn,
            inspected_machine_arn=inspected_arn,
            succeeded_arn=succeeded["executionArn"],
            failed_arn=failed["executionArn"],
            twin_arn=twin["executionArn"],
        )
    engine.close()


def _machine(sfn: Any, name: str, definition: dict[str, Any]) -> str:
    created = sfn.create_state_machine(name=name, roleArn=ROLE_ARN, definition=json.dumps(definition))
    arn: str = created["stateMachineArn"]
    return arn


def full_history(sfn: Any, execution_arn: str) -> dict[str, Any]:
    """GetExecutionHistory through boto3, every page merged: what `history --json` must print."""
    events: list[dict[str, Any]] = []
    answer = sfn.get_execution_history(executionArn=execution_arn)
    events += answer["events"]
    while answer.get("nextToken"):
        answer = sfn.get_execution_history(executionArn=execution_arn, nextToken=answer["nextToken"])
        events += answer["events"]
    return {"events": events}


@dataclass(frozen=True)
class CliResult:
    code: int
    out: str
    err: str

    @property
    def lines(self) -> list[str]:
        return self.out.splitlines()


def run_cli(capsys: pytest.CaptureFixture[str], *arguments: str) -> CliResult:
    """`python -m local ARGUMENTS` in this process (its stdout is not a terminal: plain output)."""
    from local.cli import main

    code = main(list(arguments))
    captured = capsys.readouterr()
    return CliResult(code, captured.out, captured.err)


def one_error_line(result: CliResult) -> str:
    """The single `error: ...` line a failed command prints; fails unless that is all of stderr."""
    assert result.code == 1, result.out
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("error: ")
    return lines[0]


def table_rows(lines: list[str], header_start: str) -> list[list[str]]:
    """The rows of the plain table whose header line starts with `header_start`, split on runs of two or
    more spaces (cells hold single spaces at most), up to the first blank line."""
    import re

    start = next(index for index, line in enumerate(lines) if line.strip().startswith(header_start))
    rows: list[list[str]] = []
    for line in lines[start + 1 :]:
        if not line.strip():
            break
        rows.append(re.split(r"\s{2,}", line.strip()))
    return rows
