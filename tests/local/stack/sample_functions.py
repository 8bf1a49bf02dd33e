"""Handlers of the sample catalog entry in test_any_catalog_entry.py."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from functions.common.clock import utc_now


def greet(event: dict[str, Any], context: Any) -> dict[str, str]:
    """Greets with the word its environment declares, and says which function it is."""
    return {
        "greeting": f"{os.environ['GREETING']}, {event['name']}",
        "functionName": os.environ["AWS_LAMBDA_FUNCTION_NAME"],
    }


def occupy(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Stays until `event["together"]` invocations have been inside at once, or `event["seconds"]` passed.

    Each invocation inside holds a file named after its request id in `event["room"]`/inside; the first to
    count `together` there leaves a flag that lets everyone go. The answer says which process ran it, the
    most invocations it saw inside at once, whether they all arrived, and the time its clock read.
    """
    room = Path(event["room"])
    inside, everyone_arrived = room / "inside", room / "everyone-arrived"
    inside.mkdir(parents=True, exist_ok=True)
    mine = inside / context.aws_request_id
    mine.touch()
    most_seen = 0
    deadline = time.monotonic() + event["seconds"]
    try:
        while not everyone_arrived.exists() and time.monotonic() < deadline:
            most_seen = max(most_seen, len(list(inside.iterdir())))
            if most_seen >= event["together"]:
                everyone_arrived.touch()
            time.sleep(0.01)
    finally:
        mine.unlink()
    return {
        "pid": os.getpid(),
        "mostSeen": most_seen,
        "everyoneArrived": everyone_arrived.exists(),
        "now": utc_now().isoformat(),
    }
