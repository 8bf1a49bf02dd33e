"""Typed declarations of the eight state types, parsed once from a validated definition.

Each state becomes one `StateSpec` subclass whose fields are what the interpreter reads: JSONPath
templates and Assign blocks compiled into evaluators, JSONata fields kept as `Given` values (the
JSONata evaluator caches compiled expressions itself), Retry and Catch as `Retrier` and `Catcher`.
A field that is absent and one that is given as null differ in ASL; `Given` keeps them apart where
it matters, and InputPath/OutputPath/ResultPath hold "$" when they are absent (which means the same).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, ClassVar, Final, Literal

from local.engine import paths
from local.engine.choice import Condition, compile_rule
from local.engine.map_item_batcher import ItemBatcherSpec
from local.engine.map_item_reader import ItemReaderSpec
from local.engine.map_result_writer import ResultWriterSpec
from local.engine.map_runs import ChildWorkflowSpec
from local.engine.paths import Evaluator
from local.engine.resources import Resource, parse_resource

QueryLanguage = Literal["JSONPath", "JSONata"]
JSONPATH: Final[QueryLanguage] = "JSONPath"
JSONATA: Final[QueryLanguage] = "JSONata"

# Field groups of the accepted-field tables (`FIELDS`) the validator checks states against.
COMMON_FIELDS = frozenset({"Type", "Comment", "QueryLanguage"})
_FLOW = frozenset({"Next", "End"})
_JSONPATH_IO = frozenset({"InputPath", "OutputPath"})
_JSONPATH_RESULT = frozenset({"ResultPath", "ResultSelector"})
_ERROR_HANDLING = frozenset({"Retry", "Catch"})
_MAP_LIMITS = frozenset({"MaxConcurrency", "ToleratedFailureCount", "ToleratedFailurePercentage"})
_MAP_DISTRIBUTED = frozenset({"ItemReader", "ItemBatcher", "ResultWriter"})


@dataclass(frozen=True)
class Given:
    """The value of a field the definition gives (possibly null); an absent field is None instead."""

    value: Any


@dataclass(frozen=True)
class Retrier:
    """One Retry block."""

    error_equals: tuple[str, ...]
    max_attempts: int
    interval_seconds: float
    backoff_rate: float
    max_delay_seconds: float | None
    full_jitter: bool

    def delay(self, attempt: int) -> float:
        """Seconds before retry number `attempt` (0-based)."""
        delay = float(self.interval_seconds) * float(self.backoff_rate) ** attempt
        if self.max_delay_seconds is not None:
            delay = min(delay, float(self.max_delay_seconds))
        if self.full_jitter:
            delay = random.uniform(0, delay)
        return delay


@dataclass(frozen=True)
class Assignment:
    """An Assign block: compiled for JSONPath, the expressions by variable name for JSONata."""

    jsonpath: Evaluator | None = None
    jsonata: dict[str, Any] | None = None


@dataclass(frozen=True)
class Catcher:
    """One Catch block."""

    error_equals: tuple[str, ...]
    next: str
    result_path: str | None  # JSONPath: "$" when absent, None when null
    assign: Assignment
    output: Given | None  # JSONata


@dataclass(frozen=True)
class ChoiceRule:
    """One rule of a Choice state."""

    next: str
    matches: Condition | None  # JSONPath: the compiled rule
    condition: Any  # JSONata: the Condition value (a boolean or an expression)
    assign: Assignment
    output: Given | None  # JSONata


@dataclass(frozen=True)
class MapLimit:
    """MaxConcurrency or a tolerated-failure threshold: a value (JSONata: maybe an expression) or a path."""

    name: str
    value: Given | None
    path: str | None


@dataclass(frozen=True, kw_only=True)
class StateSpec:
    """What every state type declares (fields a state type does not accept keep their defaults).

    A subclass per state type adds its own fields, the ASL fields it accepts per query language
    (`FIELDS`, read by the validator) and how it is parsed from a validated state (`parse`).
    """

    FIELDS: ClassVar[dict[str, frozenset[str]]] = {}

    name: str
    type: str
    query_language: QueryLanguage
    machine_key: str
    next_state: str | None = None
    input_path: str | None = "$"
    output_path: str | None = "$"
    result_path: str | None = "$"
    parameters: Evaluator | None = None
    result_selector: Evaluator | None = None
    arguments: Given | None = None
    output: Given | None = None
    assign: Assignment = Assignment()
    retriers: tuple[Retrier, ...] = ()
    catchers: tuple[Catcher, ...] = ()

    @property
    def is_jsonata(self) -> bool:
        """Whether the state uses the JSONata query language."""
        return self.query_language == JSONATA

    @classmethod
    def parse(cls, raw: dict[str, Any], common: dict[str, Any]) -> StateSpec:
        """The declaration of a validated state, given the fields every state type parses alike."""
        return cls(**common)


@dataclass(frozen=True, kw_only=True)
class PassSpec(StateSpec):
    """Pass: a fixed Result (JSONPath) or its input, through the usual fields."""

    FIELDS: ClassVar[dict[str, frozenset[str]]] = {
        JSONPATH: _FLOW | _JSONPATH_IO | {"ResultPath", "Parameters", "Result", "Assign"},
        JSONATA: _FLOW | {"Output", "Assign"},
    }

    @classmethod
    def parse(cls, raw: dict[str, Any], common: dict[str, Any]) -> StateSpec:
        """Pass with its Result."""
        return cls(**common, result=_given(raw, "Result"))

    result: Given | None = None


@dataclass(frozen=True, kw_only=True)
class SucceedSpec(StateSpec):
    """Succeed."""

    FIELDS: ClassVar[dict[str, frozenset[str]]] = {JSONPATH: _JSONPATH_IO, JSONATA: frozenset({"Output"})}


@dataclass(frozen=True, kw_only=True)
class FailSpec(StateSpec):
    """Fail: Error and Cause, given or (JSONPath) read through ErrorPath and CausePath."""

    FIELDS: ClassVar[dict[str, frozenset[str]]] = {
        JSONPATH: frozenset({"Error", "ErrorPath", "Cause", "CausePath"}),
        JSONATA: frozenset({"Error", "Cause"}),
    }

    @classmethod
    def parse(cls, raw: dict[str, Any], common: dict[str, Any]) -> StateSpec:
        """Fail with Error and Cause (JSONPath: and their compiled paths)."""
        if common["query_language"] == JSONATA:
            return cls(**common, error=raw.get("Error"), cause=raw.get("Cause"))
        return cls(
            **common,
            error=raw.get("Error"),
            cause=raw.get("Cause"),
            error_path=_value_expression(raw, "ErrorPath"),
            cause_path=_value_expression(raw, "CausePath"),
        )

    error: Any = None
    cause: Any = None
    error_path: Evaluator | None = None
    cause_path: Evaluator | None = None


@dataclass(frozen=True, kw_only=True)
class ChoiceSpec(StateSpec):
    """Choice: rules in order, then Default."""

    FIELDS: ClassVar[dict[str, frozenset[str]]] = {
        JSONPATH: _JSONPATH_IO | {"Choices", "Default", "Assign"},
        JSONATA: frozenset({"Choices", "Default", "Output", "Assign"}),
    }

    @classmethod
    def parse(cls, raw: dict[str, Any], common: dict[str, Any]) -> StateSpec:
        """Choice with its rules and Default."""
        language = common["query_language"]
        return cls(
            **common,
            choices=tuple(_choice_rule(rule, language) for rule in raw["Choices"]),
            default=raw.get("Default"),
        )

    choices: tuple[ChoiceRule, ...] = ()
    default: str | None = None


# The range of a Wait's Seconds (the ASL documentation: "an integer value from 0 up to 99999999"; a
# JSONata expression "must evaluate to an integer within the stated range"). No other bound applies to a
# Wait: a SecondsPath, Timestamp or TimestampPath reaching past the execution's maximum duration is cut
# short by it, as the execution times out (interpreter.MAX_EXECUTION_SECONDS).
MAX_WAIT_SECONDS = 99_999_999


@dataclass(frozen=True, kw_only=True)
class WaitSpec(StateSpec):
    """Wait: exactly one of Seconds, Timestamp, SecondsPath and TimestampPath."""

    FIELDS: ClassVar[dict[str, frozenset[str]]] = {
        JSONPATH: _FLOW | _JSONPATH_IO | {"Seconds", "SecondsPath", "Timestamp", "TimestampPath", "Assign"},
        JSONATA: _FLOW | {"Seconds", "Timestamp", "Output", "Assign"},
    }

    @classmethod
    def parse(cls, raw: dict[str, Any], common: dict[str, Any]) -> StateSpec:
        """Wait with the one field that says until when."""
        return cls(
            **common,
            seconds=_given(raw, "Seconds"),
            timestamp=_given(raw, "Timestamp"),
            seconds_path=raw.get("SecondsPath"),
            timestamp_path=raw.get("TimestampPath"),
        )

    seconds: Given | None = None
    timestamp: Given | None = None
    seconds_path: str | None = None
    timestamp_path: str | None = None


@dataclass(frozen=True, kw_only=True)
class TaskSpec(StateSpec):
    """Task: the integration and its time limits (a number, a JSONata expression or a path)."""

    FIELDS: ClassVar[dict[str, frozenset[str]]] = {
        JSONPATH: _FLOW
        | _JSONPATH_IO
        | _JSONPATH_RESULT
        | _ERROR_HANDLING
        | {"Resource", "Parameters", "Assign", "Credentials"}
        | {"TimeoutSeconds", "TimeoutSecondsPath", "HeartbeatSeconds", "HeartbeatSecondsPath"},
        JSONATA: _FLOW
        | _ERROR_HANDLING
        | {"Resource", "Arguments", "Output", "Assign", "Credentials", "TimeoutSeconds", "HeartbeatSeconds"},
    }

    @classmethod
    def parse(cls, raw: dict[str, Any], common: dict[str, Any]) -> StateSpec:
        """Task with its parsed resource and time limits."""
        return cls(
            **common,
            resource=parse_resource(raw["Resource"]),
            timeout_seconds=raw.get("TimeoutSeconds"),
            timeout_seconds_path=raw.get("TimeoutSecondsPath"),
            heartbeat_seconds=raw.get("HeartbeatSeconds"),
            heartbeat_seconds_path=raw.get("HeartbeatSecondsPath"),
        )

    resource: Resource
    timeout_seconds: Any = None
    timeout_seconds_path: str | None = None
    heartbeat_seconds: Any = None
    heartbeat_seconds_path: str | None = None


@dataclass(frozen=True, kw_only=True)
class ParallelSpec(StateSpec):
    """Parallel: the machine keys of its branches."""

    FIELDS: ClassVar[dict[str, frozenset[str]]] = {
        JSONPATH: _FLOW
        | _JSONPATH_IO
        | _JSONPATH_RESULT
        | _ERROR_HANDLING
        | {"Branches", "Parameters", "Assign"},
        JSONATA: _FLOW | _ERROR_HANDLING | {"Branches", "Arguments", "Output", "Assign"},
    }

    @classmethod
    def parse(cls, raw: dict[str, Any], common: dict[str, Any]) -> StateSpec:
        """Parallel with the keys of its branch machines."""
        count = len(raw.get("Branches", []))
        keys = (branch_key(common["machine_key"], common["name"], index) for index in range(count))
        return cls(**common, branches=tuple(keys))

    branches: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class MapSpec(StateSpec):
    """Map: where the items come from, how each becomes an iteration's input, the limits, and for a
    Distributed Map the workflow its children run."""

    FIELDS: ClassVar[dict[str, frozenset[str]]] = {
        JSONPATH: _FLOW
        | _JSONPATH_IO
        | _JSONPATH_RESULT
        | _ERROR_HANDLING
        | _MAP_LIMITS
        | _MAP_DISTRIBUTED
        | {"Iterator", "ItemProcessor", "ItemsPath", "ItemSelector", "Parameters", "Assign", "Label"}
        | {f"{name}Path" for name in _MAP_LIMITS},
        JSONATA: _FLOW
        | _ERROR_HANDLING
        | _MAP_LIMITS
        | _MAP_DISTRIBUTED
        | {"ItemProcessor", "Items", "ItemSelector", "Output", "Assign", "Label"},
    }

    @classmethod
    def parse(cls, raw: dict[str, Any], common: dict[str, Any]) -> StateSpec:
        """Map with its item source, item selector, limits and processor machine key."""
        selector_name = "ItemSelector" if "ItemSelector" in raw else "Parameters"
        is_jsonata = common["query_language"] == JSONATA
        return cls(
            **common,
            processor=processor_key(common["machine_key"], common["name"]),
            item_reader=ItemReaderSpec.parse(raw["ItemReader"]) if "ItemReader" in raw else None,
            item_batcher=ItemBatcherSpec.parse(raw["ItemBatcher"], is_jsonata)
            if "ItemBatcher" in raw
            else None,
            result_writer=ResultWriterSpec.parse(raw["ResultWriter"]) if "ResultWriter" in raw else None,
            child_workflow=ChildWorkflowSpec.parse(raw.get("ItemProcessor"), common["query_language"]),
            label=raw.get("Label"),
            items_path=raw.get("ItemsPath", "$"),
            items=_given(raw, "Items"),
            selector_name=selector_name,
            item_selector=None if is_jsonata else _template(raw, selector_name),
            item_template=_given(raw, selector_name) if is_jsonata else None,
            max_concurrency=_limit(raw, "MaxConcurrency"),
            tolerated_failure_count=_limit(raw, "ToleratedFailureCount"),
            tolerated_failure_percentage=_limit(raw, "ToleratedFailurePercentage"),
        )

    processor: str
    item_reader: ItemReaderSpec | None = None
    item_batcher: ItemBatcherSpec | None = None
    result_writer: ResultWriterSpec | None = None
    child_workflow: ChildWorkflowSpec | None = None  # a Distributed Map: what its Map Run's children run
    label: str | None = None
    items_path: str = "$"
    items: Given | None = None  # JSONata
    selector_name: str = "ItemSelector"  # ItemSelector, or the legacy Parameters
    item_selector: Evaluator | None = None  # JSONPath
    item_template: Given | None = None  # JSONata
    max_concurrency: MapLimit = MapLimit("MaxConcurrency", None, None)
    tolerated_failure_count: MapLimit = MapLimit("ToleratedFailureCount", None, None)
    tolerated_failure_percentage: MapLimit = MapLimit("ToleratedFailurePercentage", None, None)


def branch_key(machine_key: str, name: str, index: int) -> str:
    """Machine key of a Parallel state's branch."""
    return f"{machine_key}/{name}/branch/{index}"


