"""The halves of the timers benchmark that run in a fresh process on a store other processes filled.

python -m bench.restart lateness --state-file F [--timers 2000] [--spread 10]
python -m bench.restart resume --state-file F --machine-arn ARN --expected N --clock-at RFC3339

`lateness`: open the store (holding many executions that wait on far-off timers), start the background
worker on the real clock, start `--timers` executions whose Waits fall due spread over `--spread`
seconds, and report how late each one leaves its Wait state.

`resume`: open the store on a clock already past every timer (as after a restart that followed a long
outage), start the background worker, and report the seconds from opening the store until the engine
is ready, until the first due timer has fired (its Task called the `timer-fired` function) and until all
`--expected` executions have fired and completed.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.machines import ROLE_ARN, TIMER_FIRED_FUNCTION, wait_until_machine
from bench.measurement import Measurement, current_rss_mb, format_table, peak_rss_mb, to_json
from local.engine import Engine, RealClock, SqliteStore, VirtualClock

NAME = "timers"
LATENESS_LEAD_SECONDS = 5.0  # time to start every execution before the first timer falls due
POLL_SECONDS = 0.2
DEADLINE_SECONDS = 900.0


def rfc3339(moment: datetime) -> str:
    """`2026-01-01T00:00:00.123456Z`."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


# ------------------------------------------------------------------ lateness on the real clock


def run_lateness(state_file: Path, timers: int, spread_seconds: float) -> list[Measurement]:
    """Real clock and background worker: how late Wait states end relative to the time they waited for."""
    opened = time.perf_counter()
    engine = Engine(clock=RealClock(), store=SqliteStore(state_file))
    engine.start()
    ready_seconds = time.perf_counter() - opened
    rss_ready = current_rss_mb()
    try:
        machine = engine.create_state_machine(
            name="WaitUntil", definition=wait_until_machine(), role_arn=ROLE_ARN
        )
        first_due = datetime.now(UTC) + timedelta(seconds=LATENESS_LEAD_SECONDS)
        randomness = random.Random(7)
        due_by_arn: dict[str, datetime] = {}
        for _ in range(timers):
            due = first_due + timedelta(seconds=randomness.uniform(0, spread_seconds))
            run = engine.start_execution(machine["stateMachineArn"], input=f'{{"dueAt": "{rfc3339(due)}"}}')
            due_by_arn[run["executionArn"]] = due
        starting_seconds = (datetime.now(UTC) - first_due).total_seconds() + LATENESS_LEAD_SECONDS
        in_due_order = sorted(due_by_arn, key=due_by_arn.__getitem__)
        _wait_until_finished(engine, in_due_order, first_due + timedelta(seconds=spread_seconds + 60))
        lateness = sorted(_lateness_seconds(engine, arn, due) for arn, due in due_by_arn.items())
    finally:
        engine.close()
    return [
        Measurement(NAME, "new process: open the store, worker running", ready_seconds * 1000, "ms"),
        Measurement(NAME, "new process: RSS with the store open", rss_ready, "MB"),
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


def _wait_until_finished(engine: Engine, arns_in_due_order: list[str], deadline: datetime) -> None:
    # Looks only at the executions not yet seen finished, earliest due first, and stops at the first
    # one still running: the poll itself must not compete with the worker it measures.
    finished = 0
    while finished < len(arns_in_due_order) and datetime.now(UTC) < deadline:
        time.sleep(POLL_SECONDS)
        while finished < len(arns_in_due_order):
            if engine.describe_execution(arns_in_due_order[finished])["status"] == "RUNNING":
                break
            finished += 1


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


# ------------------------------------------------------------------ restart and resume


class FiringLog:
    """The `timer-fired` function: notes when the first and the last expected call arrive."""

    def __init__(self, expected: int) -> None:
        self.expected = expected
        self.calls = 0
        self.first_at = 0.0
        self.last_at = 0.0
        self.first = threading.Event()
        self.all = threading.Event()
        self._lock = threading.Lock()

    def handler(self, event: Any, context: Any) -> dict[str, Any]:
        """Count one call (runs on the engine's worker thread)."""
        now = time.perf_counter()
        with self._lock:
            self.calls += 1
            if self.calls == 1:
                self.first_at = now
                self.first.set()
            if self.calls >= self.expected:
                self.last_at = now
                self.all.set()
        return {"fired": True}


def run_resume(state_file: Path, machine_arn: str, expected: int, clock_at: datetime) -> list[Measurement]:
    """Open the store past every timer and time the engine until the first and the last one fired."""
    fired = FiringLog(expected)
    opened = time.perf_counter()
    engine = Engine(clock=VirtualClock(start=clock_at), store=SqliteStore(state_file))
    engine.register_lambda(TIMER_FIRED_FUNCTION, fired.handler)
    engine.start()
    ready_seconds = time.perf_counter() - opened
    try:
        fired.first.wait(DEADLINE_SECONDS)
        fired.all.wait(DEADLINE_SECONDS)
        _wait_until_idle(engine)
        completed_seconds = time.perf_counter() - opened
        peak_rss = peak_rss_mb()  # before counting: listing 100,000 records is the benchmark's cost
        succeeded = len(engine.store.list_executions(machine_arn, "SUCCEEDED"))
    finally:
        engine.close()
    first_seconds = fired.first_at - opened if fired.first.is_set() else float("inf")
    all_seconds = fired.last_at - opened if fired.all.is_set() else float("inf")
    return [
        Measurement(NAME, "restart: open the store -> engine ready", ready_seconds * 1000, "ms"),
        Measurement(NAME, "restart-and-resume: open the store -> first due timer fired", first_seconds, "s"),
        Measurement(NAME, f"drain: open the store -> all {expected} timers fired", all_seconds, "s"),
        Measurement(NAME, f"drain: open the store -> all {expected} completed", completed_seconds, "s"),
        Measurement(
            NAME,
            "drain rate",
            expected / (all_seconds - first_seconds) if all_seconds > first_seconds else 0.0,
            "executions/s",
        ),
        Measurement(NAME, "executions succeeded after the restart", succeeded, "executions"),
        Measurement(NAME, "restarted process: peak RSS while draining", peak_rss, "MB"),
    ]


def _wait_until_idle(engine: Engine) -> None:
    """Until no timer is pending and nothing is runnable (the last completions are committed)."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        if engine.store.next_due(skippable=False) is None and not engine.store.runnable_executions():
            return
        time.sleep(POLL_SECONDS / 4)


# ------------------------------------------------------------------ command line


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: one of the two halves."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.restart", description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parts = parser.add_subparsers(dest="part", required=True)
    lateness = parts.add_parser("lateness")
    lateness.add_argument("--timers", type=int, default=2000)
    lateness.add_argument("--spread", type=float, default=10.0)
    resume = parts.add_parser("resume")
    resume.add_argument("--machine-arn", required=True)
    resume.add_argument("--expected", type=int, required=True)
    resume.add_argument("--clock-at", type=datetime.fromisoformat, required=True)
    for part in (lateness, resume):
        part.add_argument("--state-file", type=Path, required=True)
        part.add_argument("--json", action="store_true", help="print the measurements as one JSON line")
    args = parser.parse_args(argv)
    if args.part == "lateness":
        measurements = run_lateness(args.state_file, args.timers, args.spread)
    else:
        measurements = run_resume(args.state_file, args.machine_arn, args.expected, args.clock_at)
    print(to_json(measurements) if args.json else format_table(measurements))
    return 0


if __name__ == "__main__":
    sys.exit(main())
