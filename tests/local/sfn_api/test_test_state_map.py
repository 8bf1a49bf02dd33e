"""TestState on a Map state over HTTP: its items, selector, batches and limits as inspection data, its
iterations replaced by the mock, and stateConfiguration's failed iterations and ItemReader data."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.local.sfn_api import trial_state
from tests.local.sfn_api.trial_state import inspection, run

ITERATION = {"StartAt": "Handle", "States": {"Handle": {"Type": "Pass", "End": True}}}
THRESHOLD = "States.ExceedToleratedFailureThreshold"


@pytest.fixture
def sfn(endpoint_url: str) -> Any:
    return trial_state.client(endpoint_url)


def test_a_jsonpath_map_shows_its_items_selector_and_limits_at_debug(sfn: Any) -> None:
    # Given a JSONPath Map that picks its items, reshapes each one and limits its iterations
    state = {
        "Type": "Map",
        "InputPath": "$.order",
        "ItemsPath": "$.lines",
        "ItemSelector": {"sku.$": "$$.Map.Item.Value.sku", "position.$": "$$.Map.Item.Index"},
        "MaxConcurrency": 2,
        "ToleratedFailurePercentage": 50,
        "ItemProcessor": ITERATION,
        "ResultPath": "$.shipped",
        "End": True,
    }
    order = {"id": 7, "lines": [{"sku": "a"}, {"sku": "b"}]}

    # When it is tested at DEBUG with a mock for its iterations
    answer = run(sfn, state, {"order": order}, inspectionLevel="DEBUG", mock={"result": '["ok", "ok"]'})

    # Then each step of the Map is shown as AWS shows it: no step of its own for the mocked result
    assert answer["status"] == "SUCCEEDED"
    # (ResultPath places the result in the raw input, before InputPath)
    assert json.loads(answer["output"]) == {"order": order, "shipped": ["ok", "ok"]}
    assert inspection(answer) == {
        "input": {"order": order},
        "afterInputPath": order,
        "afterItemsPath": [{"sku": "a"}, {"sku": "b"}],
        "afterItemSelector": [{"sku": "a", "position": 0}, {"sku": "b", "position": 1}],
        "afterResultSelector": ["ok", "ok"],
        "afterResultPath": {"order": order, "shipped": ["ok", "ok"]},
        "maxConcurrency": 2,
        "toleratedFailurePercentage": 50.0,
    }


def test_a_jsonata_map_shows_its_evaluated_limits_and_no_paths(sfn: Any) -> None:
    # Given a JSONata Map whose limits are expressions (as in AWS's recorded answer for it)
    state = {
        "Type": "Map",
        "QueryLanguage": "JSONata",
        "Items": "{% $states.input.Values %}",
        "MaxConcurrency": "{% 1 %}",
        "ToleratedFailureCount": "{% 1 %}",
        "ItemProcessor": ITERATION,
        "Output": "{% $states.result %}",
        "End": True,
    }

    answer = run(sfn, state, {"Values": [1, 2, 3]}, inspectionLevel="TRACE", mock={"result": "[1, 1, 1]"})

    assert json.loads(answer["output"]) == [1, 1, 1]
    assert answer["inspectionData"] == {
        "input": '{"Values":[1,2,3]}',
        "maxConcurrency": 1,
        "toleratedFailureCount": 1,
    }


def test_a_map_without_limits_shows_a_max_concurrency_of_zero(sfn: Any) -> None:
    state = {"Type": "Map", "ItemProcessor": ITERATION, "End": True}

    answer = run(sfn, state, [1, 2], inspectionLevel="DEBUG", mock={"result": "[1, 2]"})

    assert answer["inspectionData"]["maxConcurrency"] == 0
    assert "toleratedFailureCount" not in answer["inspectionData"]
    assert "toleratedFailurePercentage" not in answer["inspectionData"]
    assert "afterItemSelector" not in answer["inspectionData"]


def test_an_item_batcher_shows_the_batches_the_iterations_would_get(sfn: Any) -> None:
    state = {
        "Type": "Map",
        "ItemsPath": "$.ids",
        "ItemSelector": {"id.$": "$$.Map.Item.Value"},
        "ItemBatcher": {"MaxItemsPerBatch": 2, "BatchInput": {"run.$": "$.run"}},
        "ItemProcessor": {
            **ITERATION,
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
        },
        "End": True,
    }

    answer = run(sfn, state, {"run": "r1", "ids": [1, 2, 3]}, inspectionLevel="DEBUG", mock={"result": "[]"})

    shown = inspection(answer)
    assert shown["afterItemSelector"] == [{"id": 1}, {"id": 2}, {"id": 3}]
    assert shown["afterItemBatcher"] == [
        {"Items": [{"id": 1}, {"id": 2}], "BatchInput": {"run": "r1"}},
        {"Items": [{"id": 3}], "BatchInput": {"run": "r1"}},
    ]


def tolerant_map(**tolerance: Any) -> dict[str, Any]:
    """A Map that catches the threshold error, tolerating one failed iteration unless told otherwise."""
    catch = [{"ErrorEquals": [THRESHOLD], "ResultPath": "$.failure", "Next": "TooManyFailed"}]
    return {
        "Type": "Map",
        "ItemsPath": "$.Values",
        "ItemProcessor": ITERATION,
        "Catch": catch,
        "End": True,
        **(tolerance or {"ToleratedFailureCount": 1}),
    }


def failed_iterations(sfn: Any, state: dict[str, Any], payload: Any, failed: int, **options: Any) -> Any:
    """TestState on a Map `failed` of whose iterations failed, by stateConfiguration."""
    return run(sfn, state, payload, stateConfiguration={"mapIterationFailureCount": failed}, **options)


def test_failed_iterations_past_the_tolerated_count_fail_the_map(sfn: Any) -> None:
    # Given a Map that tolerates one failed iteration and catches the threshold error
    state = tolerant_map()
    values = {"Values": ["first", "second", "third"]}

    # When TestState is told two of its iterations failed
    answer = failed_iterations(sfn, state, values, 2, inspectionLevel="DEBUG", mock={"result": "[0, 0, 1]"})

    # Then the Map failed as AWS fails it, and its Catch took the error
    assert answer["status"] == "CAUGHT_ERROR"
    assert (answer["error"], answer["cause"]) == (
        THRESHOLD,
        "The specified tolerated failure threshold was exceeded",
    )
    assert answer["nextState"] == "TooManyFailed"
    assert answer["inspectionData"]["errorDetails"] == {"catchIndex": 0}
    assert answer["inspectionData"]["toleratedFailureCount"] == 1


@pytest.mark.parametrize(("failed", "status"), [(1, "SUCCEEDED"), (2, "CAUGHT_ERROR")])
def test_failed_iterations_are_held_against_the_tolerated_percentage(
    sfn: Any, failed: int, status: str
) -> None:
    # Given a Map of three items that tolerates half of them failing
    state = tolerant_map(ToleratedFailurePercentage=50)

    answer = failed_iterations(sfn, state, {"Values": [1, 2, 3]}, failed, mock={"result": "[1, 0, 1]"})

    assert answer["status"] == status


def test_failed_iterations_within_the_tolerated_count_leave_the_mock_as_the_result(sfn: Any) -> None:
    answer = failed_iterations(sfn, tolerant_map(), {"Values": [1, 2, 3]}, 1, mock={"result": "[1, 0, 1]"})

    assert answer["status"] == "SUCCEEDED"
    assert json.loads(answer["output"]) == [1, 0, 1]


def test_failed_iterations_of_a_map_without_a_tolerance_leave_the_mock_as_the_result(sfn: Any) -> None:
    # AWS answers this way: without ToleratedFailureCount or Percentage the count is not compared
    state = {"Type": "Map", "ItemProcessor": ITERATION, "End": True}

    answer = failed_iterations(sfn, state, [1, 2, 3], 2, mock={"result": "[0, 0, 1]"})

    assert answer["status"] == "SUCCEEDED"


def test_a_mocked_error_of_a_map_in_a_machine_shows_what_the_map_read_before(sfn: Any) -> None:
    # Given a whole machine whose Map tolerates two failed iterations (AWS's recorded case)
    machine = {
        "StartAt": "State0",
        "States": {
            "State0": {
                "Type": "Map",
                "ItemsPath": "$.Values",
                "ItemProcessor": ITERATION,
                "ToleratedFailureCount": 2,
                "End": True,
            }
        },
    }
    values = {"Values": ["first", "second", "third"]}

    # When its Map is tested with an error an iteration's state raised
    answer = run(
        sfn,
        machine,
        values,
        stateName="State0",
        inspectionLevel="DEBUG",
        mock={"errorOutput": {"error": "MockException", "cause": "Mock the error cause."}},
        stateConfiguration={"mapIterationFailureCount": 2, "errorCausedByState": "Handle"},
    )

    # Then the Map failed with the mocked error, after reading its items and limits
    assert answer["status"] == "FAILED"
    assert (answer["error"], answer["cause"]) == ("MockException", "Mock the error cause.")
    assert inspection(answer) == {
        "input": values,
        "afterInputPath": values,
        "afterItemsPath": values["Values"],
        "maxConcurrency": 0,
        "toleratedFailureCount": 2,
    }


def test_an_item_reader_reads_the_given_map_item_reader_data(sfn: Any) -> None:
    # Given a Map reading its items from a CSV object in S3 (nothing is read: the data is given)
    reader = {
        "Resource": "arn:aws:states:::s3:getObject",
        "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"},
        "Parameters": {"Bucket": "orders", "Key": "lines.csv"},
    }
    state = {
        "Type": "Map",
        "ItemReader": reader,
        "ItemSelector": {"sku.$": "$$.Map.Item.Value.sku"},
        "ItemProcessor": {
            **ITERATION,
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
        },
        "MaxConcurrency": 1,
        "End": True,
    }

    answer = run(
        sfn,
        state,
        {},
        inspectionLevel="DEBUG",
        mock={"result": "[1, 4]"},
        stateConfiguration={"mapItemReaderData": "sku,count\na,1\nb,2\n"},
    )

    assert answer["status"] == "SUCCEEDED"
    assert inspection(answer)["afterItemSelector"] == [{"sku": "a"}, {"sku": "b"}]
    assert answer["inspectionData"]["maxConcurrency"] == 1


@pytest.mark.parametrize(
    ("fields", "result", "message"),
    [
        ({}, '{"count": 2}', "Mocked result must be an array."),
        (
            {"ResultWriter": {"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": "b"}}},
            "[1, 2]",
            "Mocked result must be a JSON object.",
        ),
    ],
    ids=["without_result_writer", "with_result_writer"],
)
def test_a_map_mock_must_be_what_the_map_would_give(
    sfn: Any, fields: dict[str, Any], result: str, message: str
) -> None:
    state = {"Type": "Map", "ItemProcessor": ITERATION, "End": True, **fields}

    with pytest.raises(ClientError) as raised:
        run(sfn, state, [1, 2], mock={"result": result})

    assert raised.value.response["Error"] == {"Code": "ValidationException", "Message": message}


def test_error_caused_by_state_must_name_a_state_of_the_map(sfn: Any) -> None:
    state = {"Type": "Map", "ItemProcessor": ITERATION, "End": True}

    with pytest.raises(ClientError) as raised:
        run(
            sfn,
            state,
            [1],
            mock={"errorOutput": {"error": "Boom"}},
            stateConfiguration={"errorCausedByState": "Elsewhere"},
        )

    assert raised.value.response["Error"]["Code"] == "ValidationException"
    assert "'Elsewhere'" in raised.value.response["Error"]["Message"]
