"""The stack runs its functions as Lambda does: each concurrent invocation in an execution environment (a
worker process) of its own, at most the function's reserved concurrency at once, on the stack's clock."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from catalog.model import Function, StateMachine, Tunable, TunableValue
from local.stack import LocalStack
from tests.local.stack.conftest import client, quiet_config

MACHINE_NAME = "SampleEnvironments"
RESERVED = 2


def _machine(asl_file: Path) -> StateMachine:
    asl_file.write_text(json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}))
    occupy = "tests.local.stack.sample_functions.occupy"
    return StateMachine(
        name=MACHINE_NAME,
        description="Two functions that report where and when they ran.",
        asl_file=asl_file,
        substitutions=(),
        functions=(
            Function(
                logical_id="Free", description="No reserved concurrency.", handler=occupy, environment={}
            ),
            Function(
                logical_id="Narrow",
                description="A reserved concurrency.",
                handler=occupy,
                environment={},
                reserved_concurrency=TunableValue("NarrowSlots"),
            ),
        ),
        tunables=(
            Tunable(name="NarrowSlots", default=RESERVED, description="Narrow's reserved concurrency."),
        ),
    )


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    machine = _machine(tmp_path_factory.mktemp("asl") / "environments.asl.json")
    with LocalStack(quiet_config(), machines={machine.name: machine}) as running:
        yield running


def _invoke_at_once(
    stack: LocalStack, function: str, count: int, room: Path, *, together: int, seconds: float
) -> list[dict[str, Any]]:
    """`count` invocations sent at the same time through the Lambda API; their answers."""
    lambda_client = client("lambda", stack.addresses.stepfunctions)
    event = json.dumps({"room": str(room), "together": together, "seconds": seconds})
    with ThreadPoolExecutor(count) as senders:
        calls = [
            senders.submit(lambda_client.invoke, FunctionName=f"{MACHINE_NAME}-{function}", Payload=event)
            for _ in range(count)
        ]
        responses = [call.result() for call in calls]
    assert [response.get("FunctionError") for response in responses] == [None] * count
    return [json.loads(response["Payload"].read()) for response in responses]


def test_concurrent_invocations_each_run_in_an_environment_of_their_own(
    stack: LocalStack, tmp_path: Path
) -> None:
    # When four invocations arrive at once, each waiting until all four are inside
    answers = _invoke_at_once(stack, "Free", 4, tmp_path, together=4, seconds=30)

    # Then all four were inside together, each in a process of its own, none of them the stack's
    assert [answer["everyoneArrived"] for answer in answers] == [True] * 4
    assert max(answer["mostSeen"] for answer in answers) == 4
    pids = {answer["pid"] for answer in answers}
    assert len(pids) == 4
    assert os.getpid() not in pids


def test_a_reserved_concurrency_bounds_the_invocations_inside_at_once(
    stack: LocalStack, tmp_path: Path
) -> None:
    # When six invocations arrive at once at a function whose reserved concurrency is two, each waiting a
    # while for a third one to join it
    answers = _invoke_at_once(stack, "Narrow", 6, tmp_path, together=RESERVED + 1, seconds=3)

    # Then all six ran, never more than two at once, in no more than two environments
    assert not any(answer["everyoneArrived"] for answer in answers)
    assert max(answer["mostSeen"] for answer in answers) == RESERVED
    assert len({answer["pid"] for answer in answers}) <= RESERVED


def test_each_invocation_reads_the_stack_s_clock(stack: LocalStack, tmp_path: Path) -> None:
    # Given a stack whose virtual clock moved three days ahead
    moved_to = stack.advance(3 * 86_400)

    # When a function reads the time
    [answer] = _invoke_at_once(stack, "Free", 1, tmp_path, together=1, seconds=0)

    # Then it read the stack's time, not the wall clock's
    assert datetime.fromisoformat(answer["now"]) == moved_to


def test_the_lambda_api_lists_the_catalog_s_functions_with_their_settings(stack: LocalStack) -> None:
    # When a client lists the functions of the stack's Lambda API
    listed = client("lambda", stack.addresses.stepfunctions).list_functions()["Functions"]

    # Then the catalog's functions are there, with the catalog's timeout and memory
    settings = {entry["FunctionName"]: (entry["Timeout"], entry["MemorySize"]) for entry in listed}
    declared = {
        f"{MACHINE_NAME}-{function.logical_id}": (function.timeout_seconds, function.memory_mb)
        for function in stack.workflows[MACHINE_NAME].machine.functions
    }
    assert settings == declared