def processor_key(machine_key: str, name: str) -> str:
    """Machine key of a Map state's item processor."""
    return f"{machine_key}/{name}/items"


# ------------------------------------------------------------------ parsing


def parse_state(name: str, raw: dict[str, Any], language: QueryLanguage, machine_key: str) -> StateSpec:
    """The typed declaration of one (validated) state."""
    state_type = raw["Type"]
    common: dict[str, Any] = {
        "name": name,
        "type": state_type,
        "query_language": language,
        "machine_key": machine_key,
        "next_state": raw["Next"] if isinstance(raw.get("Next"), str) else None,
        "input_path": raw.get("InputPath", "$"),
        "output_path": raw.get("OutputPath", "$"),
        "result_path": raw.get("ResultPath", "$"),
        "parameters": _template(raw, "Parameters"),
        "result_selector": _template(raw, "ResultSelector"),
        "arguments": _given(raw, "Arguments"),
        "output": _given(raw, "Output"),
        "assign": _assignment(raw.get("Assign"), language),
        "retriers": tuple(_retrier(block) for block in raw.get("Retry") or []),
        "catchers": tuple(_catcher(block, language) for block in raw.get("Catch") or []),
    }
    spec_class = SPEC_TYPES.get(state_type)
    if spec_class is None:
        raise ValueError(f"unknown state type {state_type!r}")
    return spec_class.parse(raw, common)


