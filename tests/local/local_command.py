"""Starts and stops `python -m local ...` child processes for tests (the `sfn` and `up` commands), or runs one
that is expected to exit by itself (`clock`, or any command refusing to start)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT_SECONDS = 60
STOP_TIMEOUT_SECONDS = 30
EXIT_TIMEOUT_SECONDS = 60


def run_local_command(arguments: Sequence[str]) -> subprocess.CompletedProcess[str]:
    """Run `python -m local ARGUMENTS` from the repository root until it exits; stdout and stderr captured."""
    return subprocess.run(
        [sys.executable, "-m", "local", *arguments],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=EXIT_TIMEOUT_SECONDS,
        check=False,
    )


def start_local_command(arguments: Sequence[str], log_path: Path) -> subprocess.Popen[str]:
    """Run `python -m local ARGUMENTS` from the repository root; stdout piped, stderr to `log_path`."""
    with log_path.open("a") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "local", *arguments],
            cwd=REPO_ROOT,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )


def end_process(process: subprocess.Popen[str], signum: int) -> int:
    """Send `signum` unless the child has already exited, then wait for it; returns its exit code."""
    if process.poll() is None:
        process.send_signal(signum)
    return process.wait(timeout=STOP_TIMEOUT_SECONDS)
