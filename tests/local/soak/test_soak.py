"""The fault-injection soak at a reduced size: every revocation ends once, in the ledger and, when it did not
complete, in exactly one alert, whatever the vendor and the stream do; `python -m bench soak` runs 500.
"""

from __future__ import annotations

import pytest

from tests.local.soak.faults import FaultKind
from tests.local.soak.scenario import SoakScenario, run_soak

# One in-process stack, four virtual days, thousands of vendor requests: never side by side with another soak.
pytestmark = pytest.mark.xdist_group("soak")

REDUCED_SIZE = SoakScenario(revocations=40)


def test_every_revocation_ends_once_with_one_ledger_record_and_an_alert_when_it_did_not_complete() -> None:
    # Given 40 revocations, a vendor that answers 20 % of requests with a 5xx, 10 % with a 429 and a
    # Retry-After, 5 % after the client's read timeout (having done the work), and drifts to a renamed schema
    # for one customer; deletions that complete up to four days after they are asked for; each stream
    # record delivered one to three times
    # When the clock moves four and a half virtual days
    figures = run_soak(REDUCED_SIZE)
    report = "\n".join(["", *figures.report()])

    # Then the soak did what it says (so that an empty list of shortfalls means something)
    requests = figures.vendor_requests
    for kind in (FaultKind.SERVER_ERROR, FaultKind.THROTTLED, FaultKind.TIMEOUT, FaultKind.SCHEMA_DRIFT):
        assert any(name.endswith(f"/{kind}") for name in requests), f"no {kind} injected" + report
    assert figures.deletion_requests_timed_out >= 1, report
    assert figures.stream_deliveries > figures.revocations, report
    assert 0 < figures.deletions_completed < figures.revocations, report

    # And each revocation has one execution and one terminal ledger record, each one that did not complete
    # sent exactly one alert and each completed one none, every vendor operation is the one the ledger holds
    # for its execution, and no history comes near 2,000 events
    shortfalls = figures.shortfalls()
    assert not shortfalls, "\n".join(shortfalls) + "\n" + report
