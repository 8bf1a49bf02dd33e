"""The crash test: kill -9 `python -m local up` during clock advances, restart it on the same state
directory, and check that nothing a client was answered for is lost or done twice.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.local.crash.scenario import CrashScenario, run_crash_scenario

# Each crash test starts `up` six or more times, each start with its own moto, engine and function workers:
# one group, so that `--dist loadgroup` runs crash tests one after another on one worker, never side by side.
pytestmark = pytest.mark.xdist_group("crash-restart")

ISSUE_SIZE = CrashScenario(
    schedules=50,
    revocations=20,
    consenting_customers=10,
    restarts=5,
    # One of the five restarts is killed once more while it starts, when it may be completing the
    # clock move its crash cut short.
    startup_kills=1,
)


def test_nothing_is_lost_or_done_twice_across_kill_9_restarts(tmp_path: Path) -> None:
    # Given 50 schedules waiting over the next three virtual days, 20 revocations whose deletions are pending
    # at a vendor that completes each within two days, and 30 customers in the Customers table
    # When the stack is killed with SIGKILL at a random moment of a clock advance and restarted with the
    # same arguments, five times, and then the clock is advanced four days
    figures = run_crash_scenario(ISSUE_SIZE, tmp_path)
    report = "\n".join(["", *figures.report(), f"state directory and up.log: {tmp_path}"])

    # Then the scenario did what it says (so that an empty list of shortfalls means something)
    assert (figures.restarts, figures.schedules, figures.revocations) == (5, 50, 20), report
    assert figures.customers == 30, report

    # And every schedule SUCCEEDED exactly once (one execution, one processing, not before its triggerAt),
    # every revocation has exactly one execution and one terminal ledger record, the Customers items are
    # all there, and no alert was published or e-mailed for a deletion the vendor completed
    shortfalls = figures.shortfalls()
    assert not shortfalls, "\n".join(shortfalls) + "\n" + report
