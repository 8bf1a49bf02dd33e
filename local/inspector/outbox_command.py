"""`python -m local outbox`: the e-mails the stack's SES has sent (alerts to the technical contacts), oldest
first and newest last, read from the embedded AWS services' own data endpoint (moto's
`GET /moto-api/data.json`), since SES has no API that returns a sent message.
"""

from __future__ import annotations

import argparse
from typing import Any

from local.inspector.clients import DEFAULT_AWS_URL, aws_services_endpoint, call_json, http_url
from local.inspector.email_text import email_text_lines
from local.inspector.output import Output

MOTO_DATA_PATH = "/moto-api/data.json"
DEFAULT_BODY_LINES = 6


def register(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `outbox` subcommand."""
    parser = subcommands.add_parser(
        "outbox",
        help="the e-mails SES has sent in a running `python -m local up`, newest last",
        description="Print from, to, subject and the first lines of every e-mail the local stack has sent.",
    )
    parser.add_argument(
        "--lines",
        type=int,
        default=DEFAULT_BODY_LINES,
        metavar="N",
        help=f"lines of each body to show (default: {DEFAULT_BODY_LINES}; 0 for none)",
    )
    parser.add_argument(
        "--aws-endpoint",
        type=http_url,
        default=DEFAULT_AWS_URL,
        help=f"the stack's AWS services (moto) URL (default: {DEFAULT_AWS_URL})",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Print every sent e-mail."""
    endpoint = aws_services_endpoint(args.aws_endpoint)
    answer = call_json(endpoint, "GET", MOTO_DATA_PATH)
    if answer.status != 200 or not isinstance(answer.body, dict):
        raise endpoint.answered_otherwise(f"GET {MOTO_DATA_PATH} answered HTTP {answer.status}")
    messages: list[dict[str, Any]] = answer.body.get("ses", {}).get("Message", [])
    output = Output()
    if not messages:
        output.line(f"No e-mails sent yet by the stack at {endpoint.url}.")
        return 0
    for number, message in enumerate(messages, start=1):
        if number > 1:
            output.line()
        output.heading(f"E-mail {number} of {len(messages)}")
        output.fields(
            [
                ("From", str(message.get("source", ""))),
                ("To", ", ".join(_recipients(message))),
                ("Subject", str(message.get("subject", ""))),
            ]
        )
        lines = email_text_lines(str(message.get("body", "")))
        for line in lines[: max(args.lines, 0)]:
            output.line(f"    {line}")
        if len(lines) > args.lines > 0:
            output.line(f"    ... ({len(lines) - args.lines} more lines)")
    return 0


def _recipients(message: dict[str, Any]) -> list[str]:
    destinations = message.get("destinations") or {}
    return [
        address
        for kind in ("ToAddresses", "CcAddresses", "BccAddresses")
        for address in destinations.get(kind, [])
    ]
