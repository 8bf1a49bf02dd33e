"""`python -m local sfn` and `python -m local up` as child processes on free ports, for the HTTP benchmarks.

    with local_sfn() as server:
        boto3.client("stepfunctions", endpoint_url=server.addresses["Step Functions API"], ...)

A child serves from its own interpreter, so what a benchmark measures is the HTTP path a user meets,
and the child's CPU time can be read apart from the client's.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
STARTUP_TIMEOUT_SECONDS = 120
STOP_TIMEOUT_SECONDS = 30
STEP_FUNCTIONS_API = "Step Functions API"

_SFN_ADDRESS = re.compile(r"listening on (?P<url>http://\S+)")
_UP_ADDRESS = re.compile(r"^\s+(?P<label>[A-Za-z ()-]+):\s+(?P<url>http://\S+)$")
_UP_READY = "Press Ctrl-C to stop."

# Reads one line of the child's output into the addresses; true once the child is ready.
ReadLine = Callable[[str, dict[str, str]], bool]


class LocalProcessError(RuntimeError):
    """The child exited or printed no address in time."""


@dataclass
class LocalProcess:
    """A running child: its pid and the addresses it printed, by label (as `up` prints them)."""

    pid: int
    addresses: dict[str, str] = field(default_factory=dict)

    def cpu_seconds(self) -> float:
        """User plus system CPU time the child has used so far (Linux; 0.0 elsewhere)."""
        stat = Path(f"/proc/{self.pid}/stat")
        if not stat.exists():
            return 0.0
        # The command name (field 2) may hold spaces; fields after it are fixed: utime, stime are 14, 15.
        fields = stat.read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def peak_rss_mb(self) -> float:
        """The child's peak resident set size so far, in MiB (Linux; 0.0 elsewhere)."""
        status = Path(f"/proc/{self.pid}/status")
        if not status.exists():
            return 0.0
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return 0.0


@contextmanager
def local_sfn(*options: str) -> Iterator[LocalProcess]:
    """`python -m local sfn --port 0 OPTIONS`; its endpoint is `addresses["Step Functions API"]`."""
    with _local_command(["sfn", "--port", "0", *options], _read_sfn_address) as child:
        yield child


@contextmanager
def local_up(*options: str) -> Iterator[LocalProcess]:
    """`python -m local up` on free ports with OPTIONS; `addresses` holds every URL it printed."""
    ports = ["--port", "0", "--sfn-port", "0", "--aws-port", "0", "--third-party-port", "0"]
    with _local_command(["up", *ports, *options], _read_up_addresses) as child:
        yield child


def _read_sfn_address(line: str, addresses: dict[str, str]) -> bool:
    match = _SFN_ADDRESS.search(line)
    if match:
        addresses[STEP_FUNCTIONS_API] = match.group("url")
    return match is not None


def _read_up_addresses(line: str, addresses: dict[str, str]) -> bool:
    match = _UP_ADDRESS.match(line.rstrip("\n"))
    if match:
        addresses[match.group("label").strip()] = match.group("url")
    return line.strip() == _UP_READY


@contextmanager
def _local_command(arguments: Sequence[str], read_line: ReadLine) -> Iterator[LocalProcess]:
    with tempfile.TemporaryFile("w+") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "local", *arguments],
            cwd=REPO_ROOT,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        try:
            child = LocalProcess(process.pid)
            ready = threading.Event()
            assert process.stdout is not None
            # Reads to the end, so the child never blocks on a full pipe.
            threading.Thread(
                target=_read_output, args=(process.stdout, read_line, child.addresses, ready), daemon=True
            ).start()
            deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
            while not ready.wait(0.1) and process.poll() is None and time.monotonic() < deadline:
                pass
            if not ready.is_set():
                log.seek(0)
                raise LocalProcessError(
                    f"`python -m local {arguments[0]}` did not start: {log.read()[-2000:]}"
                )
            yield child
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _read_output(
    stdout: Iterator[str], read_line: ReadLine, addresses: dict[str, str], ready: threading.Event
) -> None:
    for line in stdout:
        if read_line(line, addresses):
            ready.set()
