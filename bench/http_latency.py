"""Per-request latency over kept-alive HTTP connections, and what 20 concurrent clients get.

python -m bench http_latency [--repeats 300] [--clients 20] [--requests-per-client 100]
                             [--schedules-per-client 25]

Against a `python -m local sfn` child: DescribeExecution, ListStateMachines and StartExecution through
boto3, one call at a time, then `--clients` threads (each with its own boto3 client, so its own
connection) doing DescribeExecution. Against a `python -m local up --clock virtual` child: `GET
/_local/clock` on the Schedule API port, ListTables on the AWS services port (moto), `GET
/_control/behaviour` on the fake vendor, then `--clients` threads POSTing /schedules.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import statistics
import sys
import threading
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import Any
from urllib.parse import urlsplit

import boto3
from botocore.config import Config

from bench.local_processes import STEP_FUNCTIONS_API, local_sfn, local_up
from bench.machines import ROLE_ARN
from bench.measurement import Measurement, format_table, to_json

NAME = "http_latency"
WARM_UP_CALLS = 20
# No retries: an error the server causes must show as an error, not as a slow success.
_CLIENT_CONFIG = Config(retries={"mode": "standard", "total_max_attempts": 1}, read_timeout=30)
_PASS_MACHINE = json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}})

# One call; true when the server answered it as it should.
Call = Callable[[], bool]


def boto3_client(service: str, endpoint_url: str | None) -> Any:
    """A boto3 client for `service` at `endpoint_url` (None: AWS, or moto in-process) with fake credentials
    and no retries."""
    return boto3.session.Session().client(
        service,
        endpoint_url=endpoint_url,
        region_name="us-east-1",
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
        config=_CLIENT_CONFIG,
    )


class JsonConnection:
    """One kept-alive HTTP connection to a local server, for JSON requests."""

    def __init__(self, base_url: str) -> None:
        address = urlsplit(base_url)
        self._connection = http.client.HTTPConnection(
            address.hostname or "127.0.0.1", address.port, timeout=30
        )

    def request(self, method: str, path: str, body: object | None = None) -> tuple[int, Any]:
        """Send one request and read the whole answer; returns (status, decoded JSON body)."""
        payload = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json"} if payload is not None else {}
        try:
            self._connection.request(method, path, body=payload, headers=headers)
            response = self._connection.getresponse()
            return response.status, json.loads(response.read() or b"null")
        except (OSError, http.client.HTTPException):
            self._connection.close()  # the next request opens a new connection
            raise


def percentile_ms(seconds: Sequence[float], percentile: int) -> float:
    """The `percentile`th percentile of `seconds`, in milliseconds."""
    if len(seconds) < 2:
        return seconds[0] * 1000 if seconds else 0.0
    return statistics.quantiles(seconds, n=100, method="inclusive")[percentile - 1] * 1000


def sequential(call: Call, repeats: int) -> list[float]:
    """Seconds each of `repeats` calls took, one after another, after a warm-up."""
    for _ in range(WARM_UP_CALLS):
        call()
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        timings.append(time.perf_counter() - started)
    return timings


def latency_rows(label: str, call: Call, repeats: int) -> list[Measurement]:
    """p50 and p99 of `call`, kept-alive, one at a time."""
    timings = sequential(call, repeats)
    return [
        Measurement(NAME, f"{label}: p50", percentile_ms(timings, 50), "ms"),
        Measurement(NAME, f"{label}: p99", percentile_ms(timings, 99), "ms"),
    ]


def concurrent_rows(
    label: str, calls: Sequence[Call], per_client: int, *, failures: str
) -> list[Measurement]:
    """Each of `calls` runs `per_client` times in its own thread, all starting together."""
    timings: list[float] = []
    failed = [0]
    lock = threading.Lock()
    start_together = threading.Barrier(len(calls) + 1)

    def client(call: Call) -> None:
        with contextlib.suppress(Exception):
            call()  # opens the connection; a failure here shows again in the measured calls
        start_together.wait()
        mine, bad = [], 0
        for _ in range(per_client):
            started = time.perf_counter()
            try:
                ok = call()
            except Exception:  # a reset or a timeout is a failure to count, not a reason to stop
                ok = False
            mine.append(time.perf_counter() - started)
            bad += not ok
        with lock:
            timings.extend(mine)
            failed[0] += bad

    threads = [threading.Thread(target=client, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    start_together.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return [
        Measurement(NAME, f"{label}: requests per second", len(timings) / elapsed, "requests/s"),
        Measurement(NAME, f"{label}: p50", percentile_ms(timings, 50), "ms"),
        Measurement(NAME, f"{label}: p99", percentile_ms(timings, 99), "ms"),
        Measurement(NAME, f"{label}: {failures}", failed[0], "requests"),
    ]


def measure_step_functions(repeats: int, clients: int, per_client: int) -> list[Measurement]:
    """Step Functions API calls through boto3 against a `python -m local sfn` child."""
    with local_sfn() as server:
        endpoint = server.addresses[STEP_FUNCTIONS_API]
        sfn = boto3_client("stepfunctions", endpoint)
        machine_arn = sfn.create_state_machine(name="Latency", definition=_PASS_MACHINE, roleArn=ROLE_ARN)[
            "stateMachineArn"
        ]
        execution_arn = sfn.start_execution(stateMachineArn=machine_arn)["executionArn"]

        def describe(client: Any) -> bool:
            return bool(client.describe_execution(executionArn=execution_arn)["status"])

        rows = latency_rows("sfn DescribeExecution", partial(describe, sfn), repeats)
        rows += latency_rows("sfn ListStateMachines", lambda: bool(sfn.list_state_machines()), repeats)
        rows += latency_rows(
            "sfn StartExecution", lambda: bool(sfn.start_execution(stateMachineArn=machine_arn)), repeats
        )
        own_clients = [boto3_client("stepfunctions", endpoint) for _ in range(clients)]
        rows += concurrent_rows(
            f"sfn DescribeExecution, {clients} clients",
            [partial(describe, client) for client in own_clients],
            per_client,
            failures="errors",
        )
    return rows


def measure_stack(repeats: int, clients: int, per_client: int) -> list[Measurement]:
    """The Schedule API, the clock endpoint, moto and the fake vendor of a `python -m local up` child."""
    with local_up("--clock", "virtual") as stack:
        api = stack.addresses["Schedule API"]
        clock = JsonConnection(api)
        rows = latency_rows(
            "stack GET /_local/clock", lambda: clock.request("GET", "/_local/clock")[0] == 200, repeats
        )
        dynamodb = boto3_client("dynamodb", stack.addresses["AWS services (moto)"])
        rows += latency_rows("stack moto DynamoDB ListTables", lambda: bool(dynamodb.list_tables()), repeats)
        vendor = JsonConnection(stack.addresses["Third-party API"])
        rows += latency_rows(
            "stack fake vendor GET /_control/behaviour",
            lambda: vendor.request("GET", "/_control/behaviour")[0] == 200,
            repeats,
        )
        now = datetime.fromisoformat(clock.request("GET", "/_local/clock")[1]["now"])
        body = {"triggerAt": (now + timedelta(days=1)).isoformat(), "payload": {"bench": True}}

        def schedule(connection: JsonConnection) -> bool:
            return connection.request("POST", "/schedules", body)[0] == 202

        rows += concurrent_rows(
            f"stack POST /schedules, {clients} clients",
            [partial(schedule, JsonConnection(api)) for _ in range(clients)],
            per_client,
            failures="answers other than 202",
        )
    return rows


def run(repeats: int, clients: int, per_client: int, schedules_per_client: int) -> list[Measurement]:
    """Both children, one after the other."""
    return measure_step_functions(repeats, clients, per_client) + measure_stack(
        repeats, clients, schedules_per_client
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Command line of this benchmark."""
    parser = argparse.ArgumentParser(prog="python -m bench http_latency", description=__doc__)
    parser.add_argument("--repeats", type=int, default=300, help="calls per sequential measurement")
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients")
    parser.add_argument("--requests-per-client", type=int, default=100, help="DescribeExecution calls each")
    parser.add_argument("--schedules-per-client", type=int, default=25, help="POST /schedules calls each")
    parser.add_argument("--json", action="store_true", help="print the measurements as one JSON line")
    args = parser.parse_args(argv)
    measurements = run(args.repeats, args.clients, args.requests_per_client, args.schedules_per_client)
    print(to_json(measurements) if args.json else format_table(measurements))
    return 0


if __name__ == "__main__":
    sys.exit(main())
