"""Keeps the embedded AWS services' state (moto's backends) in a file, so that it survives a restart.

Every request that may change state is served under one lock, and before its answer leaves, a snapshot
of every backend in use (DynamoDB items and streams, queued messages, topics and subscriptions, the SES
outbox, secrets) is written whole and atomically (`local.durable_file`). A client that got a 2xx can
therefore count on what it did, even if the process is killed the next moment; a request cut by a
crash got no answer and is retried, as with AWS. On start, the snapshot is loaded back into moto before
the first request is served. `docs/local-durability.md` says why this mechanism and what it costs.

Requests that cannot change state (GET, and actions named Get*, Describe*, List*, Query, Scan, ...) are
served without the lock and write nothing. So is SQS ReceiveMessage, which may wait up to 20 s for a
message and must not hold up the sender it waits for: it only changes a received message's
visibility, and a message whose receipt a crash forgot is simply received again (at-least-once, as in
SQS). A snapshot taken while such a receive runs is retried if the receive changed what was being read.
"""

from __future__ import annotations

import io
import logging
import pickle
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from moto.backends import get_backend
from moto.core.base_backend import BackendDict

from local.durable_file import write_atomically

logger = logging.getLogger(__name__)

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

_READ_ONLY_ACTION_PREFIXES = ("Get", "Describe", "List", "Query", "Scan", "BatchGet", "Receive")
# Stream iterators are the only state of this service, and the stream trigger keeps its own position.
_NOT_KEPT_SERVICES = frozenset({"dynamodbstreams", "moto_api"})
_SNAPSHOT_ATTEMPTS = 5


class AwsStateFile:
    """moto's backends, saved to and loaded from one file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> bool:
        """Put the saved backends back into moto; False when there is nothing saved yet."""
        try:
            saved: dict[str, dict[str, dict[str, Any]]] = pickle.loads(self.path.read_bytes())
        except FileNotFoundError:
            return False
        for service, accounts in saved.items():
            backends = get_backend(service)  # type: ignore[call-overload]
            for account_id, regions in accounts.items():
                in_account = backends[account_id]  # creates the account's entry, as a first request would
                for region, backend in regions.items():
                    dict.__setitem__(in_account, region, backend)
        return True

    def save(self) -> None:
        """Write every backend in use, replacing the file whole."""
        for attempt in range(1, _SNAPSHOT_ATTEMPTS + 1):
            try:
                data = _pickle(_backends_in_use())
            except RuntimeError:  # a concurrent ReceiveMessage changed a dict being read; read again
                if attempt == _SNAPSHOT_ATTEMPTS:
                    raise
                continue
            write_atomically(self.path, data)
            return


def _backends_in_use() -> dict[str, dict[str, dict[str, Any]]]:
    return {
        backends.service_name: {
            account_id: dict(regions.items()) for account_id, regions in list(backends.items())
        }
        for backends in list(BackendDict._instances)  # type: ignore[misc]  # moto's registry of backends in use
        if backends.service_name not in _NOT_KEPT_SERVICES and len(backends)
    }


class _StatePickler(pickle.Pickler):
    """Pickles moto's objects; the locks some of them hold are saved as new, unheld locks."""

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, threading.Condition):
            return threading.Condition, ()
        if isinstance(obj, _LOCK_TYPES):
            return _LOCK_FACTORIES[type(obj)], ()
        return NotImplemented


_LOCK_FACTORIES: dict[type, Callable[[], Any]] = {
    type(threading.Lock()): threading.Lock,
    type(threading.RLock()): threading.RLock,
}
_LOCK_TYPES = tuple(_LOCK_FACTORIES)


def _pickle(value: Any) -> bytes:
    buffer = io.BytesIO()
    _StatePickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    return buffer.getvalue()


class SavingAfterChanges:
    """WSGI middleware: serves each state-changing request under a lock and saves the state before the
    answer is returned (see the module docstring)."""

    def __init__(self, app: WsgiApp, state: AwsStateFile) -> None:
        self._app = app
        self._state = state
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        body = _buffer_body(environ)
        if not _may_change_state(environ, body):
            return self._app(environ, start_response)
        with self._lock:
            answer: list[Any] = []

            def remember_start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
                answer[:] = [status, headers, exc_info]
                return lambda data: None  # the legacy write() callable; moto's apps return their body

            chunks = self._app(environ, remember_start)
            try:
                content = b"".join(chunks)
            finally:
                close = getattr(chunks, "close", None)
                if close is not None:
                    close()
            if answer and answer[0][:1] == "2":
                self._state.save()
        start_response(*answer)
        return [content]


def _buffer_body(environ: dict[str, Any]) -> bytes:
    """Read the request body once and give the app a fresh stream over it."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    environ["wsgi.input"] = io.BytesIO(body)
    return body


def _may_change_state(environ: dict[str, Any], body: bytes) -> bool:
    if environ["REQUEST_METHOD"] in ("GET", "HEAD", "OPTIONS"):
        return False
    if environ.get("PATH_INFO", "").startswith("/moto-api/"):
        return False  # moto's own controls (reset, data dumps) are not a client's data
    action = _action(environ, body)
    return action is None or not action.startswith(_READ_ONLY_ACTION_PREFIXES)


def _action(environ: dict[str, Any], body: bytes) -> str | None:
    """The API action: `X-Amz-Target` (JSON protocols) or `Action` (query protocol); None for REST APIs."""
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return str(target).rpartition(".")[2]
    query = parse_qs(environ.get("QUERY_STRING", ""))
    if "Action" in query:
        return query["Action"][0]
    if environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
        form = parse_qs(body.decode("utf-8", errors="replace"))
        if "Action" in form:
            return form["Action"][0]
    return None