def _given(raw: dict[str, Any], key: str) -> Given | None:
    return Given(raw[key]) if key in raw else None


def _template(raw: dict[str, Any], key: str) -> Evaluator | None:
    return paths.compile_template(raw[key]) if key in raw else None


def _assignment(template: Any, language: QueryLanguage) -> Assignment:
    if not template:
        return Assignment()
    if language == JSONATA:
        return Assignment(jsonata=template if isinstance(template, dict) else None)
    return Assignment(jsonpath=paths.compile_template(template))


def _retrier(raw: dict[str, Any]) -> Retrier:
    return Retrier(
        error_equals=tuple(raw["ErrorEquals"]),
        max_attempts=raw.get("MaxAttempts", 3),
        interval_seconds=raw.get("IntervalSeconds", 1),
        backoff_rate=raw.get("BackoffRate", 2.0),
        max_delay_seconds=raw.get("MaxDelaySeconds"),
        full_jitter=raw.get("JitterStrategy") == "FULL",
    )


def _catcher(raw: dict[str, Any], language: QueryLanguage) -> Catcher:
    return Catcher(
        error_equals=tuple(raw["ErrorEquals"]),
        next=raw["Next"],
        result_path=raw.get("ResultPath", "$"),
        assign=_assignment(raw.get("Assign"), language),
        output=_given(raw, "Output"),
    )


def _choice_rule(raw: dict[str, Any], language: QueryLanguage) -> ChoiceRule:
    return ChoiceRule(
        next=raw["Next"],
        matches=None if language == JSONATA else compile_rule(raw),
        condition=raw.get("Condition"),
        assign=_assignment(raw.get("Assign"), language),
        output=_given(raw, "Output"),
    )


def _value_expression(raw: dict[str, Any], key: str) -> Evaluator | None:
    path = raw.get(key)
    return paths.compile_value_expression(path, key) if path is not None else None


def _limit(raw: dict[str, Any], name: str) -> MapLimit:
    return MapLimit(name, _given(raw, name), raw.get(f"{name}Path"))


# Every state type by its ASL name, in the order the ASL specification lists them.
SPEC_TYPES: dict[str, type[StateSpec]] = {
    "Pass": PassSpec,
    "Task": TaskSpec,
    "Choice": ChoiceSpec,
    "Wait": WaitSpec,
    "Succeed": SucceedSpec,
    "Fail": FailSpec,
    "Parallel": ParallelSpec,
    "Map": MapSpec,
}
STATE_TYPES = tuple(SPEC_TYPES)
