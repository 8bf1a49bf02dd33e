"""How a worker process starts: a fresh interpreter, or a fork of a template that has the libraries imported.

A fresh interpreter (`python worker.py CODE_DIR HANDLER`) shares nothing with this server: the function's
own modules, even its own copies of boto3 or pydantic, are the only ones it imports. That is how a function
created through the Lambda API runs.

Starting an interpreter and importing boto3, pydantic and Powertools costs each worker a few hundred
milliseconds of CPU, paid again for every concurrent worker of every function. Functions whose code is
known to use the libraries this server has installed (the local stack's own) can instead be forked from a
template process that imported them once (`worker_template.py`): a worker then starts in milliseconds, and
the libraries' pages are shared between workers. Each forked worker still gets the function's whole
environment, its own directory as working directory, a session of its own, and imports the function's
handler itself; only the preloaded libraries are shared. One template runs per list of libraries, started
at its first use and ended with this process.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Protocol

WORKER_SCRIPT = Path(__file__).with_name("worker.py")
TEMPLATE_SCRIPT = Path(__file__).with_name("worker_template.py")
_FORK_TIMEOUT_SECONDS = 60.0  # the template's first fork waits for its preloading


class WorkerProcess(Protocol):
    """The part of `subprocess.Popen` a worker pool uses."""

    @property
    def stdin(self) -> IO[str] | None: ...

    @property
    def stdout(self) -> IO[str] | None: ...

    @property
    def pid(self) -> int: ...

    def poll(self) -> int | None: ...

    def kill(self) -> None: ...

    def wait(self, timeout: float | None = None) -> int: ...


def start_fresh(code_dir: Path, handler: str, environment: Mapping[str, str]) -> WorkerProcess:
    """A new interpreter running `worker.py` in `code_dir` with exactly `environment`."""
    return subprocess.Popen(
        [sys.executable, str(WORKER_SCRIPT), str(code_dir), handler],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        cwd=code_dir,
        env=dict(environment),
        text=True,
        encoding="utf-8",
        start_new_session=True,  # Ctrl-C in the terminal stops the server, which then stops its workers
    )


def start_forked(
    code_dir: Path, handler: str, environment: Mapping[str, str], preload: Sequence[str]
) -> WorkerProcess:
    """A worker forked from the template that imported `preload` (see the module docstring)."""
    return _template_for(preload).fork(code_dir, handler, environment)


def start_template(preload: Sequence[str]) -> None:
    """Start the template for `preload` now: it imports while the caller goes on, and the first worker
    forked from it waits less."""
    _template_for(preload)


_templates_lock = threading.Lock()
_templates: dict[tuple[str, ...], _Template] = {}


def _template_for(preload: Sequence[str]) -> _Template:
    key = tuple(preload)
    with _templates_lock:
        template = _templates.get(key)
        if template is None or not template.running:
            template = _templates[key] = _Template(key)
        return template


class _Template:
    """A running `worker_template.py`, and the exit codes of the workers it forked."""

    def __init__(self, preload: tuple[str, ...]) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        with theirs:
            self._process = subprocess.Popen(
                [sys.executable, str(TEMPLATE_SCRIPT), *preload],
                stdin=theirs.fileno(),
                start_new_session=True,
            )
        self._control = ours
        self._forking = threading.Lock()  # one request at a time: the answers come back in order
        self._changed = threading.Condition()
        self._started: list[int] = []
        self._exit_codes: dict[int, int] = {}
        self._gone = False
        threading.Thread(target=self._read_reports, name="lambda-worker-template", daemon=True).start()

    @property
    def running(self) -> bool:
        return not self._gone and self._process.poll() is None

    def fork(self, code_dir: Path, handler: str, environment: Mapping[str, str]) -> _ForkedWorker:
        invocations_read, invocations_write = os.pipe()
        answers_read, answers_write = os.pipe()
        request = {"codeDir": str(code_dir), "handler": handler, "environment": dict(environment)}
        try:
            with self._forking:
                socket.send_fds(
                    self._control, [json.dumps(request).encode()], [invocations_read, answers_write]
                )
                pid = self._next_started()
        except BaseException:
            for descriptor in (invocations_write, answers_read):
                os.close(descriptor)
            raise
        finally:
            os.close(invocations_read)  # the worker's ends: held here, they would hide the worker's exit
            os.close(answers_write)
        stdin = os.fdopen(invocations_write, "w", encoding="utf-8")
        stdout = os.fdopen(answers_read, "r", encoding="utf-8")
        return _ForkedWorker(self, pid, stdin, stdout)

    def exit_code(self, pid: int, timeout: float | None = 0.0) -> int | None:
        """The worker's exit code, waiting up to `timeout` seconds (None: as long as it takes)."""
        with self._changed:
            self._changed.wait_for(lambda: pid in self._exit_codes or self._gone, timeout)
            if pid in self._exit_codes:
                return self._exit_codes[pid]
        if self._gone and not _exists(pid):  # the template died before it could report
            return -signal.SIGKILL
        return None

    def _next_started(self) -> int:
        with self._changed:
            if not self._changed.wait_for(lambda: self._started or self._gone, _FORK_TIMEOUT_SECONDS):
                raise OSError("the worker template did not answer")
            if not self._started:
                raise OSError("the worker template ended")
            return self._started.pop(0)

    def _read_reports(self) -> None:
        try:
            while message := self._control.recv(65536):
                report = json.loads(message)
                with self._changed:
                    if "started" in report:
                        self._started.append(int(report["started"]))
                    else:
                        self._exit_codes[int(report["exited"])] = int(report["status"])
                    self._changed.notify_all()
        except (OSError, ValueError):
            pass
        finally:
            with self._changed:
                self._gone = True
                self._changed.notify_all()


class _ForkedWorker:
    """A worker forked from a template, looking like the `Popen` of a fresh one."""

    def __init__(self, template: _Template, pid: int, stdin: IO[str], stdout: IO[str]) -> None:
        self._template = template
        self.pid = pid
        self.stdin: IO[str] | None = stdin
        self.stdout: IO[str] | None = stdout

    def poll(self) -> int | None:
        return self._template.exit_code(self.pid)

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):  # already gone
            os.kill(self.pid, signal.SIGKILL)

    def wait(self, timeout: float | None = None) -> int:
        code = self._template.exit_code(self.pid, timeout)
        if code is None:
            raise subprocess.TimeoutExpired(f"lambda worker {self.pid}", timeout or 0.0)
        return code


def _exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
