"""The embedded AWS services: moto in server mode on one port, in this process.

Without a state file moto keeps everything in memory and every start begins empty. With one
(`--state-dir`), what a client got a 2xx for is saved before the answer leaves and loaded back at the
next start (`local.stack.aws_state`). Either way the stack provisions the catalog's resources on each
start, reusing what exists.

DynamoDB stamps its stream records with the stack's clock, so a revocation made after `clock advance 3d`
is three virtual days later than one made before it, as every other reader of the clock sees it.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import moto.dynamodb.models.table as dynamodb_tables
from botocore.config import Config
from moto.dynamodbstreams.models import dynamodbstreams_backends
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import BaseWSGIServer, make_server

from local.stack.aws_state import AwsStateFile, SavingAfterChanges
from local.stack.config import REGION
from local.stack.sandbox import FAKE_AWS_ENVIRONMENT

_RESET_PATH = "/moto-api/reset"
_CLIENT_CONFIG = Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=2, read_timeout=10)


class EmbeddedAwsServices:
    """moto served from a background thread, plus boto3 clients pointed at it with fake credentials."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        clock: Callable[[], datetime],
        state_file: Path | None = None,
    ) -> None:
        self._host = host
        self._port = port
        self._clock = clock
        self._state = AwsStateFile(state_file) if state_file is not None else None
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._restore_stream_clock: Callable[[], None] | None = None
        self._session = boto3.session.Session()
        self._clients: dict[str, Any] = {}
        self._clients_lock = threading.Lock()
        # werkzeug logs every request at INFO; the stack's own output says what matters.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)

    def start(self) -> str:
        """Serve in a background thread; returns the endpoint URL.

        Raises OSError when the port is taken (werkzeug would print a message and exit the process).
        """
        if self._port != 0:
            _check_port_free(self._host, self._port)
        app: Any = DomainDispatcherApplication(create_backend_app)
        if self._state is not None:
            app = SavingAfterChanges(app, self._state)
        self._server = make_server(
            self._host, self._port, app, threaded=True, request_handler=MotoRequestHandler
        )
        # Bound: from here on close() undoes what follows. Nothing is served before the thread starts.
        if self._state is not None:
            self._state.load()
        self._restore_stream_clock = _stamp_stream_records_with(self._clock)
        self._thread = threading.Thread(target=self._server.serve_forever, name="aws-services", daemon=True)
        self._thread.start()
        return self.endpoint_url

    @property
    def endpoint_url(self) -> str:
        """`http://host:port` of the running server."""
        if self._server is None:
            raise RuntimeError("the embedded AWS services are not running")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def client(self, service: str) -> Any:
        """A boto3 client for `service` that talks to this server only, with fake credentials (cached)."""
        # One session for every client: a new session reloads botocore's data files (~0.1 s each time).
        with self._clients_lock:
            client = self._clients.get(service)
            if client is None:
                client = self._session.client(
                    service,
                    endpoint_url=self.endpoint_url,
                    region_name=REGION,
                    aws_access_key_id=FAKE_AWS_ENVIRONMENT["AWS_ACCESS_KEY_ID"],
                    aws_secret_access_key=FAKE_AWS_ENVIRONMENT["AWS_SECRET_ACCESS_KEY"],
                    config=_CLIENT_CONFIG,
                )
                self._clients[service] = client
            return client

    def discard_shard_iterator(self, iterator: str) -> None:
        """Forget a DynamoDB Streams shard iterator its reader is done with. AWS lets an iterator expire
        15 minutes after issuing it; moto keeps every one it issued (each GetRecords issues the next), so a
        stream read on every poll would grow this process for as long as the stack runs."""
        for account in list(dynamodbstreams_backends.values()):
            for backend in list(account.values()):
                backend.shard_iterators.pop(iterator, None)

    def close(self) -> None:
        """Forget every resource (moto's state is process-wide; the state file keeps it) and stop serving;
        safe to call twice."""
        if self._server is None:
            return
        request = urllib.request.Request(self.endpoint_url + _RESET_PATH, method="POST")
        with contextlib.suppress(urllib.error.URLError), urllib.request.urlopen(request, timeout=5):
            pass
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None
        if self._restore_stream_clock is not None:
            self._restore_stream_clock()
            self._restore_stream_clock = None


def _stamp_stream_records_with(clock: Callable[[], datetime]) -> Callable[[], None]:
    """Make moto's DynamoDB stamp stream records from `clock`; returns the function that undoes it."""
    original = dynamodb_tables.utcnow

    def stack_utcnow() -> datetime:
        return clock().astimezone(UTC).replace(tzinfo=None)  # moto works in naive UTC

    dynamodb_tables.utcnow = stack_utcnow

    def restore() -> None:
        dynamodb_tables.utcnow = original

    return restore


def _check_port_free(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # The same option the HTTP server sets, so a port in TIME_WAIT counts as free, as it will be.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))
