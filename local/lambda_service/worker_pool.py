"""Warm worker processes for one function, as Lambda keeps execution environments.

Each invocation has a worker process to itself (`worker.py`); a worker that finished goes back to the pool and
answers the next invocation without importing the handler again. At most `concurrency` workers exist per
function: an invocation beyond that waits until one is free, because the limit stands for this machine's
capacity, not a quota AWS would enforce (throttling here would fail state machines that run on AWS).

A worker that outlives the function's timeout is killed, and the invocation fails as on AWS with
`Sandbox.Timedout`; the next invocation starts a fresh worker.
"""

from __future__ import annotations

import contextlib
import json
import logging
import queue
import subprocess
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from local.engine.lambda_runtime import Frame, LambdaOutcome, LambdaServiceError, error_document
from local.lambda_service.worker_process import WorkerProcess, start_forked, start_fresh

logger = logging.getLogger(__name__)

INIT_TIMEOUT_SECONDS = 10.0  # Lambda's limit for importing the handler, apart from the function's timeout
STOP_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class WorkerSpec:
    """What a worker of one function configuration runs: code, handler, whole environment, timeout."""

    code_dir: Path
    handler: str
    environment: Mapping[str, str]
    timeout_seconds: float
    preload: tuple[str, ...] = ()
    """Libraries to share: when given, workers are forked from a template that imported them
    (`worker_process.py`); when empty, each worker is a fresh interpreter."""


@dataclass(frozen=True)
class Invocation:
    """One synchronous invocation."""

    request_id: str
    event: Any
    invoked_function_arn: str
    client_context: Mapping[str, Any] | None = None
    """What the handler reads as `context.client_context` (`client`, `custom`, `env`); None for none."""


class _Exited(Exception):
    """The worker process ended (or closed its answers) while an answer was awaited."""


class _TimedOut(Exception):
    """No answer within the time allowed."""


class _Worker:
    """One worker process and the thread that reads its answers."""

    def __init__(self, spec: WorkerSpec) -> None:
        self.spec = spec
        self._ready = False
        self._process: WorkerProcess = (
            start_forked(spec.code_dir, spec.handler, spec.environment, spec.preload)
            if spec.preload
            else start_fresh(spec.code_dir, spec.handler, spec.environment)
        )
        self._answers: queue.Queue[dict[str, Any] | None] = queue.Queue()
        threading.Thread(target=self._read_answers, name="lambda-worker-reader", daemon=True).start()

    @property
    def alive(self) -> bool:
        return self._process.poll() is None

    def invoke(self, invocation: Invocation) -> LambdaOutcome:
        request_id = invocation.request_id
        try:
            if not self._ready:
                init_error = self._start_up()
                if init_error is not None:
                    self.stop()
                    return _function_error(init_error, request_id)
            timeout = self.spec.timeout_seconds
            request: dict[str, Any] = {
                "requestId": request_id,
                "event": invocation.event,
                "invokedFunctionArn": invocation.invoked_function_arn,
                "deadlineMs": int((time.time() + timeout) * 1000),
            }
            if invocation.client_context is not None:
                request["clientContext"] = dict(invocation.client_context)
            self._send(request)
            answer = self._answer_within(timeout)
        except _TimedOut:
            self.stop()
            return _timed_out(request_id, self.spec.timeout_seconds)
        except _Exited:
            return _exited(request_id, self._exit_status())
        if "error" in answer:
            return _function_error(answer["error"], request_id)
        return LambdaOutcome(ok=True, payload=answer.get("result"), request_id=request_id)

    def stop(self) -> None:
        """Kill the process (a worker holds no state worth a graceful end) and reap it."""
        if self._process.stdin is not None:
            with contextlib.suppress(OSError):  # the pipe broke with the process
                self._process.stdin.close()
        if self._process.poll() is None:
            self._process.kill()
        try:
            self._process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            logger.warning("Lambda worker %s did not stop", self._process.pid)

    def _start_up(self) -> dict[str, Any] | None:
        """Wait for the handler to be imported; the init error, if any."""
        answer = self._answer_within(INIT_TIMEOUT_SECONDS)
        self._ready = bool(answer.get("ready"))
        return None if self._ready else answer.get("error", {})

    def _send(self, document: dict[str, Any]) -> None:
        assert self._process.stdin is not None
        try:
            self._process.stdin.write(json.dumps(document) + "\n")
            self._process.stdin.flush()
        except (BrokenPipeError, ValueError) as error:  # ValueError: the pipe was closed by `stop`
            raise _Exited from error

    def _answer_within(self, seconds: float) -> dict[str, Any]:
        try:
            answer = self._answers.get(timeout=seconds)
        except queue.Empty:
            raise _TimedOut from None
        if answer is None:
            raise _Exited
        return answer

    def _read_answers(self) -> None:
        assert self._process.stdout is not None
        try:
            for line in self._process.stdout:
                self._answers.put(json.loads(line))
        except (OSError, ValueError):
            logger.exception("Lambda worker %s answered out of protocol", self._process.pid)
        finally:
            self._answers.put(None)

    def _exit_status(self) -> str:
        code: int | None
        try:
            code = self._process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            self.stop()
            code = self._process.poll()
        return f"signal: {-code}" if code is not None and code < 0 else f"exit status {code}"


