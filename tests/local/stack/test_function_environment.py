"""Each in-process function sees its own environment variables, also when invocations overlap."""

from __future__ import annotations

import os
import threading
import uuid

import pytest

from local.stack.function_environment import FunctionVariables, function_environment, install


@pytest.fixture
def variable() -> str:
    install()
    return f"LOCAL_STACK_TEST_{uuid.uuid4().hex.upper()}"


def test_declared_variables_show_only_inside_the_function(variable: str) -> None:
    # Given a function declaring a variable the process does not have
    variables = FunctionVariables({variable: "declared"})

    # When it runs, Then it sees the variable; outside, nobody does
    with function_environment(variables):
        assert os.environ[variable] == "declared"
        assert os.getenv(variable) == "declared"
        assert variable in dict(os.environ)
    assert variable not in os.environ


def test_the_process_environment_shows_through(variable: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a process-wide variable
    monkeypatch.setenv(variable, "process")

    # When a function that does not declare it runs, Then it sees the process value
    with function_environment(FunctionVariables({})):
        assert os.environ[variable] == "process"


def test_writes_and_removals_stay_with_the_function(variable: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a process-wide variable and a function
    monkeypatch.setenv(variable, "process")
    variables = FunctionVariables({})

    # When the function removes it and sets another one
    with function_environment(variables):
        del os.environ[variable]
        os.environ[variable + "_NEW"] = "set by the function"
        assert variable not in os.environ

    # Then the process is unchanged, and the function keeps its changes for its next call
    assert os.environ[variable] == "process"
    assert variable + "_NEW" not in os.environ
    with function_environment(variables):
        assert variable not in os.environ
        assert os.environ[variable + "_NEW"] == "set by the function"


def test_overlapping_invocations_on_two_threads_see_their_own_values(variable: str) -> None:
    # Given two functions declaring different values, running at the same time on two threads
    both_inside = threading.Barrier(2, timeout=10)
    seen: dict[str, str] = {}

    def invoke(value: str) -> None:
        with function_environment(FunctionVariables({variable: value})):
            both_inside.wait()  # both scopes are active now
            seen[value] = os.environ[variable]

    threads = [threading.Thread(target=invoke, args=(value,)) for value in ("first", "second")]

    # When both run
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    # Then each saw its own value
    assert seen == {"first": "first", "second": "second"}
