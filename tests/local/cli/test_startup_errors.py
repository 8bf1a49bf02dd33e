"""`python -m local ...` refusing to start: one line on stderr naming the option, its value and why.

Each test runs the real command line in a child process, as a person would, and fails on any traceback.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.local.local_command import EXIT_TIMEOUT_SECONDS, REPO_ROOT, run_local_command

FREE_PORTS = ("--port", "0", "--sfn-port", "0", "--aws-port", "0", "--third-party-port", "0")


def the_error_line(result: subprocess.CompletedProcess[str]) -> str:
    """The single line a refused start prints; fails the test unless that is all it printed to stderr."""
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A port another program listens on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield listener.getsockname()[1]


@pytest.fixture
def closed_port() -> int:
    """A port nothing listens on (it was free a moment ago)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def _with_port(option: str, port: int) -> list[str]:
    arguments = list(FREE_PORTS)
    arguments[arguments.index(option) + 1] = str(port)
    return arguments


@pytest.mark.parametrize(
    ("command", "option"),
    [
        ("up", "--port"),
        ("up", "--sfn-port"),
        ("up", "--aws-port"),
        ("up", "--third-party-port"),
        ("sfn", "--port"),
    ],
)
def test_a_taken_port_is_named(taken_port: int, command: str, option: str) -> None:
    # Given a port another program listens on
    # When a command is asked to listen there
    arguments = _with_port(option, taken_port) if command == "up" else ["--port", str(taken_port)]
    result = run_local_command([command, *arguments])
    # Then it refuses in one line naming the option, the port and why
    line = the_error_line(result)
    assert f"{option} {taken_port}: the port is already in use" in line


def test_two_options_given_the_same_port_are_named(closed_port: int) -> None:
    # Given the Schedule API and the Step Functions API asked for one port
    arguments = _with_port("--port", closed_port)
    arguments[arguments.index("--sfn-port") + 1] = str(closed_port)
    # When `up` starts
    result = run_local_command(["up", *arguments])
    # Then it says which option collides with which
    assert f"--sfn-port {closed_port}: the same port as --port" in the_error_line(result)


@pytest.mark.parametrize("command", ["up", "sfn"])
def test_a_state_dir_that_is_a_file_is_named(tmp_path: Path, command: str) -> None:
    # Given a regular file where the state directory should be
    state_dir = tmp_path / "state"
    state_dir.write_text("not a directory")
    # When a command is asked to keep its state there
    ports = FREE_PORTS if command == "up" else ("--port", "0")
    result = run_local_command([command, *ports, "--state-dir", str(state_dir)])
    # Then it refuses in one line naming the option and the path
    assert f"--state-dir {state_dir}: is a file, not a directory" in the_error_line(result)


def test_a_state_dir_under_a_file_names_the_file_in_the_way(tmp_path: Path) -> None:
    # Given a state directory whose parent is a regular file
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    # When `sfn` is asked to create it
    result = run_local_command(["sfn", "--port", "0", "--state-dir", str(blocker / "state")])
    # Then the one line says which part of the path is in the way
    assert f"--state-dir {blocker / 'state'}: cannot create the directory ({blocker} is a file)" in (
        the_error_line(result)
    )


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write in any directory")
def test_a_state_dir_without_permission_is_named(tmp_path: Path) -> None:
    # Given a directory this user may only read
    state_dir = tmp_path / "read-only"
    state_dir.mkdir(mode=0o500)
    try:
        # When `sfn` is asked to keep its state there
        result = run_local_command(["sfn", "--port", "0", "--state-dir", str(state_dir)])
    finally:
        state_dir.chmod(0o700)
    # Then it refuses in one line
    assert f"--state-dir {state_dir}: this user cannot read and write in the directory" in the_error_line(
        result
    )


def test_a_state_file_that_is_not_a_database_is_named(tmp_path: Path) -> None:
    # Given a state directory whose state file holds something else
    (tmp_path / "sfn.sqlite3").write_text("not a database")
    # When `sfn` starts on it
    result = run_local_command(["sfn", "--port", "0", "--state-dir", str(tmp_path)])
    # Then it names the directory and the file
    assert f"--state-dir {tmp_path}: cannot use {tmp_path / 'sfn.sqlite3'}" in the_error_line(result)


