"""The clock seam: deployed code reads the wall clock; a host that installs a clock moves every reader."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from functions.common.clock import use_clock, utc_now
from functions.scheduled_requests.processor.logic import process_request
from functions.scheduled_requests.workflow_contract import ProcessorEvent

INSTALLED = datetime(2031, 2, 3, 4, 5, 6, tzinfo=UTC)


def test_by_default_the_seam_is_the_wall_clock() -> None:
    # Given no installed clock, When the time is read, Then it is the wall clock's, aware and in UTC
    before = datetime.now(UTC)
    read = utc_now()
    assert before <= read <= datetime.now(UTC)
    assert read.tzinfo is UTC


def test_an_installed_clock_is_what_logic_reads_until_it_is_restored() -> None:
    # Given a clock installed by a host
    restore = use_clock(lambda: INSTALLED)
    try:
        # When logic that defaults to the seam runs, Then it reads the installed clock
        assert utc_now() == INSTALLED
        request = ProcessorEvent.model_validate(
            {"scheduleId": "s-1", "triggerAt": "2031-02-03T04:05:06Z", "payload": {}, "attempt": 1}
        )
        assert process_request(request).processed_at == INSTALLED
    finally:
        restore()

    # And once restored, the wall clock is back
    assert abs(utc_now() - datetime.now(UTC)) < timedelta(seconds=5)
