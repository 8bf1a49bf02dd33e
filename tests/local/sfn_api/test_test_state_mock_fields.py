"""TestState over HTTP: a mocked service result checked against the service's response shape as
`mock.fieldValidationMode` says, with the messages AWS answers."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.local.sfn_api import trial_state
from tests.local.sfn_api.trial_state import run

STARTED = {
    "ExecutionArn": "arn:aws:states:us-east-1:123456789012:execution:Child:run-1",
    "StartDate": "2025-01-01",
}


@pytest.fixture
def sfn(endpoint_url: str) -> Any:
    return trial_state.client(endpoint_url)


def task(resource: str) -> dict[str, Any]:
    return {"Type": "Task", "Resource": f"arn:aws:states:::{resource}", "Parameters": {}, "End": True}


def mocked(sfn: Any, resource: str, result: Any, **mock: Any) -> dict[str, Any]:
    return run(sfn, task(resource), {}, mock={"result": json.dumps(result), **mock})


@pytest.mark.parametrize(
    ("resource", "result", "problem"),
    [
        ("events:putEvents", {"Entries": "one"}, "Field 'Entries' must be an array"),
        (
            "events:putEvents",
            {"Entries": [{"EventId": "a"}, {"EventId": 2}]},
            "Field 'EventId' must be a string",
        ),
        ("states:startExecution", {"StartDate": "2025-01-01"}, "Required field 'ExecutionArn' is missing"),
        (
            "states:startExecution",
            {"executionArn": STARTED["ExecutionArn"], "startDate": "2025-01-01"},
            "Required field 'ExecutionArn' is missing",
        ),
        ("states:startExecution", {**STARTED, "StartDate": True}, "Field 'StartDate' must be a string"),
        ("lambda:invoke", {"StatusCode": "200"}, "Field 'StatusCode' must be a number"),
        ("aws-sdk:s3:getObject", {"ContentLength": "12"}, "Field 'ContentLength' must be a number"),
        ("aws-sdk:s3:getObject", {"StorageClass": "ATTIC"}, "Field 'StorageClass' is not an expected value"),
        ("aws-sdk:kms:encrypt", {"CiphertextBlob": 7}, "Field 'CiphertextBlob' must be a string"),
        (
            "aws-sdk:kms:encrypt",
            {"CiphertextBlob": ""},
            "Field 'CiphertextBlob' is smaller than the minimum length",
        ),
        (
            "aws-sdk:lambda:getFunction",
            {"Configuration": {"MemorySize": 64}},
            "Field 'MemorySize' is less than the minimum value",
        ),
        (
            "aws-sdk:lambda:getFunction",
            {"Configuration": {"MemorySize": 100_000}},
            "Field 'MemorySize' exceeds the maximum value",
        ),
    ],
    ids=[
        "wrong_type_top_level_field",
        "wrong_type_2nd_array_element",
        "missing_required_field",
        "field_name_not_in_sfn_case",
        "wrong_timestamp_type",
        "wrong_integer_type",
        "wrong_long_type",
        "unknown_enum_value",
        "wrong_blob_type",
        "blob_shorter_than_minimum",
        "integer_below_minimum",
        "integer_above_maximum",
    ],
)
def test_strict_mode_refuses_a_result_the_api_could_not_answer(
    sfn: Any, resource: str, result: dict[str, Any], problem: str
) -> None:
    with pytest.raises(ClientError) as raised:
        mocked(sfn, resource, result)

    assert raised.value.response["Error"] == {
        "Code": "ValidationException",
        "Message": f"Mock result schema validation error: {problem}",
    }


@pytest.mark.parametrize(
    "result",
    [{"random": "json"}, {}, {"StatusCode": 200, "Payload": {"any": ["json"]}}],
    ids=["field_not_in_api", "empty", "lambda_payload_object"],
)
def test_strict_mode_takes_fields_the_api_does_not_have_and_any_payload(
    sfn: Any, result: dict[str, Any]
) -> None:
    answer = mocked(sfn, "lambda:invoke", result)

    assert json.loads(answer["output"]) == result


def test_a_callback_result_is_not_checked_against_the_call_s_response(sfn: Any) -> None:
    # The result of a .sync task is the child's DescribeExecution, not StartExecution's response
    answer = mocked(sfn, "states:startExecution.sync", {"Output": "{}", "Status": "SUCCEEDED"})

    assert json.loads(answer["output"])["Status"] == "SUCCEEDED"


def test_present_mode_checks_only_the_fields_given(sfn: Any) -> None:
    answer = mocked(sfn, "states:startExecution", {"StartDate": "2025-01-01"}, fieldValidationMode="PRESENT")

    with pytest.raises(ClientError) as raised:
        mocked(sfn, "states:startExecution", {"StartDate": 1}, fieldValidationMode="PRESENT")

    assert answer["status"] == "SUCCEEDED"
    assert raised.value.response["Error"]["Message"].endswith("Field 'StartDate' must be a string")


def test_none_mode_checks_nothing(sfn: Any) -> None:
    answer = mocked(sfn, "lambda:invoke", {"StatusCode": "two hundred"}, fieldValidationMode="NONE")

    assert json.loads(answer["output"]) == {"StatusCode": "two hundred"}


def test_an_unknown_mode_is_refused(sfn: Any) -> None:
    with pytest.raises(ClientError) as raised:
        mocked(sfn, "lambda:invoke", {}, fieldValidationMode="LENIENT")

    assert raised.value.response["Error"]["Code"] == "ValidationException"
    assert "[STRICT, PRESENT, NONE]" in raised.value.response["Error"]["Message"]
