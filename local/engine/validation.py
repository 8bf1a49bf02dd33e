"""Static validation of Amazon States Language definitions, as CreateStateMachine does it.

Problems are collected with the AWS error kind and the JSON pointer of the offending field, and reported
in AWS's format: "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: ... at /States/X/Next'".
This module walks the machines and states; the fields each state type accepts come from its declaration
(`state_specs`), field-level rules from `validation_rules` and type-specific ones from `validation_states`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from local.engine import map_item_batcher, map_item_reader, map_result_writer, resources
from local.engine.errors import ApiError
from local.engine.state_specs import COMMON_FIELDS, JSONATA, JSONPATH, SPEC_TYPES
from local.engine.validation_rules import (
    SCHEMA,
    Problem,
    check_error_handling,
    check_exclusive,
    check_jsonata_fields,
    check_jsonpath_fields,
    check_target,
    is_positive_int,
)
from local.engine.validation_states import (
    check_choice,
    check_fail,
    check_map_numbers,
    check_task,
    check_wait,
)

__all__ = ["Problem", "express_problems", "raise_if_invalid", "raise_if_not_express", "validate_definition"]

# The state types in the order AWS lists them when it refuses an unknown Type.
AWS_STATE_TYPES = ("Task", "Wait", "Pass", "Succeed", "Fail", "Choice", "Parallel", "Map")
UNKNOWN_STATE_TYPE = f"The field 'Type' should have one of these values: [{', '.join(AWS_STATE_TYPES)}]"

# A check of one state: (state, its JSON pointer, its query language, its machine's states, findings).
StateCheck = Callable[[dict[str, Any], str, str, dict[str, Any], list[Problem]], None]


def validate_definition(raw: dict[str, Any], *, mocked: bool = False) -> list[Problem]:
    """Every problem found in the definition (an empty list when it is valid).

    `mocked`: the engine has a MockConfigFile, which may answer integrations the engine cannot call.
    """
    problems: list[Problem] = []
    top_language = raw.get("QueryLanguage", JSONPATH)
    if top_language not in (JSONPATH, JSONATA):
        problems.append(
            Problem(SCHEMA, f"Value is not a valid query language: {top_language}", "/QueryLanguage")
        )
        top_language = JSONPATH
    timeout = raw.get("TimeoutSeconds")
    if timeout is not None and not is_positive_int(timeout):
        problems.append(Problem(SCHEMA, "TimeoutSeconds must be a positive integer", "/TimeoutSeconds"))
    _validate_machine(raw, "", top_language, problems)
    return [problem for problem in problems if not (mocked and problem.mockable)]


def raise_if_invalid(raw: dict[str, Any], *, mocked: bool = False) -> None:
    """Raise ApiError("InvalidDefinition") listing every problem, as CreateStateMachine does."""
    _raise_if_any(validate_definition(raw, mocked=mocked))


def raise_if_not_express(raw: dict[str, Any]) -> None:
    """Raise ApiError("InvalidDefinition") when a definition uses what an Express workflow cannot run."""
    _raise_if_any(express_problems(raw))


def express_problems(raw: Any, base: str = "") -> list[Problem]:
    """What an Express workflow cannot run, in any branch or iteration: activities, and the `.sync` and
    `.waitForTaskToken` patterns (Express workflows offer request-response integrations only)."""
    states = raw.get("States") if isinstance(raw, dict) else None
    problems: list[Problem] = []
    for name, state in states.items() if isinstance(states, dict) else ():
        if not isinstance(state, dict):
            continue
        where = f"{base}/States/{name}"
        resource = state.get("Resource")
        if state.get("Type") == "Task" and isinstance(resource, str):
            parsed = resources.parse_resource(resource)
            if parsed.kind == "activity":
                message = "Express state machine does not support Activity ARN"
                problems.append(Problem(SCHEMA, message, f"{where}/Resource"))
            elif parsed.pattern:
                pattern = parsed.pattern.split(":")[0]  # AWS names "sync:2" '.sync' too
                message = f"Express state machine does not support '.{pattern}' service integration"
                if pattern == "waitForTaskToken":
                    message += " "  # AWS's message has two spaces before "at" for this pattern
                problems.append(Problem(SCHEMA, message, f"{where}/Resource"))
        branches = state.get("Branches")
        for index, branch in enumerate(branches) if isinstance(branches, list) else ():
            problems += express_problems(branch, f"{where}/Branches[{index}]")
        for field in ("ItemProcessor", "Iterator"):
            problems += express_problems(state.get(field), f"{where}/{field}")
    return problems


def _raise_if_any(problems: list[Problem]) -> None:
    if problems:
        listed = ", ".join(f"'{p.render()}'" for p in problems)
        raise ApiError("InvalidDefinition", f"Invalid State Machine Definition: {listed}")


def _validate_machine(raw: Any, base: str, language: str, problems: list[Problem]) -> None:
    if not isinstance(raw, dict):
        problems.append(Problem(SCHEMA, "Expected an object", base or "/"))
        return
    states = raw.get("States")
    start_at = raw.get("StartAt")
    # In AWS's order: "These fields are required: [States, StartAt]"
    missing = [name for name, value in (("States", states), ("StartAt", start_at)) if value is None]
    if missing:
        problems.append(Problem(SCHEMA, f"These fields are required: [{', '.join(missing)}]", base or "/"))
        return
    if not isinstance(states, dict) or not states:
        problems.append(Problem(SCHEMA, "States must be a non-empty object", f"{base}/States"))
        return
    local_language = raw.get("QueryLanguage", language)
    if local_language not in (JSONPATH, JSONATA):
        local_language = language
    if not isinstance(start_at, str) or start_at not in states:
        problems.append(
            Problem("MISSING_TRANSITION_TARGET", f"Missing 'StartAt' target: {start_at}", f"{base}/StartAt")
        )
    for name, state in states.items():
        _validate_state(name, state, f"{base}/States/{name}", local_language, states, problems=problems)
    if isinstance(start_at, str) and start_at in states:
        _check_reachability(start_at, states, base, problems)


def _check_reachability(start_at: str, states: dict[str, Any], base: str, problems: list[Problem]) -> None:
    reached = {start_at}
    pending = [start_at]
    while pending:
        state = states.get(pending.pop())
        if not isinstance(state, dict):
            continue
        for target in _transitions(state):
            if target in states and target not in reached:
                reached.add(target)
                pending.append(target)
    for name in states:
        if name not in reached:
            problems.append(
                Problem("UNREACHABLE_STATE", f"State '{name}' is not reachable.", f"{base}/States/{name}")
            )
    if not any(_is_terminal(state) for state in states.values() if isinstance(state, dict)):
        problems.append(Problem("MISSING_END_STATE", "Workflow has no terminal state", base or "/"))


def _transitions(state: dict[str, Any]) -> Iterable[str]:
    targets: list[Any] = [state.get("Next"), state.get("Default")]
    for rule in state.get("Choices") or []:
        if isinstance(rule, dict):
            targets.append(rule.get("Next"))
    for catcher in state.get("Catch") or []:
        if isinstance(catcher, dict):
            targets.append(catcher.get("Next"))
    return [t for t in targets if isinstance(t, str)]


def _is_terminal(state: dict[str, Any]) -> bool:
    return state.get("End") is True or state.get("Type") in ("Succeed", "Fail", "Choice")


def _validate_state(
    name: str, state: Any, where: str, language: str, states: dict[str, Any], *, problems: list[Problem]
) -> None:
    if not isinstance(state, dict):
        problems.append(Problem(SCHEMA, "Expected an object", where))
        return
    if len(name) > 80:
        problems.append(Problem(SCHEMA, "State name exceeds 80 characters", where))
    state_type = state.get("Type")
    if state_type is None:
        problems.append(Problem(SCHEMA, "These fields are required: [Type]", where))
        return
    if state_type not in SPEC_TYPES:
        problems.append(Problem(SCHEMA, UNKNOWN_STATE_TYPE, f"{where}/Type"))
        return
    state_language = _state_language(state, where, language, problems)
    _check_fields(state, state_type, state_language, where, problems)
    _check_flow(state, state_type, where, states, problems)
    check_exclusive(state, where, problems)
    if state_language == JSONPATH:
        check_jsonpath_fields(state, where, problems)
    else:
        check_jsonata_fields(state, where, problems)
    type_check = TYPE_CHECKS.get(state_type)
    if type_check is not None:
        type_check(state, where, state_language, states, problems)
    check_error_handling(state, where, state_language, states, problems)


def _state_language(state: dict[str, Any], where: str, language: str, problems: list[Problem]) -> str:
    declared = state.get("QueryLanguage")
    if declared is None:
        return language
    if declared not in (JSONPATH, JSONATA):
        problems.append(
            Problem(SCHEMA, f"Value is not a valid query language: {declared}", f"{where}/QueryLanguage")
        )
        return language
    if language == JSONATA and declared == JSONPATH:
        problems.append(
            Problem(
                SCHEMA,
                "The QueryLanguage of a state cannot be JSONPath when the state machine uses JSONata",
                f"{where}/QueryLanguage",
            )
        )
    return str(declared)


def _check_fields(
    state: dict[str, Any], state_type: str, language: str, where: str, problems: list[Problem]
) -> None:
    fields = SPEC_TYPES[state_type].FIELDS
    allowed = fields[language] | COMMON_FIELDS
    other_language = JSONATA if language == JSONPATH else JSONPATH
    other_allowed = fields[other_language]
    for key in state:
        if key in allowed:
            continue
        if key in other_allowed:
            message = f"The field '{key}' is not supported for the {language} query language"
        else:
            message = f"Field '{key}' is not supported by Step Functions"
        problems.append(Problem(SCHEMA, message, f"{where}/{key}"))


def _check_flow(
    state: dict[str, Any], state_type: str, where: str, states: dict[str, Any], problems: list[Problem]
) -> None:
    if state_type in ("Choice", "Succeed", "Fail"):
        return
    has_next, has_end = "Next" in state, "End" in state
    if has_next and has_end:
        problems.append(Problem(SCHEMA, "Only one of 'Next' or 'End' may be given", where))
    elif not has_next and not has_end:
        problems.append(Problem(SCHEMA, "These fields are required: [Next or End]", where))
    elif has_end and state["End"] is not True:
        problems.append(Problem(SCHEMA, "Field 'End' must be true", f"{where}/End"))
    if has_next:
        check_target(state["Next"], f"{where}/Next", "Next", states, problems)


def _check_parallel(
    state: dict[str, Any], where: str, language: str, states: dict[str, Any], problems: list[Problem]
) -> None:
    branches = state.get("Branches")
    if not isinstance(branches, list) or not branches:
        problems.append(Problem(SCHEMA, "These fields are required: [Branches]", where))
        return
    for index, branch in enumerate(branches):
        _validate_machine(branch, f"{where}/Branches[{index}]", language, problems)


def _check_map(
    state: dict[str, Any], where: str, language: str, states: dict[str, Any], problems: list[Problem]
) -> None:
    processor_field = "ItemProcessor" if "ItemProcessor" in state else "Iterator"
    processor = state.get(processor_field)
    if processor is None:
        problems.append(Problem(SCHEMA, "These fields are required: [ItemProcessor]", where))
        return
    if isinstance(processor, dict):
        config = processor.get("ProcessorConfig") or {}
        mode = config.get("Mode", "INLINE") if isinstance(config, dict) else None
        if mode not in ("INLINE", "DISTRIBUTED"):
            problems.append(
                Problem(
                    SCHEMA,
                    "Value is not a valid processor mode",
                    f"{where}/{processor_field}/ProcessorConfig/Mode",
                )
            )
        inner = {k: v for k, v in processor.items() if k != "ProcessorConfig"}
        _validate_machine(inner, f"{where}/{processor_field}", language, problems)
    else:
        _validate_machine(processor, f"{where}/{processor_field}", language, problems)
    check_map_numbers(state, where, language, problems)
    # What the engine cannot run of a Distributed Map is refused here rather than failed at run time.
    for field, check in _DISTRIBUTED_MAP_CHECKS.items():
        if field in state:
            problems.extend(
                Problem(SCHEMA, message, f"{where}/{field}{below}") for message, below in check(state[field])
            )


_DISTRIBUTED_MAP_CHECKS: dict[str, Callable[[Any], list[tuple[str, str]]]] = {
    "ItemReader": map_item_reader.problems,
    "ItemBatcher": map_item_batcher.problems,
    "ResultWriter": map_result_writer.problems,
}


# Checks particular to a state type (Pass and Succeed have none).
TYPE_CHECKS: dict[str, StateCheck] = {
    "Task": check_task,
    "Choice": check_choice,
    "Wait": check_wait,
    "Fail": check_fail,
    "Parallel": _check_parallel,
    "Map": _check_map,
}
