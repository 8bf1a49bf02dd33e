"""`python -m local up` as a child that can be killed at any moment, even before it is ready.

Unlike `tests.local.stack.up_process.UpProcess`, the ports are chosen once and every start passes the very
same arguments, as a person restarting a crashed stack would: the state directory then holds queue URLs and
endpoints that stay valid. What the child prints is the only source of its resources' names and paths.
"""

from __future__ import annotations

import re
import socket
import subprocess
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tests.local.local_command import (
    STARTUP_TIMEOUT_SECONDS,
    UP_ADDRESS_LINE,
    UP_READY_LINE,
    UpCommandChild,
    start_local_command,
)

_MACHINE_LINE = re.compile(r"^State machine (?P<name>\S+): (?P<arn>arn:\S+)$")
_RESOURCE_LINE = re.compile(r"^\s+(?P<kind>[a-z]+):\s+(?P<value>\S+)$")


class UpChildError(RuntimeError):
    """The child exited, or did not report itself ready in time."""


@dataclass
class PrintedStack:
    """What `up` printed: its addresses, and each state machine's ARN and resources by kind."""

    addresses: dict[str, str] = field(default_factory=dict)
    machine_arns: dict[str, str] = field(default_factory=dict)
    resources: dict[str, dict[str, list[str]]] = field(default_factory=dict)

    def read(self, line: str) -> None:
        """Take one printed line into account (resource lines belong to the last machine named)."""
        if machine := _MACHINE_LINE.match(line):
            self.machine_arns[machine["name"]] = machine["arn"]
            self.resources[machine["name"]] = {}
        elif address := UP_ADDRESS_LINE.match(line):
            self.addresses[address["label"].strip()] = address["url"]
        elif (resource := _RESOURCE_LINE.match(line)) and self.resources:
            current = self.resources[next(reversed(self.resources))]
            current.setdefault(resource["kind"], []).append(resource["value"])

    def resource(self, machine: str, kind: str, containing: str) -> str:
        """The one `kind` resource (table, database, ...) of `machine` whose name holds `containing`."""
        found = [value for value in self.resources.get(machine, {}).get(kind, []) if containing in value]
        if len(found) != 1:
            raise UpChildError(f"`up` printed {len(found)} {kind}(s) of {machine} containing {containing!r}")
        return found[0]


def free_ports(count: int) -> list[int]:
    """`count` distinct ports nobody listens on now (held together while choosing, so they differ)."""
    probes = [socket.socket(socket.AF_INET, socket.SOCK_STREAM) for _ in range(count)]
    try:
        for probe in probes:
            probe.bind(("127.0.0.1", 0))
        return [probe.getsockname()[1] for probe in probes]
    finally:
        for probe in probes:
            probe.close()


class UpChild(UpCommandChild):
    """`python -m local up --clock virtual --state-dir DIR` on ports fixed at construction."""

    def __init__(self, state_dir: Path, log_path: Path) -> None:
        api, sfn, aws, third_party = free_ports(4)
        self.arguments = [
            "up", "--port", str(api), "--sfn-port", str(sfn), "--aws-port", str(aws),
            "--third-party-port", str(third_party), "--clock", "virtual", "--state-dir", str(state_dir),
        ]  # fmt: skip
        self.log_path = log_path
        self.printed = PrintedStack()
        self.startup_seconds: list[float] = []
        self._process: subprocess.Popen[str] | None = None
        self._ready = threading.Event()
        self._reader: threading.Thread | None = None

    @property
    def addresses(self) -> Mapping[str, str]:
        return self.printed.addresses

    def start(self) -> None:
        """Start the child and return once it says it is ready; records how long that took."""
        started = time.monotonic()
        self.launch()
        if not self.wait_ready(STARTUP_TIMEOUT_SECONDS):
            self.kill()
            raise UpChildError(f"`python -m local up` did not start; log tail:\n{self._log_tail()}")
        self.startup_seconds.append(time.monotonic() - started)

    def launch(self) -> None:
        """Start the child without waiting for it (so that it can be killed while it starts)."""
        if self._process is not None:
            raise UpChildError("the child is running already")
        self.printed = PrintedStack()
        self._ready = threading.Event()
        self._process = start_local_command(self.arguments, self.log_path)
        self._reader = threading.Thread(target=self._read_output, args=(self._process,), daemon=True)
        self._reader.start()

    def wait_ready(self, timeout_seconds: float) -> bool:
        """Whether the child said it is ready within `timeout_seconds` (False at once if it exited)."""
        deadline = time.monotonic() + timeout_seconds
        while not self._ready.wait(0.05):
            if self._process is None or self._process.poll() is not None or time.monotonic() > deadline:
                return False
        return True

    def _read_output(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            self.printed.read(line.rstrip("\n"))
            if line.strip() == UP_READY_LINE:
                self._ready.set()

    def _log_tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-3000:] if self.log_path.exists() else "(no log)"
