"""`python -m local executions watch NAME`: a child process follows a running execution event by event while
the clock moves, and exits with the execution's outcome."""

from __future__ import annotations

import queue
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

from tests.local.inspector.conftest import InspectedEngine, full_history, run_cli
from tests.local.local_command import STOP_TIMEOUT_SECONDS, end_process, start_local_command

LINE_TIMEOUT_SECONDS = 30


class _Lines:
    """The child's stdout, line by line, read in the background."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.seen: list[str] = []
        self._queue: queue.Queue[str] = queue.Queue()
        self._reader = threading.Thread(target=self._read, args=(process,), daemon=True)
        self._reader.start()

    def _read(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            self._queue.put(line.rstrip("\n"))

    def wait_for(self, text: str) -> None:
        deadline = time.monotonic() + LINE_TIMEOUT_SECONDS
        while not any(text in line for line in self.seen):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                pytest.fail(f"no line with {text!r}; the child printed: {self.seen}")
            try:
                self.seen.append(self._queue.get(timeout=remaining))
            except queue.Empty:
                continue

    def rest(self) -> list[str]:
        """Every line, once the child has exited and its output is read to the end."""
        self._reader.join(timeout=LINE_TIMEOUT_SECONDS)
        while not self._queue.empty():
            self.seen.append(self._queue.get())
        return self.seen


def test_watch_prints_each_event_as_it_happens_until_the_end(
    inspected: InspectedEngine, tmp_path: Path
) -> None:
    # Given an execution whose first Flaky attempt failed and that waits for the retry's backoff
    started = inspected.sfn.start_execution(
        stateMachineArn=inspected.inspected_machine_arn, name="watched", input='{"items": [1]}'
    )
    inspected.engine.run_until_idle()
    # When the watcher follows it while the clock moves twice
    process = start_local_command(
        ["executions", "watch", "watched", "--endpoint", inspected.endpoint, "--interval", "0.05"],
        tmp_path / "watch.log",
    )
    try:
        lines = _Lines(process)
        lines.wait_for("TaskFailed")
        inspected.engine.advance(5)  # the retry succeeds; the Map runs; Broken is caught; Recover waits
        lines.wait_for("WaitStateEntered")
        assert not any("ExecutionSucceeded" in line for line in lines.seen)
        inspected.engine.advance(60)
        code = process.wait(timeout=STOP_TIMEOUT_SECONDS)
    finally:
        end_process(process, signal.SIGKILL)
    # Then it printed every event once, in order, and ended with the execution
    printed = lines.rest()
    assert code == 0, (tmp_path / "watch.log").read_text()
    events = full_history(inspected.sfn, started["executionArn"])["events"]
    event_lines = [line for line in printed if line.split()[:1] and line.split()[0].isdigit()]
    assert [int(line.split()[0]) for line in event_lines] == [event["id"] for event in events]
    assert [line.split()[4] for line in event_lines] == [event["type"] for event in events]
    assert printed[0] == "Watching watched (Inspected)"
    assert printed[-1] == "SUCCEEDED after 1m 02s"  # the retry's 2 s backoff, Recover's 60 s


def test_watch_of_a_failed_execution_exits_non_zero(
    inspected: InspectedEngine, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given / When
    result = run_cli(capsys, "executions", "watch", inspected.failed_arn, "--endpoint", inspected.endpoint)
    # Then
    assert result.code == 1
    assert "ExecutionFailed" in result.lines[-2]
    assert result.lines[-1] == "FAILED: ValueError after 0s (always broken)"
    assert result.err == ""
