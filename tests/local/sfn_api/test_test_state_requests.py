"""TestState over HTTP: what AWS refuses to run (mocks, revealSecrets, roles, Context objects,
stateConfiguration), and the Context object a state sees when TestState is given one."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.local.sfn_api import trial_state
from tests.local.sfn_api.helpers import ROLE_ARN, http_json
from tests.local.sfn_api.trial_state import run

LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke"
HTTP_TASK = {
    "Type": "Task",
    "Resource": "arn:aws:states:::http:invoke",
    "Parameters": {"ApiEndpoint": "https://vendor.example/consents", "Method": "GET"},
    "End": True,
}
CONTEXT = {
    "Execution": {
        "Id": "arn:aws:states:us-east-1:123456789012:execution:Orders:run-1",
        "Input": {"order": 7},
        "Name": "run-1",
        "RoleArn": "arn:aws:iam::123456789012:role/Orders",
        "StartTime": "2025-01-15T10:30:00.000Z",
    },
    "State": {"EnteredTime": "2025-01-15T10:30:01.500Z", "Name": "Charge", "RetryCount": 0},
    "StateMachine": {"Id": "arn:aws:states:us-east-1:123456789012:stateMachine:Orders", "Name": "Orders"},
}


@pytest.fixture
def sfn(endpoint_url: str) -> Any:
    return trial_state.client(endpoint_url)


def refusal(sfn: Any, state: dict[str, Any], payload: Any, **options: Any) -> dict[str, str]:
    with pytest.raises(ClientError) as raised:
        run(sfn, state, payload, **options)
    error: dict[str, str] = raised.value.response["Error"]
    return error


def context_task(**fields: Any) -> dict[str, Any]:
    """A Lambda task whose result keeps the whole Context object it saw."""
    return {
        "Type": "Task",
        "Resource": LAMBDA_INVOKE,
        "Parameters": {"FunctionName": "charge", "Payload.$": "$"},
        "ResultSelector": {"context.$": "$$", "result.$": "$"},
        "End": True,
        **fields,
    }


@pytest.mark.parametrize("kind", ["Pass", "Succeed"])
def test_a_state_without_an_integration_takes_no_mock(sfn: Any, kind: str) -> None:
    state = {"Type": kind, "End": True} if kind == "Pass" else {"Type": kind}

    error = refusal(sfn, state, {}, mock={"result": "{}"})

    assert error == {
        "Code": "ValidationException",
        "Message": f"State type '{kind}' is not supported when a mock is specified",
    }


def test_a_mock_gives_a_result_or_an_error_not_both(sfn: Any) -> None:
    mock = {"result": "{}", "errorOutput": {"error": "Boom", "cause": "it broke"}}

    error = refusal(sfn, context_task(), {}, mock=mock)

    assert (
        error["Message"] == "A test mock should have only one of the following fields: [result, errorOutput]."
    )


def test_a_mocked_result_must_be_json(sfn: Any) -> None:
    error = refusal(sfn, context_task(), {}, mock={"result": "function output"})

    assert error == {"Code": "ValidationException", "Message": "Mocked result must be valid JSON"}


def test_a_parallel_mock_gives_one_result_per_branch(sfn: Any) -> None:
    branch = {"StartAt": "Echo", "States": {"Echo": {"Type": "Pass", "End": True}}}
    state = {"Type": "Parallel", "Branches": [branch, branch], "End": True}

    error = refusal(sfn, state, {}, mock={"result": "[1]"})

    assert error["Message"] == (
        "Mocked result must contain the same number of items as number of Parallel branches."
    )


def test_a_task_needs_a_role_unless_a_mock_answers_for_it(sfn: Any) -> None:
    error = refusal(sfn, context_task(), {}, roleArn=None)
    answer = run(sfn, context_task(ResultSelector={"ok": True}), {}, roleArn=None, mock={"result": "{}"})

    assert error == {
        "Code": "ValidationException",
        "Message": "RoleArn must be specified when testing a Task state",
    }
    assert json.loads(answer["output"]) == {"ok": True}


def test_an_http_task_runs_only_with_a_mock(sfn: Any) -> None:
    error = refusal(sfn, HTTP_TASK, {}, inspectionLevel="TRACE")

    assert error["Code"] == "InvalidDefinition"
    assert "does not send HTTP Task requests" in error["Message"]


def test_reveal_secrets_needs_trace(sfn: Any) -> None:
    error = refusal(sfn, {"Type": "Pass", "End": True}, {}, inspectionLevel="DEBUG", revealSecrets=True)
    answer = run(sfn, {"Type": "Pass", "End": True}, {}, inspectionLevel="TRACE", revealSecrets=True)

    assert error["Code"] == "ValidationException"
    assert "TRACE" in error["Message"]
    assert answer["status"] == "SUCCEEDED"


def test_reveal_secrets_is_refused_with_a_mock(sfn: Any) -> None:
    error = refusal(
        sfn,
        HTTP_TASK,
        {},
        inspectionLevel="TRACE",
        revealSecrets=True,
        mock={"result": '{"ResponseBody": {}}'},
    )

    assert error == {
        "Code": "ValidationException",
        "Message": "TestState does not support RevealSecrets when a mock is specified.",
    }


def test_a_given_context_object_is_all_the_state_sees_as_its_context(sfn: Any) -> None:
    answer = run(
        sfn, context_task(), {"order": 7}, context=json.dumps(CONTEXT), mock={"result": '{"charged": true}'}
    )

    assert json.loads(answer["output"]) == {"context": CONTEXT, "result": {"charged": True}}


def test_a_given_context_object_may_be_empty(sfn: Any) -> None:
    # AWS's recorded answer: the state sees exactly the (here empty) objects it was given
    given = {"Execution": {}, "State": {}, "StateMachine": {}}

    answer = run(sfn, context_task(), {}, context=json.dumps(given), mock={"result": "{}"})

    assert json.loads(answer["output"])["context"] == given


def test_without_a_context_object_the_state_sees_the_one_aws_builds(sfn: Any) -> None:
    # Given a whole machine whose "Charge" state is tested, with a role and without one
    machine = {"StartAt": "Charge", "States": {"Charge": context_task()}}

    with_role = run(sfn, machine, {"order": 7}, stateName="Charge", mock={"result": "{}"})
    without_role = run(sfn, machine, {}, stateName="Charge", roleArn=None, mock={"result": "{}"})

    # Then, as AWS's recorded answers show, an Express execution runs a state AWS calls "StateName"
    context = json.loads(with_role["output"])["context"]
    assert context["Execution"]["Input"] == {"order": 7}
    assert context["Execution"]["RoleArn"] == ROLE_ARN
    assert ":express:" in context["Execution"]["Id"]
    assert context["Execution"]["Id"].endswith(f":{context['Execution']['Name']}")
    assert context["State"]["Name"] == "StateName"
    assert context["State"]["RetryCount"] == 0
    assert json.loads(without_role["output"])["context"]["Execution"]["RoleArn"] is None


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"Execution": {"Id": 1}}, "Execution.Id must be a string"),
        ({"Map": {}}, "'Map' field is not supported when mocking a Context object"),
        ({"Execution": {"pokemon": "squirtle"}}, "Field 'pokemon' is not allowed"),
        ({"Pokedex": {}}, "Field 'Pokedex' is not allowed"),
        (
            {"Task": {"Token": "abcd123"}},
            "Context object contains 'Task' when state is not a Task state with a '.sync' or "
            "'.waitForTaskToken' service integration pattern",
        ),
    ],
    ids=["execution_id_type", "map", "execution_field", "field", "task_without_callback"],
)
def test_a_context_object_aws_would_not_build_is_refused(
    sfn: Any, given: dict[str, Any], message: str
) -> None:
    error = refusal(sfn, context_task(), {}, context=json.dumps(given), mock={"result": "{}"})

    assert error == {"Code": "ValidationException", "Message": f"Invalid Context object provided: {message}"}


def test_a_callback_task_sees_the_token_of_its_context_object(sfn: Any) -> None:
    state = {
        "Type": "Task",
        "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "Parameters": {"QueueUrl": "https://sqs.example/q", "MessageBody": {"TaskToken.$": "$$.Task.Token"}},
        "End": True,
    }
    given = {**CONTEXT, "Task": {"Token": "abcd123"}}

    answer = run(sfn, state, {}, inspectionLevel="DEBUG", context=json.dumps(given), mock={"result": "{}"})

    after_parameters = json.loads(answer["inspectionData"]["afterParameters"])
    assert after_parameters["MessageBody"] == {"TaskToken": "abcd123"}


@pytest.mark.parametrize(
    "configuration",
    [{"mapIterationFailureCount": 1}, {"mapItemReaderData": "[]"}, {"errorCausedByState": "Charge"}],
    ids=["map_iteration_failure_count", "map_item_reader_data", "error_caused_by_state"],
)
def test_a_state_configuration_for_another_kind_of_state_is_refused(
    sfn: Any, configuration: dict[str, Any]
) -> None:
    error = refusal(
        sfn, context_task(), {}, mock={"errorOutput": {"error": "Boom"}}, stateConfiguration=configuration
    )

    assert error["Code"] == "ValidationException"
    assert next(iter(configuration)) in error["Message"]


@pytest.mark.parametrize(
    ("configuration", "member"),
    [({"retrierRetryCount": -1}, "retrierRetryCount"), ({"mapItemReaderData": [1]}, "mapItemReaderData")],
    ids=["negative_count", "data_not_text"],
)
def test_a_state_configuration_of_the_wrong_shape_is_refused(
    endpoint_url: str, configuration: dict[str, Any], member: str
) -> None:
    # botocore refuses these before sending: a raw call shows what the endpoint answers
    body = {
        "definition": json.dumps(context_task()),
        "mock": {"errorOutput": {"error": "Boom"}},
        "stateConfiguration": configuration,
    }
    headers = {"X-Amz-Target": "AWSStepFunctions.TestState", "Content-Type": "application/x-amz-json-1.0"}

    status, error = http_json(endpoint_url, body, headers)

    assert (status, error["__type"]) == (400, "ValidationException")
    assert f"stateConfiguration.{member}" in error["message"]
