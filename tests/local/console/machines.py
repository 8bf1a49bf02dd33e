"""Small state machines for the console's tests on an engine of their own."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from local.engine import Engine
from tests.local.console.conftest import ROLE_ARN


def create(engine: Engine, name: str, states: dict[str, Any], start_at: str) -> str:
    definition = json.dumps({"StartAt": start_at, "States": states})
    return str(
        engine.create_state_machine(name=name, definition=definition, role_arn=ROLE_ARN)["stateMachineArn"]
    )


def waiting_machine(engine: Engine, name: str, seconds: int) -> str:
    """Waits `seconds`, then passes its input through."""
    states = {
        "WaitForIt": {"Type": "Wait", "Seconds": seconds, "Next": "Finish"},
        "Finish": {"Type": "Pass", "End": True},
    }
    return create(engine, name, states, "WaitForIt")


def start_waiting(engine: Engine, machine_arn: str, seconds_allowed: float = 10.0) -> str:
    """Start an execution of a `waiting_machine` and return its ARN once it waits (its history is
    settled until the clock moves)."""
    execution_arn = str(engine.start_execution(machine_arn, input="{}")["executionArn"])
    deadline = time.monotonic() + seconds_allowed
    while time.monotonic() < deadline:
        events = engine.get_execution_history(execution_arn)["events"]
        if any(event["type"] == "WaitStateEntered" for event in events):
            return execution_arn
        time.sleep(0.01)
    raise TimeoutError(f"{execution_arn} did not reach its Wait state")


class Switch:
    """A Lambda handler that fails while `failing` is set."""

    def __init__(self) -> None:
        self.failing = True

    def __call__(self, event: Any, context: Any) -> Any:
        if self.failing:
            raise RuntimeError("the downstream service is down")
        return {"charged": event}


def parallel_machine(engine: Engine, name: str, function: str) -> str:
    """A Parallel state whose second branch calls `function`; its first branch always succeeds."""
    states = {
        "Prepare": {"Type": "Pass", "Result": {"order": 7}, "Next": "Both"},
        "Both": {
            "Type": "Parallel",
            "Branches": [
                {
                    "StartAt": "Reserve",
                    "States": {"Reserve": {"Type": "Pass", "Result": "reserved", "End": True}},
                },
                {
                    "StartAt": "Charge",
                    "States": {
                        "Charge": {
                            "Type": "Task",
                            "Resource": "arn:aws:states:::lambda:invoke",
                            "Parameters": {"FunctionName": function, "Payload.$": "$"},
                            "OutputPath": "$.Payload",
                            "End": True,
                        }
                    },
                },
            ],
            "Next": "Done",
        },
        "Done": {"Type": "Succeed"},
    }
    return create(engine, name, states, "Prepare")


def distributed_map_machine(
    engine: Engine,
    name: str,
    item_states: dict[str, Any],
    item_start_at: str,
    execution_type: str = "STANDARD",
    **map_fields: Any,
) -> str:
    """A Pass, then a Distributed Map (labelled `Item`) over the execution's input whose children
    (`execution_type` executions) run `item_states`; `map_fields` adds MaxConcurrency and the like."""
    processor = {
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": execution_type},
        "StartAt": item_start_at,
        "States": item_states,
    }
    states = {
        "Prepare": {"Type": "Pass", "Next": "Fanout"},
        "Fanout": {"Type": "Map", "ItemProcessor": processor, "Label": "Item", "End": True, **map_fields},
    }
    return create(engine, name, states, "Prepare")


def wait_until(check: Callable[[], bool], seconds_allowed: float = 10.0) -> None:
    """Wait until `check()` holds (the engine runs executions in the background)."""
    deadline = time.monotonic() + seconds_allowed
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{check} did not hold within {seconds_allowed}s")
        time.sleep(0.01)
