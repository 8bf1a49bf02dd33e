"""State transitions per second through the Step Functions API, driven by boto3, next to moto's executor.

python -m bench http_throughput [--executions 100] [--moto-executions 100]

The same boto3 code drives both: create a machine of 150 Pass states (each with `Parameters` and
`ResultPath`), a Choice and a Succeed; start the executions through StartExecution; poll
DescribeExecution until none is running. Ours is a `python -m local sfn` child over HTTP; moto's
executor runs in this process (`mock_aws` with `execute_state_machine`), with no HTTP at all.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from typing import Any

from moto import mock_aws

from bench.http_latency import boto3_client
from bench.local_processes import STEP_FUNCTIONS_API, local_sfn
from bench.machines import PASS_CHAIN_INPUT, PASS_CHAIN_STATES_VISITED, ROLE_ARN, pass_chain_machine
from bench.measurement import Measurement, format_table, to_json

NAME = "http_throughput"
# Coarse enough that polling does not take the CPU (or, for moto, the GIL) from the executions it waits for.
POLL_SECONDS = 0.05
DEADLINE_SECONDS = 600


def run_executions(client: Any, executions: int) -> tuple[float, int]:
    """Create the machine, start `executions` runs and poll them to their end through `client`.

    Returns the seconds from the first StartExecution until none is running, and how many succeeded.
    """
    machine_arn = client.create_state_machine(
        name="PassChain", definition=pass_chain_machine(), roleArn=ROLE_ARN
    )["stateMachineArn"]
    started = time.perf_counter()
    arns = [  # moto needs explicit names: without one every execution is called "None"
        client.start_execution(stateMachineArn=machine_arn, name=f"run-{i}", input=PASS_CHAIN_INPUT)[
            "executionArn"
        ]
        for i in range(executions)
    ]
    statuses = dict.fromkeys(arns, "RUNNING")
    while "RUNNING" in statuses.values() and time.perf_counter() - started < DEADLINE_SECONDS:
        time.sleep(POLL_SECONDS)
        for arn, status in statuses.items():
            if status == "RUNNING":
                statuses[arn] = client.describe_execution(executionArn=arn)["status"]
    return time.perf_counter() - started, sum(status == "SUCCEEDED" for status in statuses.values())


def run_local(executions: int) -> list[Measurement]:
    """Through boto3 and HTTP against a `python -m local sfn` child; the child's CPU time is its own."""
    with local_sfn() as server:
        client = boto3_client("stepfunctions", server.addresses[STEP_FUNCTIONS_API])
        cpu_before = server.cpu_seconds()
        seconds, succeeded = run_executions(client, executions)
        server_cpu = server.cpu_seconds() - cpu_before
    transitions = succeeded * PASS_CHAIN_STATES_VISITED
    return [
        Measurement(NAME, f"local sfn over HTTP: {executions} executions", seconds, "s"),
        Measurement(NAME, "local sfn over HTTP: executions succeeded", succeeded, "executions"),
        Measurement(NAME, "local sfn over HTTP: server CPU time", server_cpu, "s"),
        Measurement(
            NAME, "local sfn over HTTP: state transitions per second", transitions / seconds, "transitions/s"
        ),
    ]


def run_moto(executions: int) -> list[Measurement]:
    """moto's executor (its threads run in this process) on the same machine, through boto3 in-process."""
    for variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        os.environ.setdefault(variable, "testing")
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        seconds, succeeded = run_executions(boto3_client("stepfunctions", None), executions)
    transitions = succeeded * PASS_CHAIN_STATES_VISITED
    return [
        Measurement(NAME, f"moto executor: {executions} executions", seconds, "s"),
        Measurement(NAME, "moto executor: executions succeeded", succeeded, "executions"),
        Measurement(
            NAME, "moto executor: state transitions per second", transitions / seconds, "transitions/s"
        ),
    ]


def run(executions: int, moto_executions: int) -> list[Measurement]:
    """Ours over HTTP, then moto, and the ratio of their rates."""
    results = run_local(executions)
    if moto_executions > 0:
        results += run_moto(moto_executions)
        ours, moto = results[3].value, results[-1].value
        results.append(
            Measurement(NAME, "local sfn over HTTP / moto executor", ours / moto if moto else 0.0, "x")
        )
    return results


def main(argv: Sequence[str] | None = None) -> int:
    """Command line of this benchmark."""
    parser = argparse.ArgumentParser(prog="python -m bench http_throughput", description=__doc__)
    parser.add_argument("--executions", type=int, default=100)
    parser.add_argument("--moto-executions", type=int, default=100, help="0 skips the moto comparison")
    parser.add_argument("--json", action="store_true", help="print the measurements as one JSON line")
    args = parser.parse_args(argv)
    measurements = run(args.executions, args.moto_executions)
    print(to_json(measurements) if args.json else format_table(measurements))
    return 0


if __name__ == "__main__":
    sys.exit(main())
