"""Many executions waiting on timers: memory, restart-and-resume on SqliteStore, and timer lateness.

    python -m bench timers [--waiting 100000] [--lateness-timers 2000] [--lateness-spread 10]

1. `--waiting` executions each wait one hour on a virtual clock (SqliteStore): RSS once all wait.
2. The engine is dropped and a new one opens the same file: seconds until it is ready, then seconds to
   advance the clock by an hour and complete every execution.
3. With the real clock and the background worker, `--lateness-timers` Waits fall due spread over
   `--lateness-spread` seconds: how late each one leaves its Wait state (p50, p99, max).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.machines import ROLE_ARN, wait_seconds_machine, wait_until_machine
from bench.measurement import Measurement, current_rss_mb, format_table, to_json
from local.engine import Engine, RealClock, SqliteStore, VirtualClock

NAME = "timers"
WAIT_SECONDS = 3600
LATENESS_LEAD_SECONDS = 5.0  # time to start every execution before the first timer falls due
COMPLETION_POLL_SECONDS = 0.2


def run_waiting(waiting: int, state_file: Path) -> list[Measurement]:
    """Park `waiting` executions on one-hour timers, restart on the same file, and resume them all."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    rss_before = current_rss_mb()
    engine = Engine(clock=VirtualClock(start=start), store=SqliteStore(state_file))
    machine = engine.create_state_machine(
        name="WaitAnHour", definition=wait_seconds_machine(WAIT_SECONDS), role_arn=ROLE_ARN
    )
    started = time.perf_counter()
    arns = [
        engine.start_execution(machine["stateMachineArn"], input="{}")["executionArn"] for _ in range(waiting)
    ]
    engine.run_until_idle()
    start_seconds = time.perf_counter() - started
    rss_waiting = current_rss_mb()
    engine.close()
    del engine

    restarted = time.perf_counter()
    engine = Engine(clock=VirtualClock(start=start), store=SqliteStore(state_file))
    engine.run_until_idle()
    restart_seconds = time.perf_counter() - restarted
    resumed = time.perf_counter()
    engine.advance(WAIT_SECONDS + 1)
    resume_seconds = time.perf_counter() - resumed
    succeeded = sum(engine.describe_execution(arn)["status"] == "SUCCEEDED" for arn in arns)
    engine.close()
    return [
        Measurement(NAME, f"start {waiting} executions up to their Wait", start_seconds, "s"),
        Measurement(NAME, f"RSS with {waiting} executions waiting", rss_waiting, "MB"),
        Measurement(NAME, "RSS growth while they wait", rss_waiting - rss_before, "MB"),
        Measurement(NAME, "restart: open the store, ready to run", restart_seconds * 1000, "ms"),
        Measurement(NAME, "resume: advance 1 h, complete every execution", resume_seconds, "s"),
        Measurement(NAME, "executions succeeded after restart", succeeded, "executions"),
    ]


def run_lateness(timers: int, spread_seconds: float, state_file: Path) -> list[Measurement]:
    """Real clock: how late Wait states end relative to the timestamp they waited for."""
    engine = Engine(clock=RealClock(), store=SqliteStore(state_file))
    engine.start()
    try:
        machine = engine.create_state_machine(
            name="WaitUntil", definition=wait_until_machine(), role_arn=ROLE_ARN
        )
        first_due = datetime.now(UTC) + timedelta(seconds=LATENESS_LEAD_SECONDS)
        randomness = random.Random(7)
        due_by_arn: dict[str, datetime] = {}
        for _ in range(timers):
            due = first_due + timedelta(seconds=randomness.uniform(0, spread_seconds))
            run = engine.start_execution(
                machine["stateMachineArn"], input=f'{{"dueAt": "{due.isoformat().replace("+00:00", "Z")}"}}'
            )
            due_by_arn[run["executionArn"]] = due
        starting_seconds = (datetime.now(UTC) - first_due).total_seconds() + LATENESS_LEAD_SECONDS
        _wait_until_finished(engine, list(due_by_arn), first_due + timedelta(seconds=spread_seconds + 60))
        lateness = sorted(_lateness_seconds(engine, arn, due) for arn, due in due_by_arn.items())
    finally:
        engine.close()
    return [
        Measurement(
            NAME,
            f"real clock: start {timers} executions (first due {LATENESS_LEAD_SECONDS:g} s in)",
            starting_seconds,
            "s",
        ),
        Measurement(
            NAME,
            f"real clock: {timers} timers over {spread_seconds:g} s, p50 lateness",
            _ms(lateness, 50),
            "ms",
        ),
        Measurement(NAME, "real clock: p99 lateness", _ms(lateness, 99), "ms"),
        Measurement(NAME, "real clock: max lateness", lateness[-1] * 1000 if lateness else 0.0, "ms"),
    ]


def _wait_until_finished(engine: Engine, arns: list[str], deadline: datetime) -> None:
    pending = set(arns)
    while pending and datetime.now(UTC) < deadline:
        time.sleep(COMPLETION_POLL_SECONDS)
        pending = {arn for arn in pending if engine.describe_execution(arn)["status"] == "RUNNING"}


def _lateness_seconds(engine: Engine, execution_arn: str, due: datetime) -> float:
    history = engine.get_execution_history(execution_arn, max_results=1000)
    exited = [event["timestamp"] for event in history["events"] if event["type"] == "WaitStateExited"]
    if not exited:
        return float("inf")  # never fired: counts as the latest of all
    return max(0.0, (exited[0] - due).total_seconds())


def _ms(sorted_seconds: list[float], percentile: int) -> float:
    if not sorted_seconds:
        return 0.0
    if len(sorted_seconds) == 1:
        return sorted_seconds[0] * 1000
    return statistics.quantiles(sorted_seconds, n=100, method="inclusive")[percentile - 1] * 1000


def run(
    waiting: int = 100_000, lateness_timers: int = 2000, lateness_spread: float = 10.0
) -> list[Measurement]:
    """Run all three parts in a temporary state directory."""
    with tempfile.TemporaryDirectory() as state_dir:
        results = run_waiting(waiting, Path(state_dir) / "waiting.sqlite3")
        results += run_lateness(lateness_timers, lateness_spread, Path(state_dir) / "lateness.sqlite3")
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
