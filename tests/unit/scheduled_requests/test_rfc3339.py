"""RFC 3339 parsing: any offset normalises to the same UTC instant; naive or malformed text is refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from functions.common.rfc3339 import InvalidTimestamp, ceil_to_second, format_utc_seconds, parse_rfc3339
from functions.scheduled_requests.front_door.models import CreateScheduleRequest

# Keep clear of years 1 and 9999 so that local time = UTC + offset stays representable.
instants = st.datetimes(min_value=datetime(2, 1, 1), max_value=datetime(9998, 12, 31)).map(
    lambda naive: naive.replace(tzinfo=UTC)
)
offset_minutes = st.integers(min_value=-(23 * 60 + 59), max_value=23 * 60 + 59)


def _offset_text(minutes: int, utc_spelling: str) -> str:
    if minutes == 0:
        return utc_spelling
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{rest:02d}"


def _date_and_time(moment: datetime, separator: str = "T") -> str:
    """YYYY-MM-DD<sep>HH:MM:SS (isoformat zero-pads the year, which strftime does not everywhere)."""
    return moment.replace(tzinfo=None, microsecond=0).isoformat(sep=separator)


@st.composite
def rfc3339_texts(draw: st.DrawFn) -> tuple[datetime, str]:
    """An instant, and that instant written in RFC 3339 with some offset, separator and fraction."""
    instant = draw(instants)
    minutes = draw(offset_minutes)
    local = (instant + timedelta(minutes=minutes)).replace(tzinfo=None)
    separator = draw(st.sampled_from(["T", "t"]))
    trailing_zeros = "0" * draw(st.integers(min_value=0, max_value=3))
    fraction = f".{local.microsecond:06d}{trailing_zeros}"
    if local.microsecond == 0:
        fraction = draw(st.sampled_from(["", ".0", fraction]))
    offset = _offset_text(minutes, draw(st.sampled_from(["Z", "z", "+00:00", "-00:00"])))
    return instant, f"{_date_and_time(local, separator)}{fraction}{offset}"


@given(rfc3339_texts())
def test_any_valid_offset_normalises_to_the_same_utc_instant(case: tuple[datetime, str]) -> None:
    # Given an instant written with some offset
    instant, text = case

    # When it is parsed
    parsed = parse_rfc3339(text)

    # Then it is that instant, in UTC
    assert parsed == instant
    assert parsed.utcoffset() == timedelta(0)


@given(instants, offset_minutes, offset_minutes)
def test_two_spellings_of_one_instant_parse_equal(instant: datetime, first: int, second: int) -> None:
    # Given one instant written with two different offsets
    def spelled(minutes: int) -> str:
        local = (instant + timedelta(minutes=minutes)).replace(tzinfo=None, microsecond=0)
        return f"{_date_and_time(local)}{_offset_text(minutes, 'Z')}"

    # When both are parsed / Then they are the same UTC instant
    assert parse_rfc3339(spelled(first)) == parse_rfc3339(spelled(second))


@given(instants, st.integers(min_value=1, max_value=999))
def test_digits_finer_than_a_microsecond_round_up_never_down(instant: datetime, nanos: int) -> None:
    # Given a fraction with non-zero digits beyond the microsecond
    text = f"{_date_and_time(instant)}.{instant.microsecond:06d}{nanos:03d}Z"

    # When it is parsed
    parsed = parse_rfc3339(text)

    # Then the result is the next microsecond: never earlier than the text's instant
    assert parsed == instant + timedelta(microseconds=1)


@given(
    st.datetimes(min_value=datetime(2, 1, 1), max_value=datetime(9998, 12, 31)),
    st.sampled_from(["seconds", "milliseconds", "microseconds", "minutes"]),
    st.sampled_from(["T", " "]),
)
def test_naive_timestamps_are_always_rejected_naming_trigger_at(
    naive: datetime, timespec: str, separator: str
) -> None:
    # Given a timestamp without any offset
    text = naive.isoformat(sep=separator, timespec=timespec)

    # When it is sent as triggerAt / Then the request is rejected on the field triggerAt
    with pytest.raises(ValidationError) as rejected:
        CreateScheduleRequest.model_validate({"triggerAt": text, "payload": {}})
    assert [error["loc"] for error in rejected.value.errors()] == [("triggerAt",)]
    with pytest.raises(InvalidTimestamp, match="no offset"):
        parse_rfc3339(text)


@given(st.text().filter(lambda text: "T" not in text and "t" not in text))
def test_text_without_a_date_time_separator_is_always_rejected(text: str) -> None:
    # Given any text that cannot hold an RFC 3339 date-time (it lacks the T)
    # When it is sent as triggerAt / Then it is rejected on triggerAt
    with pytest.raises(ValidationError) as rejected:
        CreateScheduleRequest.model_validate({"triggerAt": text, "payload": {}})
    assert [error["loc"] for error in rejected.value.errors()] == [("triggerAt",)]


@given(st.one_of(st.integers(), st.floats(), st.booleans(), st.none(), st.lists(st.integers(), max_size=2)))
def test_non_string_trigger_at_is_rejected(value: object) -> None:
    # Given a triggerAt that is not a string / Then it is rejected on triggerAt
    with pytest.raises(ValidationError) as rejected:
        CreateScheduleRequest.model_validate({"triggerAt": value, "payload": {}})
    assert [error["loc"] for error in rejected.value.errors()] == [("triggerAt",)]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2030-01-01", "date alone"),
        ("2030-01-01 10:00", "no offset"),
        ("2030-01-01T10:00:00", "no offset"),
        ("2030-01-01T10:00:00+0100", "±hh:mm"),
        ("2030-01-01T10:00+01:00", "RFC 3339"),
        ("2030-01-01 10:00:00Z", "RFC 3339"),
        ("2030-1-01T10:00:00Z", "RFC 3339"),
        ("2030-01-01T10:00:00.Z", "RFC 3339"),
        ("\uff12\uff10\uff13\uff10-01-01T10:00:00Z", "RFC 3339"),  # full-width digits
        ("2030-02-30T10:00:00Z", "not a valid date"),
        ("2030-01-01T24:00:00Z", "not a valid date"),
        ("2030-12-31T23:59:60Z", "leap seconds"),
        ("2030-01-01T10:00:00+24:00", "offset"),
        ("2030-01-01T10:00:00+01:60", "offset"),
        (" 2030-01-01T10:00:00Z", "RFC 3339"),
        ("2030-01-01T10:00:00Z\n", "RFC 3339"),
    ],
)
def test_malformed_timestamps_are_rejected_with_a_reason(text: str, reason: str) -> None:
    # Given a string that is not a strict RFC 3339 date-time with offset
    # When it is parsed / Then it is refused, and the message says why
    with pytest.raises(InvalidTimestamp, match=reason):
        parse_rfc3339(text)


@given(instants)
def test_ceil_to_second_rounds_up_to_a_whole_second(instant: datetime) -> None:
    # When an instant is rounded to the second
    rounded = ceil_to_second(instant)

    # Then it is whole, not earlier, and less than a second later
    assert rounded.microsecond == 0
    assert instant <= rounded < instant + timedelta(seconds=1)
    assert parse_rfc3339(format_utc_seconds(rounded)) == rounded


def test_format_utc_seconds_writes_z_and_refuses_fractions() -> None:
    # Given an instant in another zone, and one with a fraction
    paris_ten = parse_rfc3339("2030-01-01T10:00:00+01:00")

    # Then the first is written in UTC with Z; the second is refused
    assert format_utc_seconds(paris_ten) == "2030-01-01T09:00:00Z"
    with pytest.raises(ValueError, match="whole second"):
        format_utc_seconds(paris_ten + timedelta(microseconds=1))
