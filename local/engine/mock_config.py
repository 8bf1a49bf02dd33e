"""Step Functions Local MockConfigFile support: canned task responses per test case and attempt.

    {"StateMachines": {"<machine>": {"TestCases": {"<case>": {"<state>": "<response>"}}}},
     "MockedResponses": {"<response>": {"0": {"Return": ...}, "1-2": {"Throw": {"Error": .., "Cause": ..}}}}}

An execution uses a test case when it is started on "<state machine ARN>#<case>". Attempt keys count
the invocations of that state in the execution from 0; past the last key the last response repeats.

The whole file is checked when it is loaded, so a mistake in it stops the engine from starting instead of
surfacing as a puzzling task result in the middle of a test.
"""

from __future__ import annotations

import itertools
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from local.engine.errors import ApiError

if TYPE_CHECKING:
    from pydantic_core import ErrorDetails

ENVIRONMENT_VARIABLE = "SFN_MOCK_CONFIG"

_ATTEMPT_KEY = re.compile(r"([0-9]+)(?:-([0-9]+))?")


class MockConfigError(ApiError):
    """The mock configuration cannot be read, or is not a valid MockConfigFile.

    `problem` says what is wrong and where in the document; `source` names the file (None for a dict).
    """

    def __init__(self, problem: str, source: str | None = None) -> None:
        where = f" {source}" if source else ""
        super().__init__("ValidationException", f"Invalid mock configuration{where}: {problem}")
        self.problem = problem
        self.source = source


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


# ---------------------------------------------------------------------------- the file's shape


def _attempt_range(key: object) -> object:
    """The attempts a key answers, first and last included: "3" is (3, 3) and "1-2" is (1, 2)."""
    if not isinstance(key, str):
        return key
    match = _ATTEMPT_KEY.fullmatch(key)
    if match is None:
        raise ValueError(f"attempt key {key!r} is neither an attempt number nor a range such as '0' or '1-2'")
    first, last = int(match[1]), int(match[2] or match[1])
    if first > last:
        raise ValueError(f"attempt range {key!r} ends before it starts")
    return first, last


AttemptRange = Annotated[tuple[int, int], BeforeValidator(_attempt_range)]


class MockedThrow(BaseModel):
    """A failure a mocked task raises."""

    model_config = ConfigDict(extra="forbid", strict=True)

    error: str = Field(default="States.TaskFailed", alias="Error")
    cause: str | None = Field(default=None, alias="Cause")


class MockedAttempt(BaseModel):
    """What a mocked task answers on some attempts: exactly one of Return and Throw."""

    model_config = ConfigDict(extra="forbid")

    returns: Any = Field(default=None, alias="Return")
    throw: MockedThrow | None = Field(default=None, alias="Throw")

    @model_validator(mode="after")
    def _one_outcome(self) -> Self:
        # Fields given, not values: `"Return": null` is a valid answer.
        if len({"returns", "throw"} & self.model_fields_set) != 1:
            raise ValueError("needs exactly one of Return or Throw")
        return self


def _ordered_without_overlap(
    attempts: dict[tuple[int, int], MockedAttempt],
) -> dict[tuple[int, int], MockedAttempt]:
    if not attempts:
        raise ValueError("has no attempts (the first is '0')")
    ordered = dict(sorted(attempts.items()))
    for (low, high), (next_low, next_high) in itertools.pairwise(ordered):
        if next_low <= high:
            first, second = _key(low, high), _key(next_low, next_high)
            raise ValueError(f"attempt {next_low} is answered twice, by {first!r} and {second!r}")
    return ordered


MockedAttempts = Annotated[dict[AttemptRange, MockedAttempt], AfterValidator(_ordered_without_overlap)]


class StateMachineMocks(BaseModel):
    """The test cases of one state machine: test case -> state name -> mocked response name."""

    model_config = ConfigDict(extra="forbid", strict=True)

    test_cases: dict[str, dict[str, str]] = Field(default_factory=dict, alias="TestCases")


class MockConfigFile(BaseModel):
    """The document as AWS documents it (Step Functions Local's MockConfigFile)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    state_machines: dict[str, StateMachineMocks] = Field(default_factory=dict, alias="StateMachines")
    mocked_responses: dict[str, MockedAttempts] = Field(default_factory=dict, alias="MockedResponses")


# ---------------------------------------------------------------------------- the configuration


class MockConfig:
    """A parsed and checked MockConfigFile."""

    def __init__(self, document: Any, source: str | None = None) -> None:
        """Check `document` (the decoded JSON); raises `MockConfigError` naming the first problem."""
        try:
            mocks = MockConfigFile.model_validate(document)
        except ValidationError as invalid:
            raise MockConfigError(_describe(invalid), source) from invalid
        for machine_name, machine in mocks.state_machines.items():
            for case_name, states in machine.test_cases.items():
                for state_name, response_name in states.items():
                    if response_name not in mocks.mocked_responses:
                        place = f"StateMachines.{machine_name}.TestCases.{case_name}.{state_name}"
                        raise MockConfigError(
                            f"{place}: names the response {response_name!r}, which is not in MockedResponses",
                            source,
                        )
        self._mocks = mocks

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
            text = Path(source).read_text()
        except OSError as exc:
            raise MockConfigError(f"cannot read it ({exc.strerror or exc})", str(source)) from exc
        try:
            document = json.loads(text)
        except ValueError as exc:
            raise MockConfigError(f"not JSON ({exc})", str(source)) from exc
        return cls(document, str(source))

    def has_test_case(self, machine_name: str, test_case: str) -> bool:
        """Whether the configuration defines `test_case` for the state machine."""
        return test_case in self._test_cases(machine_name)

    def response(
        self, machine_name: str, test_case: str, state_name: str, attempt: int
    ) -> MockedResponse | None:
        """The canned response for a state's `attempt`-th invocation (0-based), if the test case mocks it."""
        response_name = self._test_cases(machine_name).get(test_case, {}).get(state_name)
        if response_name is None:
            return None
        chosen = _pick(self._mocks.mocked_responses[response_name], attempt)
        if chosen.throw is not None:
            return MockedResponse(error=chosen.throw.error, cause=chosen.throw.cause)
        return MockedResponse(returns=chosen.returns)

    def _test_cases(self, machine_name: str) -> dict[str, dict[str, str]]:
        machine = self._mocks.state_machines.get(machine_name)
        return machine.test_cases if machine is not None else {}


def _pick(attempts: dict[tuple[int, int], MockedAttempt], attempt: int) -> MockedAttempt:
    """The answer for `attempt`; `attempts` are in order (see above): past the last, the last repeats."""
    for (low, high), answer in attempts.items():
        if low <= attempt <= high:
            return answer
    return list(attempts.values())[-1]


def _key(low: int, high: int) -> str:
    return str(low) if low == high else f"{low}-{high}"


def _describe(invalid: ValidationError) -> str:
    """The first problem Pydantic found, worded for the person who wrote the file."""
    errors = invalid.errors()
    first = errors[0]
    more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
    return f"{_where(first)}{_what(first)}{more}"


def _where(error: ErrorDetails) -> str:
    location = list(error["loc"])
    if location and location[-1] == "[key]":
        location = location[:-2]  # the message quotes the key itself
    return f"{'.'.join(map(str, location))}: " if location else ""


def _what(error: ErrorDetails) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return "unknown field"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        if not error["loc"]:
            return "the document must be a JSON object with StateMachines and MockedResponses"
        return "must be a JSON object"
    if kind == "string_type":
        return "must be a string"
    if kind == "value_error":
        return str(error.get("ctx", {}).get("error", error["msg"]))
    return error["msg"]
