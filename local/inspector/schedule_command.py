"""`python -m local schedule --at TIME --payload JSON`: schedule a request through a running stack's
Schedule API (`POST /schedules`), as a client of the product would.

    python -m local schedule --at +90m --payload '{"orderId": "A-1001"}'
    python -m local schedule --at 2026-12-24T18:00:00Z --payload '{}' --idempotency-key order-A-1001

A relative time (`+90m`, `+3d`, `+1d12h`) counts from the stack's clock, which may be virtual.
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime, timedelta
from typing import Any

from local.cli import CommandError
from local.inspector.clients import DEFAULT_API_URL, Endpoint, call_json, http_url
from local.inspector.output import Output
from local.sfn_api.clock_command import parse_duration
from local.sfn_api.clock_control import CLOCK_PATH, format_rfc3339, parse_rfc3339

SCHEDULES_PATH = "/schedules"


def register(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `schedule` subcommand."""
    parser = subcommands.add_parser(
        "schedule",
        help="schedule a request through the Schedule API of a running `python -m local up`",
        description="POST /schedules to a running stack and print the scheduleId and status.",
    )
    parser.add_argument(
        "--at",
        required=True,
        type=trigger_time,
        metavar="TIME",
        help="RFC 3339 with an offset (2026-12-24T18:00:00Z), or from the stack's clock: +90m, +3d, +1d12h",
    )
    parser.add_argument(
        "--payload",
        type=json_object,
        default={},
        metavar="JSON",
        help="the request's payload object (default: {})",
    )
    parser.add_argument("--target", help="the processor to run (default: the API's default target)")
    parser.add_argument("--idempotency-key", help="sent as the Idempotency-Key header")
    parser.add_argument(
        "--endpoint",
        type=http_url,
        default=DEFAULT_API_URL,
        help=f"Schedule API URL (default: {DEFAULT_API_URL})",
    )
    parser.set_defaults(run=run)


def trigger_time(text: str) -> datetime | timedelta:
    """An argparse type: an RFC 3339 moment, or a `+DURATION` from the stack's now."""
    if text.startswith("+"):
        return timedelta(seconds=parse_duration(text[1:]))
    try:
        return parse_rfc3339(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(
            f"not a time: {text!r} (RFC 3339 with an offset such as 2026-12-24T18:00:00Z, or +90m, +3d)"
        ) from error


def json_object(text: str) -> dict[str, Any]:
    """An argparse type: a JSON object."""
    try:
        value = json.loads(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not JSON: {text!r} ({error})") from error
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError(f"not a JSON object: {text!r}")
    return value


def schedule_api_endpoint(url: str) -> Endpoint:
    """The Schedule API named by `--endpoint`."""
    return Endpoint(url=url, option="--endpoint", serves="Schedule API", started_by="`python -m local up`")


def run(args: argparse.Namespace) -> int:
    """POST /schedules and print what the API answered."""
    endpoint = schedule_api_endpoint(args.endpoint)
    trigger_at = args.at if isinstance(args.at, datetime) else stack_now(endpoint) + args.at
    body: dict[str, Any] = {
        "triggerAt": format_rfc3339(trigger_at.replace(microsecond=0)),
        "payload": args.payload,
    }
    if args.target:
        body["target"] = args.target
    headers = {"Idempotency-Key": args.idempotency_key} if args.idempotency_key else {}
    answer = call_json(endpoint, "POST", SCHEDULES_PATH, body, headers)
    if not 200 <= answer.status < 300 or not isinstance(answer.body, dict) or "scheduleId" not in answer.body:
        raise CommandError(
            f"the Schedule API at {endpoint.url} refused the request: {_refusal(answer.status, answer.body)}"
        )
    schedule = answer.body
    replayed = answer.headers.get("Idempotent-Replayed") == "true"
    output = Output()
    output.fields(
        [
            ("Schedule ID", schedule["scheduleId"]),
            ("Status", str(schedule.get("status"))),
            ("Trigger at", str(schedule.get("triggerAt"))),
            ("Execution", str(schedule.get("executionArn"))),
            *([("Replayed", "yes: this Idempotency-Key was used before")] if replayed else []),
        ]
    )
    output.line(f"Read it: curl {endpoint.url}{SCHEDULES_PATH}/{schedule['scheduleId']}")
    output.line(f"Follow it: python -m local executions watch {schedule['scheduleId']}")
    return 0


def stack_now(endpoint: Endpoint) -> datetime:
    """The stack's clock (`GET /_local/clock`), which relative times count from."""
    answer = call_json(endpoint, "GET", CLOCK_PATH)
    try:
        return parse_rfc3339(answer.body["now"])
    except (KeyError, TypeError, ValueError) as error:
        raise endpoint.answered_otherwise(
            f"GET {CLOCK_PATH} answered HTTP {answer.status} without a time"
        ) from error


def _refusal(status: int, body: Any) -> str:
    if not isinstance(body, dict):
        return f"HTTP {status}"
    field = f" (field {body['field']})" if body.get("field") else ""
    return f"HTTP {status} {body.get('error', '')}: {body.get('message', '')}{field}"
