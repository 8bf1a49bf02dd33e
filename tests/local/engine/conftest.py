"""Fixtures for the engine tests: engines on each clock and a helper to run a definition."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from local.engine import Engine, MemoryStore, SkipClock, VirtualClock
from tests.local.moto_server import moto_server

ROLE_ARN = "arn:aws:iam::123456789012:role/sfn"
START = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def skip_engine() -> Engine:
    """An engine whose clock jumps over timers when nothing else can run."""
    return Engine(clock=SkipClock(start=START), store=MemoryStore())


@pytest.fixture
def virtual_engine() -> Engine:
    """An engine whose clock moves only when advanced."""
    return Engine(clock=VirtualClock(start=START), store=MemoryStore())


@pytest.fixture(scope="module")
def aws_endpoint() -> Iterator[str]:
    """A moto server on a free port, for an engine's `aws_endpoint_url` (tests name their own resources)."""
    with moto_server() as endpoint:
        yield endpoint


Starter = Callable[..., str]


@pytest.fixture
def start() -> Starter:
    """Create a state machine from a definition dict and start one execution; returns its ARN."""
    counter = iter(range(1_000_000))

    def start_execution(
        engine: Engine, definition: dict[str, Any], execution_input: Any = None, **options: Any
    ) -> str:
        machine = engine.create_state_machine(
            name=f"machine-{next(counter)}",
            definition=json.dumps(definition),
            role_arn=ROLE_ARN,
            type=options.pop("type", "STANDARD"),
        )
        suffix = options.pop("test_case", None)
        arn = machine["stateMachineArn"] + (f"#{suffix}" if suffix else "")
        payload = json.dumps(execution_input if execution_input is not None else {})
        return engine.start_execution(arn, input=payload, **options)["executionArn"]

    return start_execution


def history_types(engine: Engine, execution_arn: str) -> list[str]:
    """Event types of an execution's history, in order."""
    return [event["type"] for event in engine.get_execution_history(execution_arn)["events"]]


def output_of(engine: Engine, execution_arn: str) -> Any:
    """The parsed output of a finished execution."""
    return json.loads(engine.describe_execution(execution_arn)["output"])


def redrive_and_run(engine: Engine, execution_arn: str) -> None:
    """Redrive a failed execution and run it until nothing more can run."""
    engine.redrive_execution(execution_arn)
    engine.run_until_idle()


@pytest.fixture
def engine_for_validation() -> Engine:
    """An engine used only for CreateStateMachine / ValidateStateMachineDefinition calls."""
    return Engine(clock=VirtualClock(start=START), store=MemoryStore())
