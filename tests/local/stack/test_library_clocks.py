"""Powertools' idempotency records expire on the stack's clock, like every other reader of the time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import DataRecord

from local.library_clocks import follow_clock


def test_an_idempotency_record_expires_when_the_stack_clock_passes_its_expiry() -> None:
    # Given a record that expires in an hour of wall-clock time
    wall = datetime.now(UTC)
    record = DataRecord(
        idempotency_key="schedule-1", status="COMPLETED", expiry_timestamp=int(wall.timestamp()) + 3600
    )
    assert not record.is_expired

    # When the stack's clock stands two hours later, Then the record has expired
    restore = follow_clock(lambda: wall + timedelta(hours=2))
    try:
        assert record.is_expired
    finally:
        restore()

    # And with the real clock back, it has not
    assert not record.is_expired
