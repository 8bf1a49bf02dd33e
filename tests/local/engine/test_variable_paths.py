"""Every field that reads a path accepts a variable reference ("$var", "$var.field"); ResultPath does not."""

from __future__ import annotations

import json
from typing import Any

import pytest

from local.engine import ApiError, Engine

from .conftest import ROLE_ARN, Starter, history_types, output_of

ITERATE = {"StartAt": "Item", "States": {"Item": {"Type": "Pass", "End": True}}}

# One state per kind of reference field, each reading only variables assigned by "Setup".
READS_VARIABLES = {
    "StartAt": "Setup",
    "States": {
        "Setup": {
            "Type": "Pass",
            "Assign": {
                "order": {"lines": [{"sku": "a"}, {"sku": "b"}], "id": "o-1"},
                "limit": "1",
                "pause": 5,
                "until": "2026-01-01T01:00:00Z",
                "failure": {"error": "OrderRejected", "cause": "no stock"},
            },
            "Next": "Narrow",
        },
        "Narrow": {"Type": "Pass", "InputPath": "$order", "OutputPath": "$order.lines", "Next": "EachLine"},
        "EachLine": {
            "Type": "Map",
            "ItemsPath": "$order.lines",
            "MaxConcurrencyPath": "$limit",
            "ItemSelector": {"sku.$": "$$.Map.Item.Value.sku", "order.$": "$order.id"},
            "ItemProcessor": ITERATE,
            "ResultSelector": {"count.$": "States.ArrayLength($order.lines)", "lines.$": "$"},
            "Next": "Pause",
        },
        "Pause": {"Type": "Wait", "SecondsPath": "$pause", "Next": "PauseUntil"},
        "PauseUntil": {"Type": "Wait", "TimestampPath": "$until", "Next": "Route"},
        "Route": {
            "Type": "Choice",
            "Choices": [
                {"Variable": "$order.lines[0].sku", "StringEqualsPath": "$order.lines[1].sku", "Next": "Done"}
            ],
            "Default": "Reject",
        },
        "Done": {"Type": "Succeed"},
        "Reject": {"Type": "Fail", "ErrorPath": "$failure.error", "CausePath": "$failure.cause"},
    },
}


def test_path_fields_read_variables_at_run_time(skip_engine: Engine, start: Starter) -> None:
    # Given a machine whose path fields read only variables (a MaxConcurrencyPath variable holds "1")
    arn = start(skip_engine, READS_VARIABLES)
    # When run
    skip_engine.run_until_idle()
    # Then every field resolved its variable: the Map ran both lines one at a time, both waits ran,
    # the Choice compared two variables and the Fail state took its error and cause from a variable
    described = skip_engine.describe_execution(arn)
    assert (described["status"], described["error"], described["cause"]) == (
        "FAILED",
        "OrderRejected",
        "no stock",
    )
    events = skip_engine.get_execution_history(arn)["events"]
    map_exit = next(e for e in events if e["type"] == "MapStateExited")
    assert json.loads(map_exit["stateExitedEventDetails"]["output"]) == {
        "count": 2,
        "lines": [{"sku": "a", "order": "o-1"}, {"sku": "b", "order": "o-1"}],
    }
    assert history_types(skip_engine, arn) == [
        "ExecutionStarted",
        *("PassStateEntered", "PassStateExited") * 2,
        "MapStateEntered",
        "MapStateStarted",
        *("MapIterationStarted", "PassStateEntered", "PassStateExited", "MapIterationSucceeded") * 2,
        "MapStateSucceeded",
        "MapStateExited",
        *("WaitStateEntered", "WaitStateExited") * 2,
        "ChoiceStateEntered",
        "ChoiceStateExited",
        "FailStateEntered",
        "ExecutionFailed",
    ]


