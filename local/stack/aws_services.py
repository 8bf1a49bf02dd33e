"""The embedded AWS services: moto in server mode on one port, in this process.

moto keeps everything in memory, so every start begins empty: the stack provisions the catalog's
resources again on each start, and messages, items and secrets from an earlier run are gone.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import urllib.error
import urllib.request
from typing import Any

import boto3
from botocore.config import Config
from moto.server import ThreadedMotoServer

from local.stack.config import REGION
from local.stack.sandbox import FAKE_AWS_ENVIRONMENT

_RESET_PATH = "/moto-api/reset"
_CLIENT_CONFIG = Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=2, read_timeout=10)


class EmbeddedAwsServices:
    """moto's ThreadedMotoServer, plus boto3 clients pointed at it with fake credentials."""

    def __init__(self, *, host: str, port: int) -> None:
        self._server = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
        self._host = host
        self._port = port
        self._started = False
        self._session = boto3.session.Session()
        self._clients: dict[str, Any] = {}
        self._clients_lock = threading.Lock()
        # werkzeug logs every request at INFO; the stack's own output says what matters.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)

    def start(self) -> str:
        """Serve in a background thread; returns the endpoint URL.

        Raises OSError when the port is taken (moto would otherwise fail in its thread and never start).
        """
        if self._port != 0:
            _check_port_free(self._host, self._port)
        self._server.start()
        self._started = True
        return self.endpoint_url

    @property
    def endpoint_url(self) -> str:
        """`http://host:port` of the running server."""
        host, port = self._server.get_host_and_port()
        return f"http://{host}:{port}"

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

    def close(self) -> None:
        """Forget every resource (moto's state is process-wide) and stop serving; safe to call twice."""
        if not self._started:
            return
        self._started = False
        request = urllib.request.Request(self.endpoint_url + _RESET_PATH, method="POST")
        with contextlib.suppress(urllib.error.URLError), urllib.request.urlopen(request, timeout=5):
            pass
        self._server.stop()


def _check_port_free(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # The same option the HTTP server sets, so a port in TIME_WAIT counts as free, as it will be.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))
