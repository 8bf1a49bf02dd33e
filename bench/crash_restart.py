"""The crash test (tests/local/crash) at a larger size: kill -9 `python -m local up` during clock advances
(and while it starts), restart it on the same state directory, finish every workflow, and count what was
lost or done twice. The numbers are figures, not timings; the wall time and start-up times are reported
alongside.

python -m bench crash_restart
python -m bench crash_restart -- --schedules 500 --revocations 100 --restarts 20 --work-dir /tmp/crash
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from bench.measurement import Measurement, format_table, to_json
from tests.local.crash.figures import CrashFigures
from tests.local.crash.scenario import CrashScenario, run_crash_scenario

NAME = "crash_restart"


def measurements(figures: CrashFigures) -> list[Measurement]:
    """The figures as rows of the benchmark table."""
    startups = figures.startup_seconds or (0.0,)
    rows = [
        ("kill -9 during a clock advance, then restart", figures.restarts, "restarts"),
        ("kill -9 while starting", figures.startup_kills, "kills"),
        ("clock advances cut short by the kill", figures.advances_cut_by_kill, "advances"),
        ("virtual time asked by the interrupted advances", figures.advance_asked_hours, "h"),
        ("virtual time moved by the last restart", figures.clock_moved_hours, "h"),
        ("`up` start-up, median", statistics.median(startups), "s"),
        ("`up` start-up, longest", max(startups), "s"),
        ("schedules", figures.schedules, "schedules"),
        ("schedules SUCCEEDED", figures.schedules_succeeded, "schedules"),
        ("schedules lost (no execution)", len(figures.schedules_without_execution), "schedules"),
        ("schedules with several executions", len(figures.schedules_with_several_executions), "schedules"),
        ("schedules processed more than once", len(figures.schedules_processed_more_than_once), "schedules"),
        ("schedules rescheduled (succeeded at attempt > 1)", len(figures.schedules_rescheduled), "schedules"),
        (
            "schedules processed before their triggerAt",
            len(figures.schedules_processed_before_trigger_at),
            "schedules",
        ),
        ("revocations", figures.revocations, "revocations"),
        ("revocations lost (no execution)", len(figures.revocations_without_execution), "revocations"),
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
        ("deletions completed (ledger)", figures.deletions_completed, "deletions"),
        (
            "deletions for customers who kept consent",
            len(figures.executions_for_consenting_customers),
            "executions",
        ),
        ("executions still running at the end", figures.executions_still_running, "executions"),
        ("Customers items present", figures.customers_present, f"of {figures.customers}"),
        ("alerts published (AlertTechnicalContact succeeded)", figures.alerts_published, "alerts"),
        ("alerts e-mailed (SES outbox)", figures.alerts_emailed, "e-mails"),
        ("alerts published but never e-mailed", len(figures.alerts_published_not_emailed), "alerts"),
        (
            "false alerts published (deletion completed)",
            len(figures.alerts_published_for_completed_deletions),
            "alerts",
        ),
        (
            "false alerts e-mailed (deletion completed)",
            len(figures.alerts_emailed_for_completed_deletions),
            "e-mails",
        ),
        ("expectations of the crash test missed", len(figures.shortfalls()), "shortfalls"),
        ("wall time", figures.wall_seconds, "s"),
    ]
    return [Measurement(NAME, metric, float(value), unit) for metric, value, unit in rows]


def main(argv: Sequence[str] | None = None) -> int:
    """Command line of this benchmark."""
    parser = argparse.ArgumentParser(
        prog="python -m bench crash_restart",
        description=__doc__,
        formatter_class=argparse.RawTextHelpFormatter,
    )
    parser.add_argument("--schedules", type=int, default=200, help="schedules waiting over three days")
    parser.add_argument("--revocations", type=int, default=100, help="deletions pending at the vendor")
    parser.add_argument("--consenting", type=int, default=50, help="customers who keep their consent")
    parser.add_argument("--restarts", type=int, default=10, help="kill -9 during a clock advance, restart")
    parser.add_argument(
        "--startup-kills", type=int, default=2, help="restarts that are killed again while starting"
    )
    parser.add_argument("--seed", type=int, default=7, help="seed of kill moments, delays and triggerAt")
    parser.add_argument("--work-dir", type=Path, help="keep the state directory and up.log here")
    parser.add_argument("--json", action="store_true", help="print the measurements as one JSON line")
    args = parser.parse_args(argv)
    scenario = CrashScenario(
        schedules=args.schedules,
        revocations=args.revocations,
        consenting_customers=args.consenting,
        restarts=args.restarts,
        startup_kills=args.startup_kills,
        seed=args.seed,
    )
    with tempfile.TemporaryDirectory(prefix="crash-restart-") as scratch:
        work_dir = args.work_dir or Path(scratch)
        work_dir.mkdir(parents=True, exist_ok=True)
        figures = run_crash_scenario(
            scenario, work_dir, progress=lambda line: print(f"{NAME}: {line}", file=sys.stderr, flush=True)
        )
    # The ids behind each shortfall do not fit the table: they go to stderr, which `python -m bench` shows.
    print("\n".join(figures.report() + figures.shortfalls()), file=sys.stderr)
    print(to_json(measurements(figures)) if args.json else format_table(measurements(figures)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
