"""The background worker and a caller moving a virtual clock never interleave."""

from __future__ import annotations

import threading
from typing import Any

from local.engine import Engine

from .conftest import START, Starter

SLOW_TASK_THEN_WAIT = {
    "StartAt": "Slow",
    "States": {
        "Slow": {
            "Type": "Task",
            "Resource": "arn:aws:lambda:us-east-1:123456789012:function:slow",
            "Next": "Wait",
        },
        "Wait": {"Type": "Wait", "Seconds": 60, "End": True},
    },
}


def test_advance_waits_for_a_step_the_worker_is_in_the_middle_of(
    virtual_engine: Engine, start: Starter
) -> None:
    # Given a worker running a task whose handler is still busy when the clock is moved
    handler_entered = threading.Event()
    release_handler = threading.Event()

    def slow(event: Any, context: Any) -> dict[str, str]:
        handler_entered.set()
        release_handler.wait(timeout=5)
        return {"done": "yes"}

    virtual_engine.register_lambda("slow", slow)
    virtual_engine.start()
    try:
        arn = start(virtual_engine, SLOW_TASK_THEN_WAIT)
        assert handler_entered.wait(timeout=5)

        # When the clock is advanced by an hour while the handler runs (released shortly after)
        threading.Timer(0.2, release_handler.set).start()
        virtual_engine.advance(3600)

        # Then the task finished at the time it started, and its 60-second Wait fell within the hour
        description = virtual_engine.describe_execution(arn)
        assert description["status"] == "SUCCEEDED"
        events = virtual_engine.get_execution_history(arn)["events"]
        wait_entered = next(event for event in events if event["type"] == "WaitStateEntered")
        assert wait_entered["timestamp"] == START
    finally:
        release_handler.set()
        virtual_engine.close()
