"""100,000 executions waiting on timers: memory, restart-and-resume, drain, and real-clock lateness.

    python -m bench timers [--waiting 100000] [--lateness-timers 2000] [--lateness-spread 10]

1. This process parks `--waiting` executions on a SqliteStore, each in a Wait until a moment a day
   ahead (then a Task calls the `timer-fired` function): seconds to start them, RSS while they wait.
2. A new process opens the same store (all of them still waiting), starts the background worker on the
   real clock and measures how late `--lateness-timers` further Waits, due over `--lateness-spread`
   seconds, end (p50, p99, max).
3. Another new process opens the store on a clock past every timer (a restart after an outage) and
   measures, from the moment it opens the store: engine ready, first due timer fired
   (restart-and-resume), and every execution fired and completed (drain).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.machines import ROLE_ARN, wait_until_then_call_machine
from bench.measurement import Measurement, current_rss_mb, format_table, from_json, to_json
from bench.restart import rfc3339
from local.engine import Engine, RealClock, SqliteStore

NAME = "timers"
DUE_AFTER = timedelta(days=1)


def park_executions(waiting: int, state_file: Path, due_at: datetime) -> tuple[str, list[Measurement]]:
    """Start `waiting` executions that wait until `due_at`; returns the machine ARN and the numbers."""
    rss_before = current_rss_mb()
    engine = Engine(clock=RealClock(), store=SqliteStore(state_file))
    try:
        machine_arn = engine.create_state_machine(
            name="WaitUntilThenCall", definition=wait_until_then_call_machine(), role_arn=ROLE_ARN
        )["stateMachineArn"]
        execution_input = json.dumps({"dueAt": rfc3339(due_at)})
        started = time.perf_counter()
        for _ in range(waiting):
            engine.start_execution(machine_arn, input=execution_input)
        engine.run_until_idle()
        start_seconds = time.perf_counter() - started
        rss_waiting = current_rss_mb()
    finally:
        engine.close()
    return machine_arn, [
        Measurement(NAME, f"start {waiting} executions up to their Wait", start_seconds, "s"),
        Measurement(NAME, f"RSS with {waiting} executions waiting", rss_waiting, "MB"),
        Measurement(NAME, "RSS growth while they wait", rss_waiting - rss_before, "MB"),
        Measurement(NAME, "store file size", state_file.stat().st_size / 2**20, "MB"),
    ]


def in_new_process(*arguments: str) -> list[Measurement]:
    """Run one half of `bench.restart` in a fresh interpreter and read its numbers."""
    completed = subprocess.run(
        [sys.executable, "-m", "bench.restart", *arguments, "--json"],
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    return from_json(completed.stdout.strip().splitlines()[-1])


def run(
    waiting: int = 100_000, lateness_timers: int = 2000, lateness_spread: float = 10.0
) -> list[Measurement]:
    """Run the three parts on one temporary store."""
    due_at = datetime.now(UTC) + DUE_AFTER
    with tempfile.TemporaryDirectory() as state_dir:
        state_file = Path(state_dir) / "timers.sqlite3"
        machine_arn, results = park_executions(waiting, state_file, due_at)
        results += in_new_process(
            "lateness",
            "--state-file",
            str(state_file),
            "--timers",
            str(lateness_timers),
            "--spread",
            str(lateness_spread),
        )
        results += in_new_process(
            "resume",
            "--state-file",
            str(state_file),
            "--machine-arn",
            machine_arn,
            "--expected",
            str(waiting),
            "--clock-at",
            rfc3339(due_at + timedelta(seconds=1)),
        )
    return results


def main(argv: Sequence[str] | None = None) -> int:
    """Command line of this benchmark."""
    parser = argparse.ArgumentParser(
        prog="python -m bench timers",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--waiting", type=int, default=100_000)
    parser.add_argument("--lateness-timers", type=int, default=2000)
    parser.add_argument(
        "--lateness-spread", type=float, default=10.0, help="seconds over which timers fall due"
    )
    parser.add_argument("--json", action="store_true", help="print the measurements as one JSON line")
    args = parser.parse_args(argv)
    measurements = run(args.waiting, args.lateness_timers, args.lateness_spread)
    print(to_json(measurements) if args.json else format_table(measurements))
    return 0


if __name__ == "__main__":
    sys.exit(main())
