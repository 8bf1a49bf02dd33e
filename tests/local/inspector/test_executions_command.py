"""`python -m local executions list | show | history` against the Step Functions HTTP API of an engine
holding known executions (see conftest): what each prints, in plain text as a pipe gets it."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest

from tests.local.inspector.conftest import (
    INSPECTED_PATH,
    MAP_ITEMS,
    InspectedEngine,
    full_history,
    one_error_line,
    run_cli,
    table_rows,
)

Capsys = pytest.CaptureFixture[str]


def test_list_shows_every_execution_newest_first(inspected: InspectedEngine, capsys: Capsys) -> None:
    # Given three executions: known-run, then Failing's twin at the same time, then Inspected's twin later
    # When
    result = run_cli(capsys, "executions", "list", "--endpoint", inspected.endpoint)
    # Then
    assert result.code == 0, result.err
    assert result.lines[0].split() == [
        "NAME",
        "MACHINE",
        "STATUS",
        "START",
        "(UTC)",
        "STOP",
        "(UTC)",
        "DURATION",
    ]
    rows = table_rows(result.lines, "NAME")
    assert [row[:3] for row in rows] == [
        ["twin", "Inspected", "RUNNING"],
        ["twin", "Failing", "FAILED"],
        ["known-run", "Inspected", "SUCCEEDED"],
    ]
    assert rows[2][3:] == ["2026-01-01 00:00:00Z", "2026-01-01 00:01:02Z", "1m 02s"]
    assert rows[0][4:] == ["-", "-"]  # still running: no stop, no duration


@pytest.mark.parametrize(
    ("options", "names"),
    [
        (["--machine", "Failing"], [("twin", "Failing")]),
        (["--status", "succeeded"], [("known-run", "Inspected")]),
        (["--machine", "Inspected", "--status", "RUNNING"], [("twin", "Inspected")]),
    ],
)
def test_list_filters_by_machine_and_status(
    inspected: InspectedEngine, capsys: Capsys, options: list[str], names: list[tuple[str, str]]
) -> None:
    # Given / When
    result = run_cli(capsys, "executions", "list", "--endpoint", inspected.endpoint, *options)
    # Then
    assert result.code == 0, result.err
    assert [(row[0], row[1]) for row in table_rows(result.lines, "NAME")] == names


def test_list_limit_says_how_many_are_not_shown(inspected: InspectedEngine, capsys: Capsys) -> None:
    # Given / When
    result = run_cli(capsys, "executions", "--endpoint", inspected.endpoint, "list", "--limit", "1")
    # Then
    assert result.code == 0, result.err
    assert len(result.lines) == 3
    assert result.lines[1].split()[:3] == ["twin", "Inspected", "RUNNING"]
    assert result.lines[2] == "Showing 1 of 3 executions; --limit N shows more."


def test_list_of_an_unknown_machine_is_one_line(inspected: InspectedEngine, capsys: Capsys) -> None:
    # Given / When
    result = run_cli(capsys, "executions", "list", "--endpoint", inspected.endpoint, "--machine", "Nope")
    # Then
    line = one_error_line(result)
    assert "--machine Nope: no such state machine" in line
    assert "Failing, Inspected" in line or "Inspected, Failing" in line


def test_show_prints_status_input_output_and_the_path_in_order(
    inspected: InspectedEngine, capsys: Capsys
) -> None:
    # Given known-run: Flaky failed once and was retried, Fan mapped 30 items, Broken's error was caught
    # When
    result = run_cli(capsys, "executions", "show", "known-run", "--endpoint", inspected.endpoint)
    # Then the summary
    assert result.code == 0, result.err
    assert result.lines[0] == "Execution known-run"
    assert "Status:         SUCCEEDED" in result.lines
    assert "State machine:  Inspected" in result.lines
    assert "Duration:       1m 02s" in result.lines
    assert "Input" in result.lines and "Output" in result.lines
    assert '    "Error": "ValueError",' in result.lines  # the output holds the caught error
    # Then the path: every visited state in order, Map iterations collapsed into one line
    path = table_rows(result.lines, "#  STATE")
    states = [row[1] for row in path if not row[1].startswith("...")]
    assert states == ["Prepare", "Flaky", "Fan", "Inner [0]", "Broken", "Recover", "Done"]
    assert [name.split(" [")[0] for name in states] == INSPECTED_PATH
    assert "Never" not in result.out
    by_state = {row[1]: row for row in path}
    assert by_state["Flaky"][2:] == ["Task", "00:00:00.000", "2s", "succeeded (1 retry)"]
    assert by_state["Broken"][-1] == "caught ValueError"
    assert by_state["Recover"][2:] == ["Wait", "00:00:02.000", "1m 00s", "succeeded"]
    loop = next(row for row in path if row[1].startswith("..."))
    assert loop[:2] == [f"5-{3 + MAP_ITEMS}", f"... {MAP_ITEMS - 1} more rounds of the state above"]
    assert f"Path taken ({MAP_ITEMS + 6} states visited)" in result.lines
    # Then the errors: the retried one and the caught one
    assert table_rows(result.lines, "STATE   ERROR") == [
        ["Flaky", "ConnectionError", "the first call of each run fails", "retried"],
        ["Broken", "ValueError", "always broken", "caught"],
    ]


def test_show_of_a_failed_execution_by_its_arn(inspected: InspectedEngine, capsys: Capsys) -> None:
    # Given / When
    result = run_cli(capsys, "executions", "show", inspected.failed_arn, "--endpoint", inspected.endpoint)
    # Then
    assert result.code == 0, result.err
    assert "Status:         FAILED" in result.lines
    assert "Error:          ValueError" in result.lines
    assert any(line.startswith("Cause:") and "always broken" in line for line in result.lines)
    assert table_rows(result.lines, "#  STATE") == [
        ["1", "Broken", "Task", "00:00:00.000", "0s", "failed ValueError"]
    ]


def test_show_of_a_running_execution_marks_the_current_state(
    inspected: InspectedEngine, capsys: Capsys
) -> None:
    # Given Inspected's twin, waiting in Recover
    # When
    result = run_cli(capsys, "executions", "show", inspected.twin_arn, "--endpoint", inspected.endpoint)
    # Then
    assert result.code == 0, result.err
    assert "Status:         RUNNING" in result.lines
    assert "Duration:       (running)" in result.lines
    path = table_rows(result.lines, "#  STATE")
    assert path[-1][1:3] == ["Recover", "Wait"]
    assert path[-1][-1] == "running"


def test_a_name_in_two_state_machines_is_reported_in_one_line(
    inspected: InspectedEngine, capsys: Capsys
) -> None:
    # Given `twin` in Inspected and in Failing
    # When
    result = run_cli(capsys, "executions", "show", "twin", "--endpoint", inspected.endpoint)
    # Then
    line = one_error_line(result)
    assert "twin names executions of 2 state machines" in line
    assert inspected.twin_arn in line and inspected.failed_arn in line


def test_the_start_of_a_name_is_enough_when_one_execution_has_it(
    inspected: InspectedEngine, capsys: Capsys
) -> None:
    # Given / When
    result = run_cli(capsys, "executions", "show", "known", "--endpoint", inspected.endpoint)
    # Then
    assert result.code == 0, result.err
    assert result.lines[0] == "Execution known-run"


def test_an_unknown_name_is_one_line(inspected: InspectedEngine, capsys: Capsys) -> None:
    # Given / When
    result = run_cli(capsys, "executions", "history", "nobody", "--endpoint", inspected.endpoint)
    # Then
    assert "no execution named nobody" in one_error_line(result)


def test_history_has_one_row_per_event_with_step_and_resource(
    inspected: InspectedEngine, capsys: Capsys
) -> None:
    # Given
    events = full_history(inspected.sfn, inspected.succeeded_arn)["events"]
    # When
    result = run_cli(capsys, "executions", "history", "known-run", "--endpoint", inspected.endpoint)
    # Then
    assert result.code == 0, result.err
    assert result.lines[0] == f"known-run: {len(events)} events, SUCCEEDED"
    assert result.lines[1].split() == [
        "ID", "TYPE", "STEP", "RESOURCE", "STARTED", "AFTER", "DATE", "AND", "TIME", "(UTC)"
    ]  # fmt: skip
    rows = table_rows(result.lines, "ID")
    assert [int(row[0]) for row in rows] == [event["id"] for event in events]
    assert [row[1] for row in rows] == [event["type"] for event in events]
    assert rows[0] == ["1", "ExecutionStarted", "00:00:00.000", "2026-01-01 00:00:00.000Z"]
    scheduled = [row for row in rows if row[1] == "TaskScheduled"]
    assert [row[2:4] for row in scheduled] == [["Flaky", "flaky"], ["Flaky", "flaky"], ["Broken", "broken"]]
    assert [row[2] for row in rows if row[1] == "MapIterationStarted"] == ["Fan"] * MAP_ITEMS
    assert rows[-2][1:] == ["SucceedStateExited", "Done", "00:01:02.000", "2026-01-01 00:01:02.000Z"]


def test_history_json_is_get_execution_history_with_every_page(
    inspected: InspectedEngine, capsys: Capsys
) -> None:
    # Given the history through boto3, longer than one page
    expected = full_history(inspected.sfn, inspected.succeeded_arn)
    assert len(expected["events"]) > 100
    # When
    result = run_cli(capsys, "executions", "history", "known-run", "--json", "--endpoint", inspected.endpoint)
    # Then: the same document, dates as ISO 8601 in UTC
    assert result.code == 0, result.err
    printed = json.loads(result.out)
    assert printed == json.loads(
        json.dumps(expected, default=lambda moment: moment.astimezone(UTC).isoformat())
    )
    assert datetime.fromisoformat(printed["events"][0]["timestamp"]) == expected["events"][0]["timestamp"]


def test_on_a_terminal_the_list_is_a_rich_table(
    inspected: InspectedEngine, capsys: Capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a terminal (rich treats FORCE_COLOR as one)
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "160")
    # When
    result = run_cli(capsys, "executions", "list", "--endpoint", inspected.endpoint)
    # Then
    assert result.code == 0, result.err
    assert "\x1b[" in result.out  # coloured statuses
    plain = re.sub(r"\x1b\[[0-9;]*m", "", result.out)
    assert "┃ Name " in plain
    assert "│ known-run │ Inspected │ SUCCEEDED │" in plain
