"""The fault-injection soak of issue 10 at full size: revocations against a vendor injecting 20 % 5xx,
10 % 429 with Retry-After, 5 % answers after the client's read timeout and schema drift, completions spread
over four virtual days, each stream record delivered one to three times; then executions, terminal ledger
records, alerts and vendor operations per revocation, and the largest history. The numbers are figures,
not timings; the wall time is reported alongside.

python -m bench soak
python -m bench soak -- --revocations 100 --seed 3
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Sequence

from bench.measurement import Measurement, format_table, to_json
from local.stack.sandbox import use_fake_aws_credentials
from tests.local.soak.faults import FaultKind
from tests.local.soak.figures import SoakFigures
from tests.local.soak.scenario import SoakScenario, run_soak

NAME = "soak"


def measurements(figures: SoakFigures) -> list[Measurement]:
    """The figures as rows of the benchmark table."""
    requests = figures.vendor_requests

    def met(kind: FaultKind) -> int:
        return sum(count for name, count in requests.items() if name.endswith(f"/{kind}"))

    rows = [
        ("revocations", figures.revocations, "revocations"),
        ("stream deliveries of their records", figures.stream_deliveries, "deliveries"),
        ("vendor requests", sum(requests.values()), "requests"),
        ("vendor requests answered 5xx", met(FaultKind.SERVER_ERROR), "requests"),
        ("vendor requests answered 429 with Retry-After", met(FaultKind.THROTTLED), "requests"),
        ("vendor requests answered after the read timeout", met(FaultKind.TIMEOUT), "requests"),
        ("of which deletion requests", figures.deletion_requests_timed_out, "requests"),
        ("vendor requests answered in a drifted schema", met(FaultKind.SCHEMA_DRIFT), "requests"),
        ("deletions completed (ledger)", figures.deletions_completed, "deletions"),
        ("deletions failed (ledger)", sum(figures.deletion_failures.values()), "deletions"),
        ("revocations without an execution", len(figures.revocations_without_execution), "revocations"),
        (
            "revocations with several executions",
            len(figures.revocations_with_several_executions),
            "revocations",
        ),
        (
            "revocations without a terminal ledger record",
            len(figures.revocations_without_terminal_record),
            "revocations",
        ),
        (
            "revocations with several terminal ledger records",
            len(figures.revocations_with_several_terminal_records),
            "revocations",
        ),
        ("executions still running at the end", len(figures.executions_still_running), "executions"),
        ("alerts e-mailed", figures.alerts_emailed, "e-mails"),
        ("deletions not completed without an alert", len(figures.not_completed_without_alert), "deletions"),
        (
            "deletions not completed with several alerts",
            len(figures.not_completed_with_several_alerts),
            "deletions",
        ),
        ("completed deletions with an alert", len(figures.completed_with_alert), "deletions"),
        ("vendor operations", figures.vendor_operations, "operations"),
        (
            "customers with several vendor operations",
            len(figures.customers_with_several_operations),
            "customers",
        ),
        ("vendor operations not named by the ledger", len(figures.operations_not_in_ledger), "operations"),
        ("of which answered in a drifted schema", len(figures.operations_unreadable_in_ledger), "operations"),
        ("largest execution history", figures.largest_history_events, "events"),
        ("median execution history", figures.median_history_events, "events"),
        ("expectations of the soak missed", len(figures.shortfalls()), "shortfalls"),
        ("wall time", figures.wall_seconds, "s"),
    ]
    return [Measurement(NAME, metric, float(value), unit) for metric, value, unit in rows]


def main(argv: Sequence[str] | None = None) -> int:
    """Command line of this benchmark."""
    parser = argparse.ArgumentParser(
        prog="python -m bench soak", description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--revocations", type=int, default=500, help="customers who revoke consent")
    parser.add_argument(
        "--seed", type=int, default=10, help="seed of faults, completion times and redeliveries"
    )
    parser.add_argument("--json", action="store_true", help="print the measurements as one JSON line")
    args = parser.parse_args(argv)
    use_fake_aws_credentials()
    # With metrics off, Powertools still prints a metric once it holds 100 values: stdout is for the table.
    with contextlib.redirect_stdout(sys.stderr):
        figures = run_soak(
            SoakScenario(revocations=args.revocations, seed=args.seed),
            progress=lambda line: print(f"{NAME}: {line}", file=sys.stderr, flush=True),
        )
    # The ids behind each shortfall do not fit the table: they go to stderr, which `python -m bench` shows.
    print("\n".join(figures.report() + figures.shortfalls()), file=sys.stderr)
    print(to_json(measurements(figures)) if args.json else format_table(measurements(figures)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
