"""Durations on the `python -m local clock advance` command line."""

from __future__ import annotations

import argparse

import pytest

from local.sfn_api.clock_command import parse_duration


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90s", 90), ("15m", 900), ("2h", 7200), ("3d", 259200), ("1d12h", 129600), ("45", 45), ("1.5h", 5400)],
)
def test_parse_duration_understands_units(text: str, seconds: float) -> None:
    # Given / When / Then
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "3w", "d", "3d foo", "-5s", "h2"])
def test_parse_duration_rejects_other_text(text: str) -> None:
    # Given / When / Then
    with pytest.raises(argparse.ArgumentTypeError):
        parse_duration(text)
