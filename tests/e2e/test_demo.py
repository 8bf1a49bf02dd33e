"""`python -m local demo` (`make demo`) end to end: it exits 0 and tells the story of both workflows."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DEMO_TIMEOUT_SECONDS = 120


def test_the_demo_meets_every_expectation() -> None:
    # When the demo runs as a person runs it
    completed = subprocess.run(
        [sys.executable, "-m", "local", "demo"],
        check=False,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=DEMO_TIMEOUT_SECONDS,
        env={**os.environ, "COLUMNS": "160", "PYTHONUNBUFFERED": "1"},
    )
    output = completed.stdout

    # Then it succeeded, and its log shows each outcome it checked
    assert completed.returncode == 0, output + completed.stderr[-4000:]
    assert "Demo passed" in output
    assert " FAIL " not in output
    for outcome in ("status=SCHEDULED", "status=CANCELLED", "status=SUCCEEDED", "status=FAILED"):
        assert outcome in output
    assert "FAILED DeletionTimedOut" in output
    assert "e-mail(s) sent" in output
