"""Runs `python -m local sfn` as a child process for tests and learns its address from what it prints."""

from __future__ import annotations

import re
import signal
import subprocess
import threading
from pathlib import Path
from typing import IO

from tests.local.local_command import STARTUP_TIMEOUT_SECONDS, end_process, start_local_command

ADDRESS_PATTERN = re.compile(r"listening on (http://\S+)")


class SfnProcessError(RuntimeError):
    """The server process exited or printed no address in time."""


class SfnProcess:
    """One `python -m local sfn ...` child; `endpoint_url` is known once `start()` returns."""

    def __init__(self, *options: str, log_path: Path) -> None:
        self._arguments = ["sfn", "--port", "0", *options]
        self._log_path = log_path
        self._process: subprocess.Popen[str] | None = None
        self.endpoint_url = ""

    def start(self) -> str:
        """Start the child and return its endpoint URL once it listens."""
        self._process = start_local_command(self._arguments, self._log_path)
        assert self._process.stdout is not None
        self.endpoint_url = _read_address(self._process.stdout, self._process, self._log_path)
        return self.endpoint_url

    def kill(self) -> None:
        """SIGKILL: no chance to flush or close anything, like a crash."""
        self._end(signal.SIGKILL)

    def stop(self) -> int:
        """SIGTERM and wait; returns the exit code."""
        return self._end(signal.SIGTERM)

    def _end(self, signum: int) -> int:
        if self._process is None:
            return 0
        code = end_process(self._process, signum)
        if self._process.stdout is not None:
            self._process.stdout.close()
        self._process = None
        return code

    def __enter__(self) -> SfnProcess:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def _read_address(stdout: IO[str], process: subprocess.Popen[str], log_path: Path) -> str:
    found: list[str] = []

    def read_first_lines() -> None:
        for line in stdout:
            match = ADDRESS_PATTERN.search(line)
            if match:
                found.append(match.group(1))
                return

    reader = threading.Thread(target=read_first_lines, daemon=True)
    reader.start()
    reader.join(STARTUP_TIMEOUT_SECONDS)
    if not found:
        process.kill()
        process.wait()
        log_tail = log_path.read_text()[-2000:]
        raise SfnProcessError(f"`python -m local sfn` printed no address; its log: {log_tail}")
    return found[0]
