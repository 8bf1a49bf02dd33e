"""What `python -m local executions show` prints about one execution: what DescribeExecution says, the path
taken with the time each state took, and every error retried, caught or failed with."""

from __future__ import annotations

from typing import Any

from local.inspector.formatting import (
    cause_summary,
    format_duration,
    format_elapsed,
    format_moment,
    machine_name,
    seconds_between,
)
from local.inspector.history import StateVisit
from local.inspector.output import Column, Output
from local.inspector.path import LoopRounds, collapse_loops, visit_key

_PATH_COLUMNS = (
    Column("#", justify="right"),
    Column("State"),
    Column("Type"),
    Column("Entered after", justify="right"),
    Column("Took", justify="right"),
    Column("Outcome", coloured=True),
)
_ERROR_COLUMNS = (Column("State"), Column("Error"), Column("Cause"), Column("Then", coloured=True))


def print_execution(output: Output, execution: dict[str, Any], visits: list[StateVisit]) -> None:
    """The summary, input, output, path taken and errors of `execution` (DescribeExecution's answer), whose
    history made `visits`."""
    output.heading(f"Execution {execution['name']}")
    output.fields(_summary_fields(execution))
    output.line()
    output.heading("Input")
    output.json_document(execution.get("input") or "{}")
    if execution.get("output") is not None:
        output.line()
        output.heading("Output")
        output.json_document(execution["output"])
    output.line()
    _print_path(output, execution, visits)
    _print_errors(output, execution["status"], visits)


def _summary_fields(execution: dict[str, Any]) -> list[tuple[str, str]]:
    started, stopped = execution["startDate"], execution.get("stopDate")
    fields = [
        ("Status", execution["status"]),
        ("State machine", machine_name(execution["stateMachineArn"])),
        ("Execution ARN", execution["executionArn"]),
        ("Started", format_moment(started, milliseconds=True)),
        ("Stopped", format_moment(stopped, milliseconds=True)),
        ("Duration", format_duration(seconds_between(started, stopped)) if stopped else "(running)"),
    ]
    if execution.get("redriveCount"):
        fields.append(("Redriven", f"{execution['redriveCount']} time(s)"))
    if execution.get("error") is not None:
        fields.append(("Error", execution["error"]))
    if execution.get("cause") is not None:
        fields.append(("Cause", execution["cause"]))
    return fields


def _print_path(output: Output, execution: dict[str, Any], visits: list[StateVisit]) -> None:
    status, started, stopped = execution["status"], execution["startDate"], execution.get("stopDate")
    rows: list[list[str]] = []
    number = 0
    for item in collapse_loops(visits, visit_key(status)):
        if isinstance(item, LoopRounds):
            first, last = number + 1, number + len(item.visits)
            number = last
            arrow = "↻" if output.is_terminal else "..."
            states = "the state" if item.round_length == 1 else f"the {item.round_length} states"
            rows.append(
                [
                    f"{first}-{last}",
                    f"{arrow} {item.rounds} more rounds of {states} above",
                    "",
                    format_elapsed(seconds_between(started, item.visits[0].entered_at) or 0.0),
                    format_duration(sum(visit.took(stopped) or 0.0 for visit in item.visits)),
                    "as above",
                ]
            )
            continue
        number += 1
        rows.append(
            [
                str(number),
                _indented_name(item),
                item.state_type,
                format_elapsed(seconds_between(started, item.entered_at) or 0.0),
                format_duration(item.took(stopped)),
                item.outcome(status),
            ]
        )
    visited = "1 state" if len(visits) == 1 else f"{len(visits)} states"
    output.table(_PATH_COLUMNS, rows, title=f"Path taken ({visited} visited)")


def _indented_name(visit: StateVisit) -> str:
    iteration = f" [{visit.iteration}]" if visit.iteration is not None else ""
    return "  " * visit.depth + visit.name + iteration


def _print_errors(output: Output, status: str, visits: list[StateVisit]) -> None:
    rows = [
        [visit.name, failure.error, cause_summary(failure.cause), _handling(visit, failure.retried, status)]
        for visit in visits
        for failure in visit.failures
    ]
    if rows:
        output.line()
        output.table(_ERROR_COLUMNS, rows, title=f"Errors ({len(rows)})")


def _handling(visit: StateVisit, retried: bool, status: str) -> str:
    if retried:
        return "retried"
    if visit.exited_at is not None:
        return "caught"
    return "failed" if status != "RUNNING" else "running"
