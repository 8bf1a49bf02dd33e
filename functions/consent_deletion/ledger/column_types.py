"""Column types shared by the ledger tables."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from .errors import NaiveDatetimeError


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp stored and returned in UTC on every backend.

    PostgreSQL keeps `timestamptz`; SQLite has no time zones, so values are normalised to UTC before
    they are written (which also keeps its text comparisons in time order) and marked UTC when read.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        utc_value = as_utc(value)
        # SQLite stores text: drop the offset so every stored value has the same shape and sorts in order.
        return utc_value.replace(tzinfo=None) if dialect.name == "sqlite" else utc_value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def as_utc(value: datetime) -> datetime:
    """`value` in UTC; refuses naive datetimes rather than guessing their zone."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise NaiveDatetimeError(value)
    return value.astimezone(UTC)
