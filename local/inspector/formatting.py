"""How the inspector writes times (moments in UTC, durations, time since an execution started), state
machine names and error causes."""

from __future__ import annotations

import json
from datetime import UTC, datetime

_SECONDS_PER_UNIT = (("d", 86_400), ("h", 3_600), ("m", 60))
CAUSE_SHOWN_CHARACTERS = 160


def format_moment(moment: datetime | None, *, milliseconds: bool = False) -> str:
    """`2026-12-06 10:00:19Z` (or `...19.547Z`), in UTC; `-` for no moment."""
    if moment is None:
        return "-"
    utc = moment.astimezone(UTC)
    if milliseconds:
        return utc.strftime("%Y-%m-%d %H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"
    return utc.strftime("%Y-%m-%d %H:%M:%SZ")


def format_duration(seconds: float | None) -> str:
    """A duration a person reads at a glance: `0s`, `0.547s`, `12s`, `10m 00s`, `3d 01h 00m 00s`."""
    if seconds is None:
        return "-"
    if seconds < 60:
        return f"{seconds:.3f}".rstrip("0").rstrip(".") + "s"
    remaining = round(seconds)
    parts: list[str] = []
    for unit, size in _SECONDS_PER_UNIT:
        count, remaining = divmod(remaining, size)
        if count or parts:
            parts.append(f"{count:02d}{unit}" if parts else f"{count}{unit}")
    parts.append(f"{remaining:02d}s")
    return " ".join(parts)


def format_elapsed(seconds: float) -> str:
    """Time since an execution started, as the AWS console's event table shows it: `00:10:00.000`,
    with whole days in front: `3d 01:00:00.000`."""
    milliseconds = round(seconds * 1000)
    days, milliseconds = divmod(milliseconds, 86_400_000)
    hours, milliseconds = divmod(milliseconds, 3_600_000)
    minutes, milliseconds = divmod(milliseconds, 60_000)
    clock = f"{hours:02d}:{minutes:02d}:{milliseconds // 1000:02d}.{milliseconds % 1000:03d}"
    return f"{days}d {clock}" if days else clock


def seconds_between(start: datetime | None, end: datetime | None) -> float | None:
    """Seconds from `start` to `end`, or None when either is unknown."""
    if start is None or end is None:
        return None
    return (end - start).total_seconds()


def machine_name(state_machine_arn: str) -> str:
    """The state machine's name at the end of its ARN."""
    return state_machine_arn.rsplit(":", 1)[-1]


def cause_summary(cause: str) -> str:
    """One line of an error's cause; of a Lambda function's error document, its message (not the stack)."""
    try:
        document = json.loads(cause)
    except ValueError:
        document = None
    if isinstance(document, dict) and isinstance(document.get("errorMessage"), str):
        cause = document["errorMessage"]
    line = cause.strip().splitlines()[0] if cause.strip() else ""
    if len(line) > CAUSE_SHOWN_CHARACTERS:
        return line[: CAUSE_SHOWN_CHARACTERS - 3] + "..."
    return line
