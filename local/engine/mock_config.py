"""Step Functions Local MockConfigFile support: canned task responses per test case and attempt.

    {"StateMachines": {"<machine>": {"TestCases": {"<case>": {"<state>": "<response>"}}}},
     "MockedResponses": {"<response>": {"0": {"Return": ...}, "1-2": {"Throw": {"Error": .., "Cause": ..}}}}}

An execution uses a test case when it is started on "<state machine ARN>#<case>". Attempt keys count
the invocations of that state in the execution from 0; past the last key the last response repeats.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from local.engine.errors import ApiError

ENVIRONMENT_VARIABLE = "SFN_MOCK_CONFIG"


@dataclass(frozen=True)
class MockedResponse:
    """One canned response: a Return value, or a Throw with error and cause."""

    returns: Any = None
    error: str | None = None
    cause: str | None = None

    @property
    def throws(self) -> bool:
        """Whether the response is a failure."""
        return self.error is not None


class MockConfig:
    """A parsed MockConfigFile."""

    def __init__(self, document: dict[str, Any]) -> None:
        self._machines = document.get("StateMachines") or {}
        self._responses = document.get("MockedResponses") or {}

    @classmethod
    def load(cls, source: str | Path | dict[str, Any] | None) -> MockConfig | None:
        """From a dict, a file path, or (when None) the file named by $SFN_MOCK_CONFIG."""
        if source is None:
            source = os.environ.get(ENVIRONMENT_VARIABLE) or None
            if source is None:
                return None
        if isinstance(source, dict):
            return cls(source)
        try:
            return cls(json.loads(Path(source).read_text()))
        except (OSError, ValueError) as exc:
            raise ApiError(
                "ValidationException", f"Cannot read the mock configuration {source}: {exc}"
            ) from exc

    def has_test_case(self, machine_name: str, test_case: str) -> bool:
        """Whether the configuration defines `test_case` for the state machine."""
        cases = (self._machines.get(machine_name) or {}).get("TestCases") or {}
        return test_case in cases

    def response(
        self, machine_name: str, test_case: str, state_name: str, attempt: int
    ) -> MockedResponse | None:
        """The canned response for a state's `attempt`-th invocation (0-based), if the test case mocks it."""
        cases = (self._machines.get(machine_name) or {}).get("TestCases") or {}
        response_name = (cases.get(test_case) or {}).get(state_name)
        if response_name is None:
            return None
        by_attempt = self._responses.get(response_name)
        if not by_attempt:
            return None
        chosen = _pick(by_attempt, attempt)
        if "Throw" in chosen:
            throw = chosen["Throw"] or {}
            return MockedResponse(error=throw.get("Error", "States.TaskFailed"), cause=throw.get("Cause"))
        return MockedResponse(returns=chosen.get("Return"))


def _pick(by_attempt: dict[str, Any], attempt: int) -> dict[str, Any]:
    ranges: list[tuple[int, int, dict[str, Any]]] = []
    for key, value in by_attempt.items():
        first, _, last = key.partition("-")
        ranges.append((int(first), int(last or first), value))
    ranges.sort(key=lambda item: item[0])
    for low, high, value in ranges:
        if low <= attempt <= high:
            return value
    return ranges[-1][2]
