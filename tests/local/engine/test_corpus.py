"""Every case of the AWS-recorded conformance corpus replays event for event through the Engine."""

from __future__ import annotations

from typing import Any

import pytest

from .corpus import CORPUS, load_cases, run_case

CASES = load_cases() if CORPUS.exists() else []


@pytest.mark.skipif(not CASES, reason="the shared conformance corpus is not on this machine")
@pytest.mark.parametrize("case", CASES, ids=[f"{c['area']}/{c['id']}" for c in CASES])
def test_recorded_history_is_reproduced(case: dict[str, Any]) -> None:
    # Given a definition and input recorded against AWS; When run on a skip clock
    passed, reason, _, _ = run_case(case)
    # Then the normalised history equals AWS's, event for event
    assert passed, reason
