"""State transitions per second: a 22-state Pass/Choice machine on the durable SqliteStore, next to moto.

python -m bench throughput [--executions 1000] [--moto-executions 100] [--repeats 3]

Rates are given per wall-clock second and per CPU second of this process: on a machine shared with
other work the wall-clock rate drops with the load, while the CPU-time rate stays what one core does.
Each engine runs `--repeats` times and the fastest run counts: on a shared machine one run's rate
varied by a third from the next one's.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import boto3
from moto import mock_aws

from bench.machines import PASS_CHOICE_INPUT, PASS_CHOICE_STATES_VISITED, ROLE_ARN, pass_choice_machine
from bench.measurement import Measurement, format_table, to_json
from local.engine import Engine, RealClock, SqliteStore

NAME = "throughput"
MOTO_POLL_SECONDS = 0.05  # coarse enough that polling does not steal the GIL from moto's threads


def run_engine(executions: int) -> tuple[float, float, int]:
    """Wall and CPU seconds to start and finish `executions` runs in-process, and how many succeeded."""
    with tempfile.TemporaryDirectory() as state_dir:
        engine = Engine(clock=RealClock(), store=SqliteStore(Path(state_dir) / "sfn.sqlite3"))
        try:
            machine = engine.create_state_machine(
                name="PassChoice", definition=pass_choice_machine(), role_arn=ROLE_ARN
            )
            started, cpu_started = time.perf_counter(), time.process_time()
            arns = [
                engine.start_execution(machine["stateMachineArn"], input=PASS_CHOICE_INPUT)["executionArn"]
                for _ in range(executions)
            ]
            engine.run_until_idle()
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
            succeeded = sum(engine.describe_execution(arn)["status"] == "SUCCEEDED" for arn in arns)
        finally:
            engine.close()
    return elapsed, cpu, succeeded


def run_moto(executions: int) -> tuple[float, float, int]:
    """Wall and CPU seconds for moto's executor (execute_state_machine) to run `executions` of the same
    machine (its executor threads run in this process, so their CPU time counts), and how many succeeded."""
    for variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        os.environ.setdefault(variable, "testing")
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        client = boto3.client("stepfunctions", region_name="us-east-1")
        machine_arn = client.create_state_machine(
            name="PassChoice", definition=pass_choice_machine(), roleArn=ROLE_ARN
        )["stateMachineArn"]
        started, cpu_started = time.perf_counter(), time.process_time()
        arns = [  # moto needs explicit names: without one every execution is called "None"
            client.start_execution(stateMachineArn=machine_arn, name=f"run-{i}", input=PASS_CHOICE_INPUT)[
                "executionArn"
            ]
            for i in range(executions)
        ]
        statuses = {arn: "RUNNING" for arn in arns}
        while "RUNNING" in statuses.values():
            time.sleep(MOTO_POLL_SECONDS)
            for arn, status in statuses.items():
                if status == "RUNNING":
                    statuses[arn] = client.describe_execution(executionArn=arn)["status"]
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    return elapsed, cpu, sum(status == "SUCCEEDED" for status in statuses.values())


def fastest(runs: Callable[[], tuple[float, float, int]], repeats: int) -> tuple[float, float, int]:
    """The run (wall seconds, CPU seconds, executions succeeded) of `repeats` that took the least wall time.

    The fastest, not the median: other load on the machine only ever adds time to a run.
    """
    return min((runs() for _ in range(max(1, repeats))), key=lambda outcome: outcome[0])


def run(executions: int = 1000, moto_executions: int = 100, repeats: int = 3) -> list[Measurement]:
    """Run both engines (the fastest of `repeats` runs each) and return the numbers."""
    engine_seconds, engine_cpu, engine_succeeded = fastest(lambda: run_engine(executions), repeats)
    engine_transitions = engine_succeeded * PASS_CHOICE_STATES_VISITED
    engine_rate, engine_cpu_rate = engine_transitions / engine_seconds, engine_transitions / engine_cpu
    results = [
        Measurement(NAME, f"local engine, SqliteStore: {executions} executions", engine_seconds, "s"),
        Measurement(NAME, "local engine: executions succeeded", engine_succeeded, "executions"),
        Measurement(NAME, "local engine: state transitions per second", engine_rate, "transitions/s"),
        Measurement(NAME, "local engine: state transitions per CPU second", engine_cpu_rate, "transitions/s"),
    ]
    if moto_executions > 0:
        moto_seconds, moto_cpu, moto_succeeded = fastest(lambda: run_moto(moto_executions), repeats)
        moto_transitions = moto_succeeded * PASS_CHOICE_STATES_VISITED
        moto_rate, moto_cpu_rate = moto_transitions / moto_seconds, moto_transitions / moto_cpu
        results += [
            Measurement(NAME, f"moto executor: {moto_executions} executions", moto_seconds, "s"),
            Measurement(NAME, "moto executor: state transitions per second", moto_rate, "transitions/s"),
            Measurement(
                NAME, "moto executor: state transitions per CPU second", moto_cpu_rate, "transitions/s"
            ),
            Measurement(
                NAME, "local engine / moto (wall clock)", engine_rate / moto_rate if moto_rate else 0.0, "x"
            ),
            Measurement(
                NAME,
                "local engine / moto (CPU time)",
                engine_cpu_rate / moto_cpu_rate if moto_cpu_rate else 0.0,
                "x",
            ),
        ]
    return results


def main(argv: Sequence[str] | None = None) -> int:
    """Command line of this benchmark."""
    parser = argparse.ArgumentParser(prog="python -m bench throughput", description=__doc__)
    parser.add_argument("--executions", type=int, default=1000)
    parser.add_argument("--moto-executions", type=int, default=100, help="0 skips the moto comparison")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each engine (the fastest counts)")
    parser.add_argument("--json", action="store_true", help="print the measurements as one JSON line")
    args = parser.parse_args(argv)
    measurements = run(args.executions, args.moto_executions, args.repeats)
    print(to_json(measurements) if args.json else format_table(measurements))
    return 0


if __name__ == "__main__":
    sys.exit(main())