def test_a_numeric_text_variable_limits_a_map_and_other_text_fails_as_aws_records(
    skip_engine: Engine, start: Starter
) -> None:
    # Given a MaxConcurrencyPath variable holding text that is no number
    definition: dict[str, Any] = {
        "StartAt": "Setup",
        "States": {
            "Setup": {"Type": "Pass", "Assign": {"limit": "many"}, "Result": [1, 2], "Next": "M"},
            "M": {"Type": "Map", "MaxConcurrencyPath": "$limit", "ItemProcessor": ITERATE, "End": True},
        },
    }
    arn = start(skip_engine, definition)
    skip_engine.run_until_idle()
    # Then it fails with the cause AWS records for a path that is not an integer
    assert skip_engine.describe_execution(arn)["cause"] == (
        "An error occurred while executing the state 'M' (entered at the event id #4). "
        'The MaxConcurrencyPath field refers to value "many" which is not a valid integer: $limit'
    )
    # When the variable holds "2" instead; Then the Map runs
    definition["States"]["Setup"]["Assign"] = {"limit": "2"}
    arn = start(skip_engine, definition)
    skip_engine.run_until_idle()
    assert output_of(skip_engine, arn) == [1, 2]


def _task(**fields: Any) -> dict[str, Any]:
    state = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True}
    return {"StartAt": "T", "States": {"T": {**state, **fields}}}


@pytest.mark.parametrize(
    "definition",
    [
        _task(Parameters={"FunctionName.$": "$fn", "Payload.$": "$job"}, TimeoutSecondsPath="$timeout"),
        _task(Parameters={"FunctionName": "f"}, HeartbeatSecondsPath="$beat.seconds", TimeoutSeconds=600),
        _task(Parameters={"FunctionName": "f"}, Credentials={"RoleArn.$": "States.Format('{}', $role)"}),
        _task(Parameters={"FunctionName": "f"}, InputPath="$job['input']", OutputPath="$job.output[0]"),
    ],
    ids=["parameters-and-timeout", "heartbeat", "credentials", "input-and-output"],
)
def test_the_validator_accepts_variable_references_in_path_fields(
    engine_for_validation: Engine, definition: dict[str, Any]
) -> None:
    # Given a Task whose path fields reference variables; When created; Then it is accepted
    engine_for_validation.create_state_machine(
        name="Vars", definition=json.dumps(definition), role_arn=ROLE_ARN
    )


def test_the_validator_refuses_a_variable_in_result_path(engine_for_validation: Engine) -> None:
    # Given a ResultPath naming a variable (ResultPath writes into the input; it cannot name a variable)
    definition = {"StartAt": "P", "States": {"P": {"Type": "Pass", "ResultPath": "$result", "End": True}}}
    # When created; Then it is refused as an invalid JSONPath
    with pytest.raises(ApiError) as raised:
        engine_for_validation.create_state_machine(
            name="Vars", definition=json.dumps(definition), role_arn=ROLE_ARN
        )
    assert "The value for the field 'ResultPath' must be a valid JSONPath" in raised.value.message


@pytest.mark.parametrize(
    ("definition", "expected"),
    [
        (
            _task(Parameters={"FunctionName": "f"}, Credentials={"RoleArn.$": "$role["}),
            "The value for the field 'RoleArn.$' must be a valid JSONPath at /States/T/Credentials/RoleArn.$",
        ),
        (
            _task(Parameters={"FunctionName": "f"}, HeartbeatSecondsPath="$beat[", TimeoutSeconds=600),
            "The value for the field 'HeartbeatSecondsPath' must be a valid JSONPath "
            "at /States/T/HeartbeatSecondsPath",
        ),
        (
            {
                "StartAt": "M",
                "States": {
                    "M": {
                        "Type": "Map",
                        "ItemProcessor": {
                            **ITERATE,
                            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                        },
                        "ItemBatcher": {
                            "MaxItemsPerBatchPath": "$size",
                            "BatchInput": {"order.$": "$order["},
                        },
                        "End": True,
                    }
                },
            },
            "The value for the field 'order.$' must be a valid JSONPath "
            "at /States/M/ItemBatcher/BatchInput/order.$",
        ),
    ],
    ids=["credentials", "heartbeat", "batch-input"],
)
def test_the_validator_refuses_a_malformed_variable_reference(
    engine_for_validation: Engine, definition: dict[str, Any], expected: str
) -> None:
    # Given a malformed variable reference in a path field; When created; Then it is refused there
    with pytest.raises(ApiError) as raised:
        engine_for_validation.create_state_machine(
            name="Vars", definition=json.dumps(definition), role_arn=ROLE_ARN
        )
    assert expected in raised.value.message
