"""The API fuzz test (tests/local/fuzz) at size: schemathesis sends cases derived from docs/openapi.json,
positive and negative, to the Schedule API of an in-process local stack on a virtual clock, and counts
server errors, answers the document does not describe, and executions started by refused requests.

python -m bench api_fuzz
python -m bench api_fuzz -- --examples 1000     # per operation and generation mode (3 x 2 x 1000 requests)
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from collections.abc import Sequence

from bench.measurement import Measurement, format_table, to_json
from local.stack import LocalStack
from local.stack.sandbox import use_fake_aws_credentials
from tests.local.fuzz.campaign import FuzzFigures, FuzzTarget, run_campaign
from tests.local.stack.conftest import quiet_config

NAME = "api_fuzz"


def measurements(figures: FuzzFigures, seconds: float) -> list[Measurement]:
    """The figures as rows of the benchmark table."""
    statuses = figures.by_status
    rows = [
        ("requests sent", figures.requests_sent, "requests"),
        ("answered 2xx", sum(n for status, n in statuses.items() if 200 <= status < 300), "requests"),
        ("answered 4xx", sum(n for status, n in statuses.items() if 400 <= status < 500), "requests"),
        ("answered 5xx", len(figures.server_errors), "requests"),
        ("answers not as the document says", len(figures.nonconforming), "requests"),
        ("schedules created (202, not a replay)", len(figures.schedules_created), "schedules"),
        ("executions started", figures.executions_started, "executions"),
        ("executions started by refused requests", figures.executions_by_rejected_requests, "executions"),
        ("wall time", seconds, "s"),
    ]
    return [Measurement(NAME, metric, float(value), unit) for metric, value, unit in rows]


def run(examples: int) -> tuple[FuzzFigures, float]:
    """One campaign against a fresh stack: its figures and its wall time."""
    use_fake_aws_credentials()
    # With metrics off (quiet_config), Powertools warns on every request that it has nothing to publish.
    warnings.filterwarnings("ignore", message="No application metrics to publish")
    with LocalStack(quiet_config()) as stack:
        started = time.perf_counter()
        figures = run_campaign(FuzzTarget.of(stack), examples)
        return figures, time.perf_counter() - started


def main(argv: Sequence[str] | None = None) -> int:
    """Command line of this benchmark."""
    parser = argparse.ArgumentParser(prog="python -m bench api_fuzz", description=__doc__)
    parser.add_argument("--json", action="store_true", help="print the measurements as one JSON line")
    parser.add_argument(
        "--examples", type=int, default=200, help="cases per operation and generation mode (default: 200)"
    )
    args = parser.parse_args(argv)
    figures, seconds = run(args.examples)
    for problem in (figures.server_errors + figures.nonconforming)[:10]:
        print(problem, file=sys.stderr)
    result = measurements(figures, seconds)
    print(to_json(result) if args.json else format_table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
