"""`python -m local executions list | show NAME | history NAME [--json] | watch NAME`: executions of a running
`python -m local up` or `python -m local sfn`, read through the Step Functions API as boto3 reads them.

    python -m local executions list --machine ConsentDeletion --status FAILED
    python -m local executions show C-1002          # a name, the start of one, or an execution ARN
    python -m local executions history C-1002 --json > history.json
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import UTC, datetime
from typing import Any

from local.inspector.clients import DEFAULT_STEPFUNCTIONS_URL, http_url, reporting_failures
from local.inspector.execution_report import print_execution
from local.inspector.formatting import (
    cause_summary,
    format_duration,
    format_elapsed,
    format_moment,
    machine_name,
    seconds_between,
)
from local.inspector.history import EventRow, HistoryWalk
from local.inspector.output import Column, Output
from local.inspector.step_functions import StepFunctionsReader, stepfunctions_endpoint
from local.startup_checks import positive_whole_number

STATUSES = ("RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE")
DEFAULT_LIMIT = 20
DEFAULT_WATCH_INTERVAL_SECONDS = 0.5
_FINAL_EVENTS = frozenset({"ExecutionSucceeded", "ExecutionFailed", "ExecutionTimedOut", "ExecutionAborted"})
_HOW_TO_MOVE_THE_CLOCK = "a virtual clock moves with `python -m local clock advance ...`"

_EVENT_COLUMNS = (
    Column("ID", justify="right"),
    Column("Type"),
    Column("Step"),
    Column("Resource"),
    Column("Started after", justify="right"),
    Column("Date and time (UTC)"),
)


def register(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `executions` subcommand with its `list`, `show`, `history` and `watch` actions."""
    parser = subcommands.add_parser(
        "executions",
        help="list executions, show one's path, read or follow its history (Step Functions API)",
        description="Inspect the executions of a running `python -m local up` or `python -m local sfn`.",
    )
    parser.add_argument(
        "--endpoint",
        type=http_url,
        default=DEFAULT_STEPFUNCTIONS_URL,
        help=f"Step Functions API URL (default: {DEFAULT_STEPFUNCTIONS_URL})",
    )
    # The same option after the action (`executions list --endpoint URL`), not overriding one given before.
    endpoint_after = argparse.ArgumentParser(add_help=False)
    endpoint_after.add_argument(
        "--endpoint", type=http_url, default=argparse.SUPPRESS, help=argparse.SUPPRESS
    )
    actions = parser.add_subparsers(dest="executions_action", required=True, metavar="ACTION")

    listing = actions.add_parser("list", parents=[endpoint_after], help="executions, newest first")
    listing.add_argument("--machine", help="only this state machine (name or ARN)")
    listing.add_argument("--status", type=str.upper, choices=STATUSES, help="only executions in this status")
    listing.add_argument(
        "--limit",
        type=positive_whole_number,
        default=DEFAULT_LIMIT,
        help=f"at most N (default: {DEFAULT_LIMIT})",
    )
    listing.set_defaults(run=run_list)

    show = actions.add_parser(
        "show", parents=[endpoint_after], help="status, input, output or error, path taken"
    )
    show.add_argument("name", metavar="NAME", help="execution name (or its start), or execution ARN")
    show.set_defaults(run=run_show)

    history = actions.add_parser("history", parents=[endpoint_after], help="the event table of an execution")
    history.add_argument("name", metavar="NAME", help="execution name (or its start), or execution ARN")
    history.add_argument("--json", action="store_true", help="print GetExecutionHistory's JSON (all pages)")
    history.set_defaults(run=run_history)

    watch = actions.add_parser(
        "watch", parents=[endpoint_after], help="print an execution's events as they happen, until it ends"
    )
    watch.add_argument("name", metavar="NAME", help="execution name (or its start), or execution ARN")
    watch.add_argument(
        "--interval",
        type=float,
        default=DEFAULT_WATCH_INTERVAL_SECONDS,
        help=f"seconds between polls (default: {DEFAULT_WATCH_INTERVAL_SECONDS})",
    )
    watch.set_defaults(run=run_watch)


