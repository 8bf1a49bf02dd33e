"""Runs `python -m local up` as a child process and learns its addresses from what it prints."""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

from tests.local.local_command import (
    STARTUP_TIMEOUT_SECONDS,
    UP_ADDRESS_LINE,
    UP_READY_LINE,
    UpCommandChild,
    start_local_command,
)


class UpProcessError(RuntimeError):
    """The child exited or did not report its addresses in time."""


class UpProcess(UpCommandChild):
    """One `python -m local up --clock virtual --state-dir DIR` child on free ports."""

    def __init__(self, state_dir: Path | None, log_path: Path, command: Sequence[str] | None = None) -> None:
        """`command` runs instead of `up` a command that prints `up`'s lines (`demo --keep-running`)."""
        self._arguments = list(command) if command is not None else [
            "up", "--port", "0", "--sfn-port", "0", "--aws-port", "0", "--third-party-port", "0",
            "--clock", "virtual", "--state-dir", str(state_dir),
        ]  # fmt: skip
        self._log_path = log_path
        self._process: subprocess.Popen[str] | None = None
        self._addresses: dict[str, str] = {}
        self.output: list[str] = []
        self._reader: threading.Thread | None = None

    @property
    def addresses(self) -> Mapping[str, str]:
        return self._addresses

    def start(self) -> UpProcess:
        """Start the child and return once it has printed every address."""
        self._process = start_local_command(self._arguments, self._log_path)
        ready = threading.Event()
        self._reader = threading.Thread(target=self._read_output, args=(ready,), daemon=True)
        self._reader.start()
        if not ready.wait(STARTUP_TIMEOUT_SECONDS):
            self.kill()
            raise UpProcessError(
                f"`python -m local up` did not start; log: {self._log_path.read_text()[-2000:]}"
            )
        return self

    def _read_output(self, ready: threading.Event) -> None:
        assert self._process is not None and self._process.stdout is not None
        for line in self._process.stdout:
            self.output.append(line.rstrip("\n"))
            match = UP_ADDRESS_LINE.match(line.rstrip("\n"))
            if match:
                self._addresses[match.group("label").strip()] = match.group("url")
            if line.strip() == UP_READY_LINE:
                ready.set()
