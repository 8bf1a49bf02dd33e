"""The clock seam: every reader of "now" in the functions asks `utc_now()`, so that one switch moves them all.

Deployed, `utc_now()` is the wall clock and nothing ever changes that. A runtime that hosts the handlers
with a clock of its own (a virtual clock that makes three days pass in milliseconds) installs it with
`use_clock`, and the front door's `triggerAt` window, the processor's `processedAt`, the reconciler's
staleness test and the vendor client's `Retry-After` dates all follow it. Logic still takes a `Clock`
argument where a test wants to pin the time; its default is `utc_now`.

Example:
    >>> restore = use_clock(lambda: datetime(2030, 1, 1, tzinfo=UTC))
    >>> utc_now().year
    2030
    >>> restore()
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def wall_clock() -> datetime:
    """The wall clock, as an aware UTC datetime."""
    return datetime.now(UTC)


class _InstalledClock:
    """The one clock `utc_now()` reads; process-wide by design: one process, one clock."""

    read: Clock = staticmethod(wall_clock)


def utc_now() -> datetime:
    """The current time as an aware UTC datetime, from the installed clock (the wall clock by default)."""
    return _InstalledClock.read()


def use_clock(clock: Clock) -> Callable[[], None]:
    """Make `utc_now()` read `clock` (process-wide); returns a function that restores the previous one."""
    previous = _InstalledClock.read
    _InstalledClock.read = staticmethod(clock)

    def restore() -> None:
        _InstalledClock.read = staticmethod(previous)

    return restore