def run_list(args: argparse.Namespace) -> int:
    """`executions list`: name, machine, status, start, stop and duration, newest first."""
    endpoint = stepfunctions_endpoint(args.endpoint)
    with reporting_failures(endpoint):
        reader = StepFunctionsReader(endpoint)
        executions = reader.executions(reader.state_machine_arns(args.machine), args.status)
    output = Output()
    if not executions:
        output.line(f"No executions{f' in status {args.status}' if args.status else ''} at {endpoint.url}.")
        return 0
    shown = executions[: args.limit]
    rows = [
        [
            execution["name"],
            machine_name(execution["stateMachineArn"]),
            execution["status"],
            format_moment(execution["startDate"]),
            format_moment(execution.get("stopDate")),
            format_duration(seconds_between(execution["startDate"], execution.get("stopDate"))),
        ]
        for execution in shown
    ]
    columns = (
        Column("Name"),
        Column("Machine"),
        Column("Status", coloured=True),
        Column("Start (UTC)"),
        Column("Stop (UTC)"),
        Column("Duration", justify="right"),
    )
    output.table(columns, rows)
    if len(executions) > len(shown):
        output.line(f"Showing {len(shown)} of {len(executions)} executions; --limit N shows more.")
    return 0


def run_show(args: argparse.Namespace) -> int:
    """`executions show NAME`: what DescribeExecution says, and the path taken from the history."""
    endpoint = stepfunctions_endpoint(args.endpoint)
    with reporting_failures(endpoint):
        reader = StepFunctionsReader(endpoint)
        execution = reader.find(args.name)
        events = reader.history(execution["executionArn"])
    walk = HistoryWalk()
    for event in events:
        walk.add(event)
    print_execution(Output(), execution, walk.visits)
    return 0


def run_history(args: argparse.Namespace) -> int:
    """`executions history NAME`: the event table, or with --json GetExecutionHistory's answer."""
    endpoint = stepfunctions_endpoint(args.endpoint)
    with reporting_failures(endpoint):
        reader = StepFunctionsReader(endpoint)
        execution = reader.find(args.name)
        events = reader.history(execution["executionArn"])
    if args.json:
        print(history_json(events))
        return 0
    walk = HistoryWalk()
    rows = [_event_cells(walk.add(event)) for event in events]
    Output().table(
        _EVENT_COLUMNS, rows, title=f"{execution['name']}: {len(rows)} events, {execution['status']}"
    )
    return 0


def history_json(events: list[dict[str, Any]]) -> str:
    """GetExecutionHistory's answer with every page merged, `{"events": [...]}`; dates in ISO 8601 (UTC), as
    the AWS CLI v2 prints them."""
    return json.dumps({"events": events}, indent=2, ensure_ascii=False, default=_iso_date)


def _iso_date(value: object) -> str:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


def _event_cells(row: EventRow) -> list[str]:
    return [
        str(row.event_id),
        row.event_type,
        row.step,
        row.resource,
        format_elapsed(row.since_start),
        format_moment(row.timestamp, milliseconds=True),
    ]


def run_watch(args: argparse.Namespace) -> int:
    """`executions watch NAME`: print each new event until the execution ends; 0 only if it succeeded."""
    endpoint = stepfunctions_endpoint(args.endpoint)
    output = Output()
    walk = HistoryWalk()
    with reporting_failures(endpoint):
        reader = StepFunctionsReader(endpoint)
        execution = reader.find(args.name)
        arn = execution["executionArn"]
        output.heading(f"Watching {execution['name']} ({machine_name(execution['stateMachineArn'])})")
        if execution["status"] == "RUNNING":
            output.line(f"Until it ends; Ctrl-C stops watching ({_HOW_TO_MOVE_THE_CLOCK}).")
        seen = 0
        while True:
            events = reader.history(arn)
            for event in events[seen:]:
                _print_event(output, walk.add(event))
            seen = len(events)
            if events and events[-1]["type"] in _FINAL_EVENTS:
                execution = reader.describe(arn)
                if execution["status"] != "RUNNING":
                    break
            time.sleep(args.interval)
    return _report_end(output, execution)


def _print_event(output: Output, row: EventRow) -> None:
    event_id, event_type, step, resource, since_start, timestamp = _event_cells(row)
    output.line(
        f"{event_id:>5}  {since_start:>14}  {timestamp}  {event_type:<28}  {step}  {resource}".rstrip()
    )


def _report_end(output: Output, execution: dict[str, Any]) -> int:
    status = execution["status"]
    took = format_duration(seconds_between(execution["startDate"], execution.get("stopDate")))
    error = f": {execution['error']}" if execution.get("error") else ""
    cause = f" ({cause_summary(execution['cause'])})" if execution.get("cause") else ""
    output.line(
        f"{status}{error} after {took}{cause}", style="green" if status == "SUCCEEDED" else "bold red"
    )
    return 0 if status == "SUCCEEDED" else 1
