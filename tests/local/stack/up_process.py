"""Runs `python -m local up` as a child process and learns its addresses from what it prints."""

from __future__ import annotations

import re
import signal
import subprocess
import threading
from collections.abc import Sequence
from pathlib import Path

from tests.local.local_command import STARTUP_TIMEOUT_SECONDS, end_process, start_local_command

_ADDRESS_LINE = re.compile(r"^\s+(?P<label>[A-Za-z ()-]+):\s+(?P<url>http://\S+)$")
_READY_LINE = "Press Ctrl-C to stop."


class UpProcessError(RuntimeError):
    """The child exited or did not report its addresses in time."""


class UpProcess:
    """One `python -m local up --clock virtual --state-dir DIR` child on free ports."""

    def __init__(self, state_dir: Path | None, log_path: Path, command: Sequence[str] | None = None) -> None:
        """`command` runs instead of `up` a command that prints `up`'s lines (`demo --keep-running`)."""
        self._arguments = list(command) if command is not None else [
            "up", "--port", "0", "--sfn-port", "0", "--aws-port", "0", "--third-party-port", "0",
            "--clock", "virtual", "--state-dir", str(state_dir),
        ]  # fmt: skip
        self._log_path = log_path
        self._process: subprocess.Popen[str] | None = None
        self.addresses: dict[str, str] = {}
        self.output: list[str] = []
        self._reader: threading.Thread | None = None

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
            match = _ADDRESS_LINE.match(line.rstrip("\n"))
            if match:
                self.addresses[match.group("label").strip()] = match.group("url")
            if line.strip() == _READY_LINE:
                ready.set()

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
