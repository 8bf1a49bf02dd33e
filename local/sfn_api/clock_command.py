"""`python -m local clock now | advance 3d | set 2026-01-01T00:00:00Z`: read or move a running local clock.

Talks to `/_local/clock` of a running `python -m local sfn` (or `up`) over HTTP.
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from local.cli import CommandError
from local.sfn_api.clock_control import CLOCK_PATH

DEFAULT_ENDPOINT = "http://127.0.0.1:8083"
REQUEST_TIMEOUT_SECONDS = 600  # advancing days of virtual time runs every timer due on the way

_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)([smhd])")


_HOW_TO_START = (
    "start one with `python -m local up` or `python -m local sfn`, or give its URL with --endpoint"
)


class ClockCommandError(CommandError):
    """The clock endpoint could not be reached, refused the request, or is not a clock."""


def parse_duration(text: str) -> float:
    """Seconds in a duration such as `90s`, `15m`, `2h`, `3d`, `1d12h` or a bare number of seconds."""
    cleaned = text.strip().lower()
    if re.fullmatch(r"\d+(?:\.\d+)?", cleaned):
        return float(cleaned)
    parts = _DURATION_PART.findall(cleaned)
    if not parts or "".join(number + unit for number, unit in parts) != cleaned:
        raise argparse.ArgumentTypeError(f"not a duration: {text!r} (examples: 90s, 15m, 2h, 3d, 1d12h)")
    return sum(float(number) * _UNIT_SECONDS[unit] for number, unit in parts)


def register(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `clock` subcommand with its `now`, `advance` and `set` actions."""
    parser = subcommands.add_parser(
        "clock",
        help="read or move the clock of a running local engine",
        description="Read or move the clock of a running engine (moving needs --clock virtual or skip).",
    )
    parser.add_argument(
        "--endpoint", default=DEFAULT_ENDPOINT, help=f"server URL (default: {DEFAULT_ENDPOINT})"
    )
    actions = parser.add_subparsers(dest="clock_action", required=True, metavar="ACTION")
    actions.add_parser("now", help="print the current time and clock mode")
    advance = actions.add_parser("advance", help="move a virtual clock forward, e.g. 3d, 2h, 15m, 90s")
    advance.add_argument("duration", type=parse_duration)
    set_to = actions.add_parser("set", help="move a virtual clock forward to an RFC 3339 time")
    set_to.add_argument("moment", help="e.g. 2026-01-01T00:00:00Z")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Perform the clock action and print the clock's time and mode."""
    url = _clock_url(args.endpoint)
    body: dict[str, Any] | None = None
    if args.clock_action == "advance":
        body = {"advanceSeconds": args.duration}
    elif args.clock_action == "set":
        body = {"to": args.moment}
    state = request_clock(url, body)
    print(f"{state['now']} ({state['mode']} clock)")
    return 0


def _clock_url(endpoint: str) -> str:
    try:
        parts = urllib.parse.urlsplit(endpoint)
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        raise ClockCommandError(f"--endpoint {endpoint}: not an http:// URL (e.g. {DEFAULT_ENDPOINT})")
    return endpoint.rstrip("/") + CLOCK_PATH


def request_clock(url: str, body: dict[str, Any] | None) -> dict[str, Any]:
    """GET the clock (body None) or POST a move; returns the decoded answer, with `now` and `mode`."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method="POST" if data is not None else "GET")
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT_SECONDS) as response:
            answer = json.loads(response.read())
    except urllib.error.HTTPError as error:
        raise ClockCommandError(_error_message(error)) from error
    except urllib.error.URLError as error:
        reason = getattr(error.reason, "strerror", None) or error.reason
        endpoint = url.removesuffix(CLOCK_PATH)
        raise ClockCommandError(
            f"no local stack or engine is reachable at {endpoint} ({reason}); {_HOW_TO_START}"
        ) from error
    except (OSError, http.client.HTTPException, ValueError) as error:
        # Connected, but what answered (or stopped answering) is not a local clock endpoint.
        raise ClockCommandError(
            f"{url} did not answer as a local clock ({str(error) or type(error).__name__})"
        ) from error
    if not isinstance(answer, dict) or not {"now", "mode"} <= answer.keys():
        raise ClockCommandError(f"{url} did not answer as a local clock (got {str(answer)[:80]})")
    return answer


def _error_message(error: urllib.error.HTTPError) -> str:
    try:
        return str(json.loads(error.read())["message"])
    except (ValueError, KeyError, TypeError):
        return f"HTTP {error.code} from {error.url}"