def _attempts(attempts: object) -> str:
    return json.dumps(
        {
            "StateMachines": {"Orders": {"TestCases": {"HappyPath": {"Charge": "ChargeOk"}}}},
            "MockedResponses": {"ChargeOk": attempts},
        }
    )


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (None, "cannot read it (No such file or directory)"),
        ("{not json", "not JSON (Expecting property name enclosed in double quotes"),
        ("[1]", "the document must be a JSON object with StateMachines and MockedResponses"),
        (_attempts({"a": {"Return": 1}}), "MockedResponses.ChargeOk: attempt key 'a' is neither"),
        (
            _attempts({"2-1": {"Return": 1}}),
            "MockedResponses.ChargeOk: attempt range '2-1' ends before it starts",
        ),
        (_attempts({"-1": {"Return": 1}}), "MockedResponses.ChargeOk: attempt key '-1' is neither"),
        (_attempts({"0": {"Return": 1, "Throw": {}}}), "ChargeOk.0: needs exactly one of Return or Throw"),
        (
            json.dumps({"StateMachines": {"Orders": {"TestCases": {"HappyPath": {"Charge": "Missing"}}}}}),
            "names the response 'Missing', which is not in MockedResponses",
        ),
    ],
)
def test_an_invalid_mock_config_is_named(tmp_path: Path, content: str | None, problem: str) -> None:
    # Given a mock configuration that is missing, not JSON, or not a valid MockConfigFile
    mock_config = tmp_path / "mocks.json"
    if content is not None:
        mock_config.write_text(content)
    # When `sfn` starts with it
    result = run_local_command(["sfn", "--port", "0", "--mock-config", str(mock_config)])
    # Then it refuses before serving, in one line naming the option, the file and the problem
    line = the_error_line(result)
    assert line.startswith(f"error: --mock-config {mock_config}: ")
    assert problem in line
    assert result.stdout == ""


def test_the_clock_command_says_no_stack_is_reachable(closed_port: int) -> None:
    # Given no stack listening at an endpoint
    endpoint = f"http://127.0.0.1:{closed_port}"
    # When the clock command asks it for the time
    result = run_local_command(["clock", "--endpoint", endpoint, "now"])
    # Then it says so in one line, with how to start one, and exits 1
    line = the_error_line(result)
    assert f"no local stack or engine is reachable at {endpoint}" in line
    assert "python -m local up" in line
    assert result.returncode == 1


def _run_with_failing_command(failure: str, *options: str) -> subprocess.CompletedProcess[str]:
    """`python -m local [OPTIONS] clock now` in a process where the command raises `failure` when it runs."""
    program = (
        "import sys\n"
        "import local.sfn_api.clock_command as command\n"
        "from local.cli import main\n"
        "def run(args):\n"
        f"    raise {failure}\n"
        "command.run = run\n"
        f"sys.exit(main([*{list(options)!r}, 'clock', 'now']))\n"
    )
    return subprocess.run(
        [sys.executable, "-c", program],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=EXIT_TIMEOUT_SECONDS,
        check=False,
    )


def test_an_unexpected_failure_is_one_line_and_its_traceback_is_for_debug_only() -> None:
    # Given a command that fails in a way nobody foresaw, with a message on two lines
    failure = "RuntimeError('the disk\\nmelted')"
    # When it runs at the default log level, and at DEBUG
    quiet = _run_with_failing_command(failure)
    debugging = _run_with_failing_command(failure, "--log-level", "debug")
    # Then the default is one line naming the command and the error; DEBUG adds the traceback before it
    report = "error: clock failed: RuntimeError: the disk melted (--log-level DEBUG shows where)"
    assert the_error_line(quiet) == report
    assert quiet.returncode == 1
    assert "Traceback" in debugging.stderr
    assert debugging.stderr.splitlines()[-1] == report


def test_an_interrupted_start_exits_130_quietly() -> None:
    # Given a command interrupted by Ctrl-C before it serves
    # When it runs
    result = _run_with_failing_command("KeyboardInterrupt")
    # Then it exits as shells expect after Ctrl-C, printing nothing
    assert result.returncode == 130
    assert result.stderr == ""
