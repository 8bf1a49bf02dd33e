"""Starts and stops `python -m local ...` child processes for tests (the `sfn` and `up` commands), or runs one
that is expected to exit by itself (`clock`, or any command refusing to start)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT_SECONDS = 60
STOP_TIMEOUT_SECONDS = 30
EXIT_TIMEOUT_SECONDS = 60
UP_ADDRESS_LINE = re.compile(r"^\s+(?P<label>[A-Za-z ()-]+):\s+(?P<url>http://\S+)$")
"""A line where `up` prints one of its addresses: `  Schedule API:   http://...`."""
UP_READY_LINE = "Press Ctrl-C to stop."
"""The last line `up` prints once everything serves."""


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


class UpCommandChild:
    """What a test's `python -m local up` child offers however it was started: the addresses it printed,
    and ending it. A subclass starts `_process` and the `_reader` thread that reads what it prints."""

    _process: subprocess.Popen[str] | None = None
    _reader: threading.Thread | None = None

    @property
    def addresses(self) -> Mapping[str, str]:
        """Every address the child printed, by label."""
        raise NotImplementedError

    @property
    def api(self) -> str:
        return self.addresses["Schedule API"]

    @property
    def stepfunctions(self) -> str:
        return self.addresses["Step Functions API"]

    @property
    def aws(self) -> str:
        return self.addresses["AWS services (moto)"]

    @property
    def third_party(self) -> str:
        return self.addresses["Third-party API"]

    def kill(self) -> None:
        """SIGKILL, like a crash: nothing is flushed or closed."""
        self._end(signal.SIGKILL)

    def interrupt(self) -> int:
        """SIGINT (Ctrl-C) and wait; returns the exit code."""
        return self._end(signal.SIGINT)

    def _end(self, signum: int) -> int:
        if self._process is None:
            return 0
        code = end_process(self._process, signum)
        if self._reader is not None:
            self._reader.join(timeout=5)  # the last lines it printed
        self._process = None
        return code
