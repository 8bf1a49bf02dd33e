"""How the inspector writes durations, times since start and moments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from local.inspector.formatting import format_duration, format_elapsed, format_moment


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0s"),
        (0.547, "0.547s"),
        (12, "12s"),
        (60, "1m 00s"),
        (3 * 3600 + 62, "3h 01m 02s"),
        (3 * 86400 + 3600, "3d 01h 00m 00s"),
        (None, "-"),
    ],
)
def test_durations_read_at_a_glance(seconds: float | None, text: str) -> None:
    # Given / When / Then
    assert format_duration(seconds) == text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "00:00:00.000"), (600.25, "00:10:00.250"), (3 * 86400 + 3600, "3d 01:00:00.000")],
)
def test_time_since_start_is_a_clock_with_days_in_front(seconds: float, text: str) -> None:
    # Given / When / Then
    assert format_elapsed(seconds) == text


def test_moments_are_written_in_utc() -> None:
    # Given a moment in another offset
    moment = datetime(2026, 1, 1, 12, 0, 5, 250_000, tzinfo=timezone(timedelta(hours=2)))
    # When / Then
    assert format_moment(moment) == "2026-01-01 10:00:05Z"
    assert format_moment(moment, milliseconds=True) == "2026-01-01 10:00:05.250Z"
    assert format_moment(moment.astimezone(UTC)) == "2026-01-01 10:00:05Z"
    assert format_moment(None) == "-"
