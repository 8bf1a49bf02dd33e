"""The background worker runs work as it becomes due while API calls come from other threads."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable

from local.engine import Engine, MemoryStore, RealClock, SkipClock

from .conftest import ROLE_ARN, START

WAIT_HOUR = {
    "StartAt": "W",
    "States": {"W": {"Type": "Wait", "Seconds": 3600, "Next": "P"}, "P": {"Type": "Pass", "End": True}},
}


def _eventually(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


def test_worker_with_skip_clock_finishes_waits_without_being_asked() -> None:
    # Given a started worker on a skip clock
    engine = Engine(clock=SkipClock(start=START), store=MemoryStore())
    engine.start()
    try:
        machine = engine.create_state_machine(name="M", definition=json.dumps(WAIT_HOUR), role_arn=ROLE_ARN)
        # When executions are started from several threads at once
        arns: list[str] = []
        lock = threading.Lock()

        def start_some(prefix: str) -> None:
            for index in range(5):
                arn = engine.start_execution(machine["stateMachineArn"], name=f"{prefix}-{index}")[
                    "executionArn"
                ]
                with lock:
                    arns.append(arn)

        threads = [threading.Thread(target=start_some, args=(f"t{n}",)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        # Then the worker completes all of them
        assert _eventually(lambda: all(engine.describe_execution(a)["status"] == "SUCCEEDED" for a in arns))
        assert len(arns) == 20
    finally:
        engine.close()


def test_worker_with_real_clock_runs_due_work() -> None:
    # Given a worker on the wall clock and a machine without waits
    engine = Engine(clock=RealClock(), store=MemoryStore())
    engine.start()
    try:
        definition = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": "ok", "End": True}}}
        machine = engine.create_state_machine(name="M", definition=json.dumps(definition), role_arn=ROLE_ARN)
        # When an execution is started; Then the worker runs it to the end
        arn = engine.start_execution(machine["stateMachineArn"])["executionArn"]
        assert _eventually(lambda: engine.describe_execution(arn)["status"] == "SUCCEEDED")
        assert engine.describe_execution(arn)["output"] == '"ok"'
    finally:
        engine.close()
