"""`python -m bench [NAME ...]`: run benchmarks, each in its own process, and print one table.

python -m bench                 # every benchmark
python -m bench throughput      # one
python -m bench --list
python -m bench timers -- --waiting 10000     # options after -- go to the benchmark
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Sequence

from bench.measurement import Measurement, format_table, from_json

BENCHMARKS = {
    "throughput": "22-state Pass/Choice machine x 1,000 executions on SqliteStore, and moto for comparison",
    "timers": "100,000 executions on timers: RSS; real-clock lateness; restart-and-resume and drain",
    "time_skip": "three-day Wait loop polling every 5 minutes on a SkipClock",
    "http_latency": "kept-alive p50/p99 of boto3 calls and the clock endpoint; 20 concurrent clients",
    "http_throughput": "152-state machine x 100 executions through boto3 and HTTP, and moto for comparison",
    "crash_restart": "kill -9 `local up` during clock advances x 10: schedules and deletions lost or doubled",
    "aws_state": "cost of keeping the embedded AWS services' state: PutItem/SendMessage with and without",
    "import_time": "cold import time of each Lambda handler module (python -X importtime)",
    "soak": "500 revocations x vendor 5xx/429/timeouts/drift x 4 virtual days: executions, ledger, alerts",
    "api_fuzz": "schemathesis x 1,200 requests from docs/openapi.json: 5xx, answers off the document",
    "map_run": "Distributed Map of 10,000 children over HTTP: time, rate, DescribeMapRun p50/p99, RSS",
    "cost_model": "state transitions and list-price USD per schedule and per deletion, from the real ASL",
}

OWN_FLAGS = ("--list", "-h", "--help")


def run_benchmark(name: str, options: Sequence[str]) -> list[Measurement]:
    """Run one benchmark in a fresh interpreter (so memory numbers are its own) and read its numbers."""
    completed = subprocess.run(
        [sys.executable, "-m", f"bench.{name}", "--json", *options],
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        print(f"{name}: exited with {completed.returncode}", file=sys.stderr)
        return []
    return from_json(completed.stdout.strip().splitlines()[-1])


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line, run the chosen benchmarks and print their table."""
    names_part, options = _split_benchmark_options(list(sys.argv[1:] if argv is None else argv))
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "names", nargs="*", metavar="NAME", help=f"any of {', '.join(BENCHMARKS)} (default: all)"
    )
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    args = parser.parse_args(names_part)
    unknown = [name for name in args.names if name not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s) {unknown}; choose from {list(BENCHMARKS)}")
    if args.list:
        for name, summary in BENCHMARKS.items():
            print(f"{name:12s} {summary}")
        return 0
    measurements: list[Measurement] = []
    for name in args.names or list(BENCHMARKS):
        print(f"running {name} ...", file=sys.stderr, flush=True)
        measurements += run_benchmark(name, options)
    print(format_table(measurements))
    return 0


def _split_benchmark_options(argv: list[str]) -> tuple[list[str], list[str]]:
    """Names and our own flags come first; everything from the first other option on is the benchmark's."""
    for index, item in enumerate(argv):
        if item == "--":
            return argv[:index], argv[index + 1 :]
        if item.startswith("-") and item not in OWN_FLAGS:
            return argv[:index], argv[index:]
    return argv, []


if __name__ == "__main__":
    sys.exit(main())
