"""Wall time of a three-day polling loop (Wait 5 minutes, 864 rounds) on a SkipClock.

python -m bench time_skip
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.machines import ROLE_ARN, polling_loop_machine
from bench.measurement import Measurement, format_table, to_json
from local.engine import Engine, MemoryStore, SkipClock, SqliteStore

NAME = "time_skip"


def run_loop(store: Any) -> tuple[float, float, str, int]:
    """Wall seconds, virtual seconds, final status and history length of one three-day loop."""
    engine = Engine(clock=SkipClock(), store=store)
    try:
        machine = engine.create_state_machine(
            name="PollForThreeDays", definition=polling_loop_machine(), role_arn=ROLE_ARN
        )
        started = time.perf_counter()
        run = engine.start_execution(machine["stateMachineArn"], input="{}")
        engine.run_until_idle()
        wall = time.perf_counter() - started
        description = engine.describe_execution(run["executionArn"])
        virtual = (
            (description["stopDate"] - description["startDate"]).total_seconds()
            if "stopDate" in description
            else 0.0
        )
        events = _count_events(engine, run["executionArn"])
    finally:
        engine.close()
    return wall, virtual, description["status"], events


def _count_events(engine: Engine, execution_arn: str) -> int:
    count, token = 0, None
    while True:
        page = engine.get_execution_history(execution_arn, max_results=1000, next_token=token)
        count += len(page["events"])
        token = page.get("nextToken")
        if not token:
            return count


def run() -> list[Measurement]:
    """The loop on a MemoryStore and on a SqliteStore."""
    results: list[Measurement] = []
    with tempfile.TemporaryDirectory() as state_dir:
        stores = {"MemoryStore": MemoryStore(), "SqliteStore": SqliteStore(Path(state_dir) / "sfn.sqlite3")}
        for label, store in stores.items():
            wall, virtual, status, events = run_loop(store)
            results += [
                Measurement(NAME, f"{label}: wall time for the 3-day loop ({status})", wall, "s"),
                Measurement(NAME, f"{label}: virtual time elapsed", virtual / 3600, "h"),
                Measurement(NAME, f"{label}: history events", events, "events"),
            ]
    return results


def main(argv: Sequence[str] | None = None) -> int:
    """Command line of this benchmark."""
    parser = argparse.ArgumentParser(prog="python -m bench time_skip", description=__doc__)
    parser.add_argument("--json", action="store_true", help="print the measurements as one JSON line")
    args = parser.parse_args(argv)
    measurements = run()
    print(to_json(measurements) if args.json else format_table(measurements))
    return 0


if __name__ == "__main__":
    sys.exit(main())
