"""ISO-8601 timestamps as Step Functions reads and writes them."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

# Step Functions accepts RFC 3339 "extended offset date-time" values only: a 'T' separator, seconds,
# an optional fraction of up to nine digits and a mandatory 'Z' or +hh:mm offset.
_TIMESTAMP = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|z|[+-]\d{2}:\d{2})$"
)


def parse_timestamp(text: str) -> datetime | None:
    """Parse an ISO-8601 extended offset date-time; None when `text` is not one."""
    match = _TIMESTAMP.match(text)
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    micros = int((fraction or "0").ljust(9, "0")[:6])
    try:
        zone = UTC if offset in ("Z", "z") else _offset(offset)
        return datetime(int(year), int(month), int(day), int(hour), int(minute), int(second), micros, zone)
    except ValueError:
        return None


def _offset(text: str) -> timezone:
    sign = -1 if text.startswith("-") else 1
    hours, minutes = int(text[1:3]), int(text[4:6])
    if hours > 23 or minutes > 59:
        raise ValueError(text)
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def iso_millis(moment: datetime) -> str:
    """`2024-01-01T00:00:00.000Z` (UTC, milliseconds): how Step Functions renders times in data."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def to_epoch(moment: datetime) -> float:
    """Seconds since the epoch."""
    return moment.timestamp()


def from_epoch(seconds: float) -> datetime:
    """Timezone-aware UTC datetime from seconds since the epoch."""
    return datetime.fromtimestamp(seconds, UTC)


def at_or_after(seconds: float) -> datetime:
    """The first representable moment not earlier than `seconds` since the epoch (clock jumps use it so
    that a timer is due once the clock has jumped to it, despite microsecond rounding)."""
    moment = from_epoch(seconds)
    while to_epoch(moment) < seconds:
        moment += timedelta(microseconds=1)
    return moment