class WorkerPool:
    """The warm workers of one function (see the module docstring)."""

    def __init__(self, spec: WorkerSpec, concurrency: int) -> None:
        self._spec = spec
        self._concurrency = concurrency
        self._idle: list[_Worker] = []
        self._workers: set[_Worker] = set()
        self._starting = 0
        self._closed = False
        self._changed = threading.Condition()

    def invoke(self, invocation: Invocation) -> LambdaOutcome:
        """Run one invocation in a worker of its own; waits while `concurrency` workers are busy."""
        worker = self._acquire()
        try:
            return worker.invoke(invocation)
        finally:
            self._release(worker)

    def use(self, spec: WorkerSpec) -> None:
        """Run later invocations with new code or configuration; busy workers finish on the old one."""
        with self._changed:
            self._spec = spec
            stale, self._idle = self._idle, []
            self._workers.difference_update(stale)
            self._changed.notify_all()
        for worker in stale:
            worker.stop()

    def close(self) -> None:
        """Stop every worker, busy ones included (their invocations fail); later invocations are refused."""
        with self._changed:
            self._closed = True
            stale, self._workers, self._idle = list(self._workers), set(), []
            self._changed.notify_all()
        for worker in stale:
            worker.stop()

    def _acquire(self) -> _Worker:
        with self._changed:
            while True:
                if self._closed:
                    raise LambdaServiceError(
                        "ServiceException",
                        "The function was deleted while the invocation waited",
                        status_code=500,
                    )
                if self._idle:
                    return self._idle.pop()
                if len(self._workers) + self._starting < self._concurrency:
                    self._starting += 1
                    spec = self._spec
                    break
                self._changed.wait()
        worker: _Worker | None = None
        try:
            worker = _Worker(spec)
        except OSError as error:
            raise LambdaServiceError(
                "ServiceException", f"Cannot start the function's worker: {error}", status_code=500
            ) from error
        finally:
            with self._changed:
                self._starting -= 1
                if worker is not None:
                    self._workers.add(worker)
                self._changed.notify()
        return worker

    def _release(self, worker: _Worker) -> None:
        with self._changed:
            keep = worker.alive and worker.spec is self._spec and worker in self._workers
            if keep:
                self._idle.append(worker)
            else:
                self._workers.discard(worker)
            self._changed.notify()
        if not keep:
            worker.stop()


def _function_error(error: dict[str, Any], request_id: str) -> LambdaOutcome:
    error_type = str(error.get("errorType") or "Runtime.Unknown")
    frames: list[Frame] = [
        (str(file), line, str(name), text) for file, line, name, text in error.get("frames", [])
    ]
    document = error_document(error_type, str(error.get("errorMessage", "")), frames, request_id)
    return LambdaOutcome(ok=False, error_type=error_type, error_payload=document, request_id=request_id)


def _timed_out(request_id: str, seconds: float) -> LambdaOutcome:
    document = {
        "errorType": "Sandbox.Timedout",
        "errorMessage": f"RequestId: {request_id} Error: Task timed out after {seconds:.2f} seconds",
    }
    return LambdaOutcome(
        ok=False, error_type="Sandbox.Timedout", error_payload=document, request_id=request_id
    )


def _exited(request_id: str, status: str) -> LambdaOutcome:
    document = {
        "errorType": "Runtime.ExitError",
        "errorMessage": f"RequestId: {request_id} Error: Runtime exited with error: {status}",
    }
    return LambdaOutcome(
        ok=False, error_type="Runtime.ExitError", error_payload=document, request_id=request_id
    )
