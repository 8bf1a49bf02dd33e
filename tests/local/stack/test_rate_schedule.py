"""A rate schedule on the stack's clock: due once the clock passes the rate; missed runs are coalesced."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from local.engine import VirtualClock
from local.stack.triggers.schedule import RateSchedule
from tests.local.stack.fakes import RecordingFunction


def test_the_function_runs_when_the_clock_passes_each_period() -> None:
    # Given an hourly schedule on a virtual clock
    clock = VirtualClock(start=datetime(2026, 1, 1, tzinfo=UTC))
    function = RecordingFunction()
    schedule = RateSchedule(name="R", function=function, every=timedelta(hours=1), clock=clock)  # type: ignore[arg-type]

    # When the clock has not reached the hour, Then nothing runs
    clock.advance(59 * 60)
    schedule.poll()
    assert function.events == []

    # When it passes the hour, Then one scheduled event arrives
    clock.advance(2 * 60)
    schedule.poll()
    assert [event["detail-type"] for event in function.events] == ["Scheduled Event"]
    assert function.events[0]["time"] == "2026-01-01T01:01:00Z"

    # When the clock jumps three hours, Then the missed runs are one run
    clock.advance(3 * 3600)
    schedule.poll()
    schedule.poll()
    assert len(function.events) == 2
