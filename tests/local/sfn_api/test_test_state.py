"""TestState over HTTP: one state runs once and answers its output, next state, status and inspection data."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from local.engine import Engine
from tests.local.sfn_api import trial_state
from tests.local.sfn_api.helpers import ROLE_ARN
from tests.local.sfn_api.trial_state import run

FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:{}"


@pytest.fixture
def sfn(endpoint_url: str) -> Any:
    return trial_state.client(endpoint_url)


def failing_task(engine: Engine, **handling: Any) -> dict[str, Any]:
    def refuse(event: Any, context: Any = None) -> Any:
        raise RuntimeError("the vendor is down")

    engine.register_lambda("refuse", refuse)
    return {"Type": "Task", "Resource": FUNCTION_ARN.format("refuse"), "End": True, **handling}


def test_a_pass_state_shows_each_step_of_its_data_flow_at_debug(sfn: Any) -> None:
    # Given a Pass state that reshapes part of its input, assigns a variable and keeps its input beside
    # the result (ResultPath places the result in the state's raw input, before InputPath)
    state = {
        "Type": "Pass",
        "InputPath": "$.order",
        "Parameters": {"id.$": "$.id", "region.$": "$region"},
        "ResultPath": "$.shaped",
        "Assign": {"lastId.$": "$.id"},
        "Next": "Ship",
    }

    # When it is tested at DEBUG
    answer = run(sfn, state, {"order": {"id": 7}}, inspectionLevel="DEBUG", variables='{"region": "eu"}')

    # Then every step of the data flow is shown, as JSON text, as AWS shows a Pass's: what Parameters
    # made is no result step of its own, but is shown after the (absent) ResultSelector
    assert answer["status"] == "SUCCEEDED"
    assert answer["nextState"] == "Ship"
    assert json.loads(answer["output"]) == {"order": {"id": 7}, "shaped": {"id": 7, "region": "eu"}}
    inspection = {key: json.loads(value) for key, value in answer["inspectionData"].items()}
    assert inspection == {
        "input": {"order": {"id": 7}},
        "afterInputPath": {"id": 7},
        "afterParameters": {"id": 7, "region": "eu"},
        "afterResultSelector": {"id": 7, "region": "eu"},
        "afterResultPath": {"order": {"id": 7}, "shaped": {"id": 7, "region": "eu"}},
        "variables": {"region": "eu", "lastId": 7},
    }


def test_a_pass_result_is_its_result_step_and_nothing_read_from_its_input_is_shown(sfn: Any) -> None:
    # AWS's recorded answer for a Pass with a Result and a ResultPath
    state = {"Type": "Pass", "Result": {"resultKey": "result value"}, "ResultPath": "$.modified", "End": True}

    answer = run(sfn, state, {"Value": "HelloWorld"}, inspectionLevel="DEBUG")

    assert trial_state.inspection(answer) == {
        "input": {"Value": "HelloWorld"},
        "result": {"resultKey": "result value"},
        "afterResultSelector": {"resultKey": "result value"},
        "afterResultPath": {"Value": "HelloWorld", "modified": {"resultKey": "result value"}},
    }


def test_info_answers_without_inspection_data(sfn: Any) -> None:
    answer = run(sfn, {"Type": "Pass", "Result": {"done": True}, "End": True}, {})

    assert answer["status"] == "SUCCEEDED"
    assert json.loads(answer["output"]) == {"done": True}
    assert "inspectionData" not in answer
    assert "nextState" not in answer


def test_a_choice_state_names_the_next_state(sfn: Any) -> None:
    state = {
        "Type": "Choice",
        "Choices": [{"Variable": "$.attempts", "NumericGreaterThan": 3, "Next": "GiveUp"}],
        "Default": "TryAgain",
    }

    assert run(sfn, state, {"attempts": 5})["nextState"] == "GiveUp"
    assert run(sfn, state, {"attempts": 1})["nextState"] == "TryAgain"


def test_a_wait_state_is_not_waited_out(sfn: Any) -> None:
    answer = run(sfn, {"Type": "Wait", "Seconds": 86_400, "Next": "Later"}, {"a": 1})

    assert answer["status"] == "SUCCEEDED"
    assert answer["nextState"] == "Later"
    assert json.loads(answer["output"]) == {"a": 1}


def test_a_map_state_needs_a_mock_as_on_aws(sfn: Any) -> None:
    iteration = {"StartAt": "Echo", "States": {"Echo": {"Type": "Pass", "End": True}}}
    state = {"Type": "Map", "ItemProcessor": iteration, "End": True}

    with pytest.raises(ClientError) as raised:
        run(sfn, state, [1, 2])

    error = raised.value.response["Error"]
    assert error["Code"] == "InvalidDefinition"
    assert error["Message"] == (
        "TestState API does not support Map or Parallel states. "
        "Supported state types include: [Task, Wait, Pass, Succeed, Fail, Choice]"
    )


def test_a_mocked_map_state_processes_the_mock_as_its_result(sfn: Any) -> None:
    iteration = {"StartAt": "Echo", "States": {"Echo": {"Type": "Pass", "End": True}}}
    state = {
        "Type": "Map",
        "ItemsPath": "$.items",
        "ItemProcessor": iteration,
        "ResultSelector": {"count.$": "States.ArrayLength($)"},
        "ResultPath": "$.summary",
        "Next": "Report",
    }

    answer = run(sfn, state, {"items": [1, 2, 3]}, mock={"result": "[10, 20, 30]"})

    assert answer["status"] == "SUCCEEDED"
    assert json.loads(answer["output"]) == {"items": [1, 2, 3], "summary": {"count": 3}}
    assert answer["nextState"] == "Report"


def test_a_mocked_parallel_error_goes_to_its_catcher(sfn: Any) -> None:
    branch = {"StartAt": "Echo", "States": {"Echo": {"Type": "Pass", "End": True}}}
    catch = [{"ErrorEquals": ["Branch.Failed"], "Next": "Recover"}]
    state = {"Type": "Parallel", "Branches": [branch], "Catch": catch, "End": True}

    answer = run(
        sfn, state, {}, mock={"errorOutput": {"error": "Branch.Failed", "cause": "one branch failed"}}
    )

    assert answer["status"] == "CAUGHT_ERROR"
    assert answer["nextState"] == "Recover"
    assert (answer["error"], answer["cause"]) == ("Branch.Failed", "one branch failed")


def test_a_mocked_parallel_shows_the_input_its_branches_would_get(sfn: Any) -> None:
    branch = {"StartAt": "Echo", "States": {"Echo": {"Type": "Pass", "End": True}}}
    state = {
        "Type": "Parallel",
        "Branches": [branch, branch],
        "Parameters": {"id.$": "$.order.id"},
        "End": True,
    }

    answer = run(sfn, state, {"order": {"id": 7}}, inspectionLevel="DEBUG", mock={"result": "[1, 2]"})

    assert json.loads(answer["inspectionData"]["afterParameters"]) == {"id": 7}
    assert json.loads(answer["output"]) == [1, 2]


def test_a_fail_state_answers_failed_with_its_error_and_cause(sfn: Any) -> None:
    answer = run(sfn, {"Type": "Fail", "Error": "Consent.Missing", "Cause": "no consent on file"}, {})

    assert answer["status"] == "FAILED"
    assert (answer["error"], answer["cause"]) == ("Consent.Missing", "no consent on file")
    assert "output" not in answer


def test_a_task_calls_its_lambda_function(sfn: Any, engine: Engine) -> None:
    engine.register_lambda("double", lambda event, context=None: {"value": event["value"] * 2})
    state = {
        "Type": "Task",
        "Resource": FUNCTION_ARN.format("double"),
        "ResultSelector": {"doubled.$": "$.value"},
        "ResultPath": "$.result",
        "End": True,
    }

    answer = run(sfn, state, {"value": 21}, inspectionLevel="DEBUG")

    assert answer["status"] == "SUCCEEDED"
    assert json.loads(answer["output"]) == {"value": 21, "result": {"doubled": 42}}
    assert json.loads(answer["inspectionData"]["result"]) == {"value": 42}
    assert json.loads(answer["inspectionData"]["afterResultSelector"]) == {"doubled": 42}


def test_a_task_error_a_retrier_matches_is_retriable(sfn: Any, engine: Engine) -> None:
    retry = [{"ErrorEquals": ["States.Timeout"]}, {"ErrorEquals": ["States.ALL"], "IntervalSeconds": 4}]
    state = failing_task(engine, Retry=retry)

    answer = run(sfn, state, {}, inspectionLevel="DEBUG")

    assert answer["status"] == "RETRIABLE"
    assert answer["error"] == "RuntimeError"
    assert "the vendor is down" in answer["cause"]
    assert answer["inspectionData"]["errorDetails"] == {"retryIndex": 1, "retryBackoffIntervalSeconds": 4}


def test_a_task_error_past_its_retries_fails(sfn: Any, engine: Engine) -> None:
    state = failing_task(engine, Retry=[{"ErrorEquals": ["States.ALL"], "MaxAttempts": 2}])

    answer = run(sfn, state, {}, inspectionLevel="DEBUG", stateConfiguration={"retrierRetryCount": 2})

    # (AWS still names the retrier whose attempts are spent)
    assert answer["status"] == "FAILED"
    assert answer["error"] == "RuntimeError"
    assert answer["inspectionData"]["errorDetails"] == {"retryIndex": 0}


def test_a_caught_task_error_goes_to_the_catcher(sfn: Any, engine: Engine) -> None:
    catch = [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.failure", "Next": "Recover"}]
    state = failing_task(engine, Catch=catch)

    answer = run(sfn, state, {"id": 1}, inspectionLevel="DEBUG")

    assert answer["status"] == "CAUGHT_ERROR"
    assert answer["nextState"] == "Recover"
    assert answer["error"] == "RuntimeError"
    output = json.loads(answer["output"])
    assert output["id"] == 1
    assert output["failure"]["Error"] == "RuntimeError"
    assert answer["inspectionData"]["errorDetails"] == {"catchIndex": 0}


def test_a_mock_answers_in_place_of_the_integration(sfn: Any) -> None:
    state = {"Type": "Task", "Resource": FUNCTION_ARN.format("not-deployed"), "End": True}

    answer = run(sfn, state, {}, mock={"result": '{"mocked": true}'}, inspectionLevel="DEBUG")

    # (as AWS shows a task result, after ResultSelector too when the task has none)
    assert answer["status"] == "SUCCEEDED"
    assert json.loads(answer["output"]) == {"mocked": True}
    assert json.loads(answer["inspectionData"]["result"]) == {"mocked": True}
    assert json.loads(answer["inspectionData"]["afterResultSelector"]) == {"mocked": True}


def test_a_mock_answers_for_an_integration_the_engine_cannot_call(sfn: Any) -> None:
    # Given an HTTP Task, which the engine does not run
    parameters = {"ApiEndpoint": "https://vendor.example/consents", "Method": "GET"}
    state = {
        "Type": "Task",
        "Resource": "arn:aws:states:::http:invoke",
        "Parameters": parameters,
        "End": True,
    }

    # When it is tested with a mock at TRACE
    answer = run(sfn, state, {}, mock={"result": '{"ResponseBody": {"ok": true}}'}, inspectionLevel="TRACE")

    # Then the mock is its result; no HTTP request was sent, so none is shown
    assert json.loads(answer["output"]) == {"ResponseBody": {"ok": True}}
    assert json.loads(answer["inspectionData"]["afterParameters"]) == parameters
    assert "request" not in answer["inspectionData"]


def test_state_name_picks_one_state_of_a_whole_definition(sfn: Any) -> None:
    machine = {
        "StartAt": "First",
        "States": {
            "First": {"Type": "Pass", "Next": "Second"},
            "Second": {"Type": "Pass", "Result": "second ran", "Next": "Third"},
            "Third": {"Type": "Succeed"},
        },
    }

    answer = run(sfn, machine, {}, stateName="Second")

    assert json.loads(answer["output"]) == "second ran"
    assert answer["nextState"] == "Third"


def test_state_name_may_pick_a_state_a_map_iterates_with_the_query_language_it_inherits(sfn: Any) -> None:
    # Given a JSONata machine whose Map iterates over "Shape", a state without a QueryLanguage of its own
    iteration = {
        "StartAt": "Shape",
        "States": {
            "Shape": {"Type": "Pass", "Output": "{% $states.input.id %}", "Next": "Done"},
            "Done": {"Type": "Succeed"},
        },
    }
    machine = {
        "QueryLanguage": "JSONata",
        "StartAt": "Each",
        "States": {"Each": {"Type": "Map", "ItemProcessor": iteration, "End": True}},
    }

    # When "Shape" is tested
    answer = run(sfn, machine, {"id": 7}, stateName="Shape")

    # Then it runs as in the iteration, JSONata included
    assert json.loads(answer["output"]) == 7
    assert answer["nextState"] == "Done"


def test_a_state_name_the_definition_does_not_hold_is_refused(sfn: Any) -> None:
    machine = {"StartAt": "First", "States": {"First": {"Type": "Pass", "End": True}}}

    with pytest.raises(ClientError) as raised:
        run(sfn, machine, {}, stateName="dne")

    assert raised.value.response["Error"] == {
        "Code": "ValidationException",
        "Message": "State not found in definition",
    }


def test_a_state_name_naming_no_state_object_is_refused_as_an_invalid_definition(sfn: Any) -> None:
    machine = {"StartAt": "First", "States": {"First": "not a state"}}

    with pytest.raises(ClientError) as raised:
        run(sfn, machine, {}, stateName="First")

    assert raised.value.response["Error"]["Code"] == "InvalidDefinition"
    assert "/States/First" in raised.value.response["Error"]["Message"]


def test_an_invalid_state_is_refused_as_create_state_machine_refuses_it(sfn: Any) -> None:
    with pytest.raises(ClientError) as raised:
        run(sfn, {"Type": "Teleport", "End": True}, {})

    assert raised.value.response["Error"]["Code"] == "InvalidDefinition"
    assert "The field 'Type' should have one of these values" in raised.value.response["Error"]["Message"]


def test_input_that_is_not_json_is_refused(sfn: Any) -> None:
    with pytest.raises(ClientError) as raised:
        sfn.test_state(definition='{"Type": "Pass", "End": true}', roleArn=ROLE_ARN, input="{not json")

    assert raised.value.response["Error"]["Code"] == "InvalidExecutionInput"
