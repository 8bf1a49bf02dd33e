"""The inspector's connections to a running stack: boto3 clients for its AWS APIs, JSON over HTTP for its own
routes, and a one-line error whenever what should answer is not there or answers something else.
"""

from __future__ import annotations

import argparse
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, ConnectTimeoutError, EndpointConnectionError

from local.cli import CommandError
from local.stack.config import DEFAULT_API_PORT, DEFAULT_AWS_PORT, DEFAULT_HOST, DEFAULT_SFN_PORT, REGION
from local.stack.sandbox import FAKE_AWS_ENVIRONMENT

DEFAULT_STEPFUNCTIONS_URL = f"http://{DEFAULT_HOST}:{DEFAULT_SFN_PORT}"
DEFAULT_API_URL = f"http://{DEFAULT_HOST}:{DEFAULT_API_PORT}"
DEFAULT_AWS_URL = f"http://{DEFAULT_HOST}:{DEFAULT_AWS_PORT}"
REQUEST_TIMEOUT_SECONDS = 60
CONNECT_TIMEOUT_SECONDS = 5
# One attempt: a stack that is not there should be reported at once, not after botocore's backoff.
_CLIENT_CONFIG = Config(
    retries={"total_max_attempts": 1},
    connect_timeout=CONNECT_TIMEOUT_SECONDS,
    read_timeout=REQUEST_TIMEOUT_SECONDS,
)


@dataclass(frozen=True)
class Endpoint:
    """A URL given on the command line, with what should answer there (for the one-line errors)."""

    url: str
    option: str
    """The option that sets it, e.g. `--aws-endpoint`."""
    serves: str
    """What answers there, e.g. `Step Functions API`."""
    started_by: str
    """The commands that start it, e.g. "`python -m local up` or `python -m local sfn`"."""

    def unreachable(self, reason: str) -> CommandError:
        """The error for nothing answering at the URL."""
        return CommandError(
            f"no {self.serves} is reachable at {self.url} ({reason}); "
            f"start one with {self.started_by}, or give its URL with {self.option}"
        )

    def answered_otherwise(self, detail: str) -> CommandError:
        """The error for something answering at the URL that is not what it should be."""
        return CommandError(f"{self.url} did not answer as the {self.serves} ({detail}); check {self.option}")


def aws_services_endpoint(url: str) -> Endpoint:
    """The stack's embedded AWS services, named by `--aws-endpoint`."""
    return Endpoint(
        url=url, option="--aws-endpoint", serves="AWS services (moto)", started_by="`python -m local up`"
    )


def http_url(text: str) -> str:
    """An argparse type: an http(s) base URL, without a trailing slash."""
    parts = urllib.parse.urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise argparse.ArgumentTypeError(f"not an http:// URL: {text!r} (e.g. {DEFAULT_STEPFUNCTIONS_URL})")
    return text.rstrip("/")


@cache
def _session() -> boto3.session.Session:
    return boto3.session.Session()


def aws_client(service: str, endpoint: Endpoint) -> Any:
    """boto3 for `service` at a local endpoint, with the stack's fake credentials and no retries."""
    return _session().client(
        service,
        endpoint_url=endpoint.url,
        region_name=REGION,
        aws_access_key_id=FAKE_AWS_ENVIRONMENT["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=FAKE_AWS_ENVIRONMENT["AWS_SECRET_ACCESS_KEY"],
        config=_CLIENT_CONFIG,
    )


@contextmanager
def reporting_failures(endpoint: Endpoint) -> Iterator[None]:
    """Turn what boto3 raises for `endpoint` into a one-line CommandError (what a caller does not handle)."""
    try:
        yield
    except (EndpointConnectionError, ConnectTimeoutError) as error:
        raise endpoint.unreachable(_reason(error)) from error
    except ClientError as error:
        details = error.response.get("Error", {})
        code, message = details.get("Code", "Error"), details.get("Message", "")
        raise CommandError(f"{error.operation_name} at {endpoint.url}: {code}: {message}".rstrip()) from error
    except BotoCoreError as error:
        raise endpoint.answered_otherwise(str(error)) from error


@dataclass(frozen=True)
class HttpAnswer:
    """Status, headers and decoded JSON body of one HTTP answer."""

    status: int
    headers: Mapping[str, str]
    body: Any


def call_json(
    endpoint: Endpoint,
    method: str,
    path: str,
    body: object | None = None,
    headers: Mapping[str, str] | None = None,
) -> HttpAnswer:
    """Send one request (with a JSON body, if any) to `endpoint` and decode the JSON answer, whatever its
    status; a missing server or an answer that is not JSON is a CommandError."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        endpoint.url + path, data=data, method=method, headers=dict(headers or {})
    )
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT_SECONDS) as response:
            status, answer_headers, raw = response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        status, answer_headers, raw = error.code, dict(error.headers), error.read()
    except urllib.error.URLError as error:
        raise endpoint.unreachable(_reason(error)) from error
    except OSError as error:  # connected, then reset or timed out
        raise endpoint.answered_otherwise(_reason(error)) from error
    try:
        return HttpAnswer(status, answer_headers, json.loads(raw) if raw else {})
    except ValueError as error:
        raise endpoint.answered_otherwise(f"HTTP {status} {method} {path}: not JSON") from error


def _reason(error: BaseException) -> str:
    """The operating system's words for a failed connection (`Connection refused`), wherever they are."""
    seen: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in seen:
        seen.append(current)
        strerror = getattr(current, "strerror", None) or getattr(
            getattr(current, "reason", None), "strerror", None
        )
        if strerror:
            return str(strerror)
        kwargs = getattr(current, "kwargs", None)
        nested = kwargs.get("error") if isinstance(kwargs, dict) else None
        current = nested or current.__cause__ or current.__context__
    return str(error) or type(error).__name__
