"""A Distributed Map over 10,000 items through boto3 and HTTP: its Map Run's pace, DescribeMapRun's latency
while it runs, and the server's peak memory.

python -m bench map_run [--items 10000] [--store sqlite|memory]

A `python -m local sfn` child (its store a SQLite file, or in memory) runs one execution of a Distributed Map
whose items come from the execution input, each item a Standard child execution of two Pass states, as many
at once as AWS allows (10,000). While the run goes on the client calls DescribeMapRun back to back and times
each call; it then polls DescribeExecution until the parent has ended.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from typing import Any

from bench.http_latency import boto3_client
from bench.local_processes import STEP_FUNCTIONS_API, local_sfn
from bench.machines import ROLE_ARN
from bench.measurement import Measurement, format_table, to_json

NAME = "map_run"
CHILD_STATES = 2  # state transitions of one child: Shape, then Done
DEADLINE_SECONDS = 1800
POLL_SECONDS = 0.05


def fanout_machine() -> str:
    """A Distributed Map over its input, each item a Standard child that shapes it and ends."""
    processor = {
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
        "StartAt": "Shape",
        "States": {
            "Shape": {"Type": "Pass", "Parameters": {"item.$": "$"}, "Next": "Done"},
            "Done": {"Type": "Pass", "End": True},
        },
    }
    fanout = {"Type": "Map", "ItemProcessor": processor, "Label": "Item", "End": True}
    return json.dumps({"StartAt": "Fanout", "States": {"Fanout": fanout}})


def run_map(client: Any, items: int) -> dict[str, Any]:
    """Start the fan-out, describe its Map Run while it runs, and wait for the parent's end."""
    machine = client.create_state_machine(name="Fanout", definition=fanout_machine(), roleArn=ROLE_ARN)
    started = time.perf_counter()
    arn = client.start_execution(
        stateMachineArn=machine["stateMachineArn"], input=json.dumps(list(range(items)))
    )["executionArn"]
    run_arn = _map_run_of(client, arn, started)
    latencies: list[float] = []
    status = "RUNNING"
    while status == "RUNNING" and time.perf_counter() - started < DEADLINE_SECONDS:
        before = time.perf_counter()
        status = client.describe_map_run(mapRunArn=run_arn)["status"]
        latencies.append(time.perf_counter() - before)
    execution = client.describe_execution(executionArn=arn)
    while execution["status"] == "RUNNING" and time.perf_counter() - started < DEADLINE_SECONDS:
        time.sleep(POLL_SECONDS)
        execution = client.describe_execution(executionArn=arn)
    seconds = time.perf_counter() - started
    described = client.describe_map_run(mapRunArn=run_arn)
    return {
        "seconds": seconds,
        "status": execution["status"],
        "succeeded": described["executionCounts"]["succeeded"],
        "latencies": latencies,
    }


def _map_run_of(client: Any, execution_arn: str, started: float) -> str:
    while time.perf_counter() - started < DEADLINE_SECONDS:
        runs = client.list_map_runs(executionArn=execution_arn)["mapRuns"]
        if runs:
            return str(runs[0]["mapRunArn"])
        time.sleep(POLL_SECONDS)
    raise TimeoutError(f"{execution_arn} started no Map Run")


def run(items: int, store: str) -> list[Measurement]:
    """One fan-out of `items` children against a fresh server."""
    with tempfile.TemporaryDirectory() as state_dir:
        options = ["--state-dir", state_dir] if store == "sqlite" else []
        with local_sfn(*options) as server:
            client = boto3_client("stepfunctions", server.addresses[STEP_FUNCTIONS_API])
            result = run_map(client, items)
            peak_rss = server.peak_rss_mb()
    seconds, latencies = result["seconds"], sorted(result["latencies"])
    prefix = f"{items} items ({store} store)"
    measurements = [
        Measurement(NAME, f"{prefix}: time to complete", seconds, "s"),
        Measurement(NAME, f"{prefix}: parent succeeded", float(result["status"] == "SUCCEEDED"), "bool"),
        Measurement(NAME, f"{prefix}: children succeeded", result["succeeded"], "executions"),
        Measurement(
            NAME,
            f"{prefix}: child state transitions per second",
            result["succeeded"] * CHILD_STATES / seconds,
            "transitions/s",
        ),
        Measurement(NAME, f"{prefix}: DescribeMapRun calls while running", len(latencies), "calls"),
        Measurement(NAME, f"{prefix}: server peak RSS", peak_rss, "MB"),
    ]
    if latencies:
        p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
        measurements += [
            Measurement(NAME, f"{prefix}: DescribeMapRun p50", statistics.median(latencies) * 1000, "ms"),
            Measurement(NAME, f"{prefix}: DescribeMapRun p99", p99 * 1000, "ms"),
        ]
    return measurements


def main(argv: Sequence[str] | None = None) -> int:
    """Command line of this benchmark."""
    parser = argparse.ArgumentParser(prog="python -m bench map_run", description=__doc__)
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--store", choices=("sqlite", "memory"), default="sqlite")
    parser.add_argument("--json", action="store_true", help="print the measurements as one JSON line")
    args = parser.parse_args(argv)
    measurements = run(args.items, args.store)
    print(to_json(measurements) if args.json else format_table(measurements))
    return 0


if __name__ == "__main__":
    sys.exit(main())
