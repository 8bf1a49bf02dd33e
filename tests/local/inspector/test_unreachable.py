"""Every inspector command, given an address where nothing listens: one line on stderr, exit 1, no traceback.

Each runs the real command line in a child process, as a person would."""

from __future__ import annotations

import socket

import pytest

from tests.local.local_command import run_local_command


@pytest.fixture
def closed_url() -> str:
    """A URL nothing listens on (its port was free a moment ago)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (["executions", "list", "--endpoint", "{url}"], "no Step Functions API is reachable at {url}"),
        (["executions", "show", "x", "--endpoint", "{url}"], "no Step Functions API is reachable at {url}"),
        (["schedule", "--at", "+1h", "--endpoint", "{url}"], "no Schedule API is reachable at {url}"),
        (
            ["consent", "--aws-endpoint", "{url}", "revoke", "C-1"],
            "no AWS services (moto) is reachable at {url}",
        ),
        (["outbox", "--aws-endpoint", "{url}"], "no AWS services (moto) is reachable at {url}"),
    ],
)
def test_an_unreachable_endpoint_is_one_line_and_exit_1(
    closed_url: str, arguments: list[str], expected: str
) -> None:
    # Given / When
    result = run_local_command([argument.format(url=closed_url) for argument in arguments])
    # Then
    assert result.returncode == 1, result.stdout
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(f"error: {expected.format(url=closed_url)} (Connection refused); start ")
    assert result.stdout == ""
