"""Strict RFC 3339 timestamps: parsing with an explicit offset, normalising to UTC, formatting.

Accepted: `date-time` from RFC 3339 section 5.6, i.e. `YYYY-MM-DDTHH:MM:SS[.fraction](Z|+hh:mm|-hh:mm)`;
`t` and `z` may be lower case, as the RFC allows. Rejected: naive timestamps (no offset), a date alone,
offsets without the colon (`+0100`, which is ISO 8601 but not RFC 3339), a space instead of `T` (the RFC
only mentions it as an option for applications; we do not take it), and the leap second `:60`, which
Python's datetime cannot represent. `-00:00` ("offset unknown") denotes the same instant as `Z`.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

_DATE_TIME = re.compile(
    r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})[Tt]"
    r"(?P<hour>\d{2}):(?P<minute>\d{2}):(?P<second>\d{2})(?:\.(?P<fraction>\d+))?"
    r"(?P<offset>[Zz]|(?P<sign>[+-])(?P<offset_hour>\d{2}):(?P<offset_minute>\d{2}))",
    re.ASCII,
)
_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_WITHOUT_OFFSET = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?", re.ASCII)
_COLONLESS_OFFSET = re.compile(r".*[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?[+-]\d{4}", re.ASCII)
_LEAP_SECOND = 60
_MICROSECOND_DIGITS = 6
EXAMPLE = "2030-01-01T09:00:00Z"


class InvalidTimestamp(ValueError):
    """The text is not an RFC 3339 timestamp with an explicit offset; the message says why."""


def parse_rfc3339(text: str) -> datetime:
    """Parse an RFC 3339 timestamp with an explicit offset into an aware UTC datetime.

    Fractions finer than a microsecond are rounded up, never down, so the result is never
    earlier than the instant the text denotes.

    Example:
        >>> parse_rfc3339("2030-01-01T10:00:00+01:00").isoformat()
        '2030-01-01T09:00:00+00:00'
    """
    match = _DATE_TIME.fullmatch(text)
    if match is None:
        raise InvalidTimestamp(_why_not_rfc3339(text))
    fields = match.groupdict()
    if int(fields["second"]) == _LEAP_SECOND:
        raise InvalidTimestamp("leap seconds (:60) are not supported")
    offset = _offset(fields)
    try:
        local = datetime(
            int(fields["year"]),
            int(fields["month"]),
            int(fields["day"]),
            int(fields["hour"]),
            int(fields["minute"]),
            int(fields["second"]),
            tzinfo=offset,
        )
        return local.astimezone(UTC) + timedelta(microseconds=_microseconds_rounded_up(fields["fraction"]))
    except (ValueError, OverflowError) as error:
        raise InvalidTimestamp(f"{text!r} is not a valid date and time: {error}") from error


def ceil_to_second(instant: datetime) -> datetime:
    """`instant` rounded up to the next whole second (unchanged when already whole)."""
    whole = instant.replace(microsecond=0)
    return whole if whole == instant else whole + timedelta(seconds=1)


def format_utc_seconds(instant: datetime) -> str:
    """`YYYY-MM-DDTHH:MM:SSZ` for an aware datetime with no fraction of a second."""
    if instant.tzinfo is None or instant.microsecond:
        raise ValueError("expected an aware datetime on a whole second")
    # isoformat, not strftime: strftime does not zero-pad years before 1000 on every platform.
    return instant.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def _offset(fields: dict[str, str | None]) -> timezone:
    if fields["sign"] is None:
        return UTC
    hours, minutes = int(fields["offset_hour"] or 0), int(fields["offset_minute"] or 0)
    if hours > 23 or minutes > 59:
        raise InvalidTimestamp("the offset must be between -23:59 and +23:59")
    sign = -1 if fields["sign"] == "-" else 1
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _microseconds_rounded_up(fraction: str | None) -> int:
    if not fraction:
        return 0
    microseconds = int(fraction[:_MICROSECOND_DIGITS].ljust(_MICROSECOND_DIGITS, "0"))
    finer_digits = fraction[_MICROSECOND_DIGITS:]
    return microseconds + 1 if finer_digits.strip("0") else microseconds


def _why_not_rfc3339(text: str) -> str:
    if _DATE_ONLY.fullmatch(text):
        return f"a date alone is not a timestamp; use RFC 3339 date-time such as {EXAMPLE}"
    if _WITHOUT_OFFSET.fullmatch(text):
        return f"the timestamp has no offset; add 'Z' or ±hh:mm, e.g. {EXAMPLE}"
    if _COLONLESS_OFFSET.fullmatch(text):
        return "the offset must be written ±hh:mm (RFC 3339), not ±hhmm"
    return f"must be an RFC 3339 timestamp with an explicit offset, e.g. {EXAMPLE}"
