"""The engine's limits on what it is given: how deep JSON may nest (definitions, inputs, task outputs) and
AWS's 1 MiB limit on a definition, each refused with AWS's error code before anything parses or stores it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from local.engine import ApiError, Engine
from local.engine.api_state_machines import MAX_DEFINITION_BYTES
from local.engine.json_nesting import MAX_JSON_DEPTH, exceeds_depth

from .conftest import ROLE_ARN, Starter, output_of


def _pass_with_result(result: Any) -> dict[str, Any]:
    return {"StartAt": "Done", "States": {"Done": {"Type": "Pass", "Result": result, "End": True}}}


def _nested_lists(depth: int) -> Any:
    value: Any = []
    for _ in range(depth - 1):
        value = [value]
    return value


def _nested_parallel(depth: int) -> str:
    """Parallel states nested `depth` deep, as text: too deep for json.dumps to write."""
    opening = '{"StartAt": "Fork", "States": {"Fork": {"Type": "Parallel", "Branches": ['
    closing = '], "End": true}}}'
    return opening * depth + json.dumps(_pass_with_result("innermost")) + closing * depth


def _create(engine: Engine, definition: dict[str, Any] | str, name: str = "Limits") -> str:
    text = definition if isinstance(definition, str) else json.dumps(definition)
    return str(engine.create_state_machine(name=name, definition=text, role_arn=ROLE_ARN)["stateMachineArn"])


def _refusal(engine: Engine, definition: dict[str, Any] | str) -> ApiError:
    with pytest.raises(ApiError) as raised:
        _create(engine, definition)
    return raised.value


# ---------------------------------------------------------------- nesting


def test_a_definition_nesting_to_the_limit_is_accepted_and_one_level_more_is_not(
    engine_for_validation: Engine,
) -> None:
    # Given definitions whose Result makes them nest exactly MAX_JSON_DEPTH and one level more
    # (the definition object, States and the state are three levels)
    at_limit = _pass_with_result(_nested_lists(MAX_JSON_DEPTH - 3))
    beyond = _pass_with_result(_nested_lists(MAX_JSON_DEPTH - 2))

    # When each is created
    _create(engine_for_validation, at_limit)
    refusal = _refusal(engine_for_validation, beyond)

    # Then only the deeper one is refused, as an invalid definition naming the limit
    assert refusal.code == "InvalidDefinition"
    assert refusal.message == (
        "Invalid State Machine Definition: 'INVALID_JSON_DESCRIPTION: "
        f"The definition nests objects and arrays more than {MAX_JSON_DEPTH} levels deep'"
    )


def test_parallel_states_nested_3000_deep_are_refused_before_anything_recurses(
    engine_for_validation: Engine,
) -> None:
    # Given Parallel states nested 3,000 deep (a RecursionError before); When created
    refusal = _refusal(engine_for_validation, _nested_parallel(3000))

    # Then an invalid definition, and no state machine exists
    assert refusal.code == "InvalidDefinition"
    assert engine_for_validation.list_state_machines()["stateMachines"] == []


def test_parallel_states_nested_as_deep_as_the_limit_allows_run(skip_engine: Engine, start: Starter) -> None:
    # Given Parallel states nested as deep as the limit allows (each level nests four JSON levels)
    depth = (MAX_JSON_DEPTH - 3) // 4
    assert not exceeds_depth(_nested_parallel(depth))

    # When an execution runs
    execution_arn = start(skip_engine, json.loads(_nested_parallel(depth)))
    skip_engine.run_until_idle()

    # Then it succeeds with the innermost result wrapped once per level
    assert skip_engine.describe_execution(execution_arn)["status"] == "SUCCEEDED"
    output = output_of(skip_engine, execution_arn)
    for _ in range(depth):
        [output] = output
    assert output == "innermost"


def test_an_input_or_task_output_nested_too_deep_is_refused(skip_engine: Engine) -> None:
    # Given a state machine
    arn = _create(skip_engine, _pass_with_result(1))
    too_deep = json.dumps(_nested_lists(MAX_JSON_DEPTH + 1))

    # When an execution starts with an input nested too deep, or a task token is answered with such output
    with pytest.raises(ApiError) as input_refusal:
        skip_engine.start_execution(arn, input=too_deep)
    with pytest.raises(ApiError) as output_refusal:
        skip_engine.send_task_success("any-token", too_deep)

    # Then AWS's codes for bad input and bad output, and no execution was started
    assert input_refusal.value.code == "InvalidExecutionInput"
    assert output_refusal.value.code == "InvalidOutput"
    assert skip_engine.list_executions(arn)["executions"] == []


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ('{"a": [[1]]}', 3),
        ('["[[[[", "]]]]]", "\\"[[[", "\\\\", [1]]', 2),  # brackets in strings, escaped quote and backslash
        ("[]" * 1000, 1),
    ],
)
def test_nesting_is_measured_without_counting_brackets_in_strings(text: str, depth: int) -> None:
    for measured in (text, text.encode()):
        assert exceeds_depth(measured, depth - 1)
        assert not exceeds_depth(measured, depth)


# ---------------------------------------------------------------- size


def _definition_of_bytes(size: int, *, character: str = "x") -> str:
    """A valid definition of exactly `size` UTF-8 bytes, padded with `character` (and 'x' to round up)."""
    empty = json.dumps(_pass_with_result(""), ensure_ascii=False)
    padding = size - len(empty.encode())
    width = len(character.encode())
    text = json.dumps(
        _pass_with_result(character * (padding // width) + "x" * (padding % width)), ensure_ascii=False
    )
    assert len(text.encode()) == size
    return text


AWS_TOO_LONG = (
    "1 validation error detected: Value at 'definition' failed to satisfy constraint: "
    "Member must have length less than or equal to 1048576"
)


def test_a_definition_of_aws_maximum_size_is_accepted_and_one_byte_more_is_not(
    engine_for_validation: Engine,
) -> None:
    # When definitions of exactly 1 MiB and 1 MiB + 1 byte are created
    _create(engine_for_validation, _definition_of_bytes(MAX_DEFINITION_BYTES), name="Largest")
    refusal = _refusal(engine_for_validation, _definition_of_bytes(MAX_DEFINITION_BYTES + 1))

    # Then the larger is refused with AWS's ValidationException, word for word
    assert (refusal.code, refusal.message) == ("ValidationException", AWS_TOO_LONG)
    assert [m["name"] for m in engine_for_validation.list_state_machines()["stateMachines"]] == ["Largest"]


def test_the_definition_size_is_counted_in_utf8_bytes(engine_for_validation: Engine) -> None:
    # Given a definition of fewer than 1,048,576 characters but more bytes (three bytes each)
    text = _definition_of_bytes(MAX_DEFINITION_BYTES + 3, character="€")
    assert len(text) < MAX_DEFINITION_BYTES

    # When it is created, updated to or validated, Then each is refused
    assert _refusal(engine_for_validation, text).code == "ValidationException"
    arn = _create(engine_for_validation, _pass_with_result(1))
    with pytest.raises(ApiError, match="less than or equal to 1048576"):
        engine_for_validation.update_state_machine(arn, definition=text)
    with pytest.raises(ApiError, match="less than or equal to 1048576"):
        engine_for_validation.validate_state_machine_definition(text)
