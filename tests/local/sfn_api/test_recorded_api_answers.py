"""API answers as AWS recorded them (LocalStack's AWS-validated snapshots), asked over HTTP with boto3."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.local.sfn_api.helpers import (
    ROLE_ARN,
    make_client,
    pass_chain_machine,
    wait_for_status,
    wait_machine,
)

Names = Callable[[str], str]


def error_of(call: Callable[..., Any], **arguments: Any) -> tuple[str, str]:
    """The code and message of the error a call answers."""
    with pytest.raises(ClientError) as raised:
        call(**arguments)
    error = raised.value.response["Error"]
    return error["Code"], error["Message"]


def create(sfn: Any, unique_name: Names, **members: Any) -> dict[str, Any]:
    """CreateStateMachine of a new one-state machine, with any further members given."""
    given = {"definition": pass_chain_machine(1), **members}
    created: dict[str, Any] = sfn.create_state_machine(name=unique_name("Machine"), roleArn=ROLE_ARN, **given)
    return created


@pytest.mark.parametrize(
    ("operation", "member"),
    [
        ("describe_state_machine", "stateMachineArn"),
        ("list_executions", "stateMachineArn"),
        ("describe_execution", "executionArn"),
        ("get_execution_history", "executionArn"),
        ("start_execution", "stateMachineArn"),
        ("describe_activity", "activityArn"),
    ],
)
def test_a_text_that_is_no_arn_is_refused_for_its_prefix(sfn: Any, operation: str, member: str) -> None:
    # Given a text that does not even start like an ARN
    # When an operation is given it
    answer = error_of(getattr(sfn, operation), **{member: "invalid_state_machine_arn"})

    # Then AWS's answer names the prefix
    assert answer == ("InvalidArn", "Invalid Arn: 'Invalid ARN prefix: invalid_state_machine_arn'")


def test_an_arn_of_another_resource_type_is_still_refused_for_its_type(sfn: Any) -> None:
    execution_arn = "arn:aws:states:us-east-1:123456789012:execution:machine:run"

    answer = error_of(sfn.describe_state_machine, stateMachineArn=execution_arn)

    assert answer == (
        "InvalidArn",
        f"Invalid Arn: 'Resource type not valid in this context: {execution_arn}'",
    )


def test_a_machine_that_does_not_exist_is_named_in_full(sfn: Any, unique_name: Names) -> None:
    arn = create(sfn, unique_name)["stateMachineArn"]
    missing = f"{arn}-other"

    answer = error_of(sfn.list_executions, stateMachineArn=missing)

    assert answer == ("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{missing}'")


def test_describe_execution_says_why_an_execution_cannot_be_redriven(sfn: Any, unique_name: Names) -> None:
    # Given an execution that succeeded, one still running and one stopped
    finished = create(sfn, unique_name)["stateMachineArn"]
    waiting = sfn.create_state_machine(
        name=unique_name("Machine"), definition=wait_machine(3600), roleArn=ROLE_ARN
    )["stateMachineArn"]
    succeeded = wait_for_status(sfn, sfn.start_execution(stateMachineArn=finished)["executionArn"])
    running = sfn.describe_execution(
        executionArn=sfn.start_execution(stateMachineArn=waiting)["executionArn"]
    )
    stopped_arn = sfn.start_execution(stateMachineArn=waiting)["executionArn"]
    sfn.stop_execution(executionArn=stopped_arn)
    stopped = sfn.describe_execution(executionArn=stopped_arn)

    # Then those that cannot be redriven say why, in AWS's words; one that can says nothing
    assert succeeded["redriveStatus"] == "NOT_REDRIVABLE"
    assert succeeded["redriveStatusReason"] == "Execution is SUCCEEDED and cannot be redriven"
    assert running["redriveStatus"] == "NOT_REDRIVABLE"
    assert running["redriveStatusReason"] == "Execution is RUNNING and cannot be redriven"
    assert stopped["redriveStatus"] == "REDRIVABLE"
    assert "redriveStatusReason" not in stopped


def too_many(maximum: int) -> str:
    return (
        f"1 validation error detected: Value '{maximum + 1}' at 'maxResults' failed to satisfy constraint: "
    )


def test_list_requests_out_of_bounds_are_refused_in_aws_words(sfn: Any, unique_name: Names) -> None:
    arn = create(sfn, unique_name)["stateMachineArn"]
    bound = "Member must have value less than or equal to 1000"

    assert error_of(sfn.list_state_machines, maxResults=1001) == (
        "ValidationException",
        too_many(1000) + bound,
    )
    assert error_of(sfn.list_executions, stateMachineArn=arn, maxResults=1001) == (
        "ValidationException",
        too_many(1000) + bound,
    )
    assert error_of(sfn.list_state_machines, nextToken="x" * 1025) == (
        "ValidationException",
        f"1 validation error detected: Value '{'x' * 1025}' at 'nextToken' failed to satisfy constraint: "
        "Member must have length less than or equal to 1024",
    )
    assert error_of(sfn.list_executions, stateMachineArn=arn, nextToken="x" * 3097) == (
        "ValidationException",
        f"1 validation error detected: Value '{'x' * 3097}' at 'nextToken' failed to satisfy constraint: "
        "Member must have length less than or equal to 3096",
    )
    assert error_of(sfn.list_executions, stateMachineArn=arn, statusFilter="succeeded") == (
        "ValidationException",
        "1 validation error detected: Value 'succeeded' at 'statusFilter' failed to satisfy constraint: "
        "Member must satisfy enum value set: "
        "[SUCCEEDED, TIMED_OUT, PENDING_REDRIVE, ABORTED, FAILED, RUNNING]",
    )


def test_max_results_zero_asks_for_the_default_page(sfn: Any, unique_name: Names) -> None:
    arn = create(sfn, unique_name)["stateMachineArn"]
    for _ in range(3):
        sfn.start_execution(stateMachineArn=arn)

    listed = sfn.list_executions(stateMachineArn=arn, maxResults=0)

    assert len(listed["executions"]) == 3
    assert "nextToken" not in listed


def test_a_version_cannot_be_tagged(sfn: Any, unique_name: Names) -> None:
    # Given a state machine with a version
    arn = create(sfn, unique_name, publish=True)["stateMachineVersionArn"]

    # When the version is tagged
    answer = error_of(sfn.tag_resource, resourceArn=arn, tags=[{"key": "key1", "value": "value1"}])

    # Then AWS's answer: no such resource to tag
    assert answer == ("ResourceNotFound", f"Resource not found: '{arn}'")


def test_tags_repeated_in_one_request_are_kept_once(sfn: Any, unique_name: Names) -> None:
    arn = create(sfn, unique_name)["stateMachineArn"]
    tag = {"key": "key1", "value": "value1"}

    sfn.tag_resource(resourceArn=arn, tags=[tag, tag])

    assert sfn.list_tags_for_resource(resourceArn=arn)["tags"] == [tag]


LOG_GROUP = {
    "cloudWatchLogsLogGroup": {"logGroupArn": "arn:aws:logs:us-east-1:123456789012:log-group:flows:*"}
}
ONE_DESTINATION_ONLY = (
    "InvalidLoggingConfiguration",
    "Invalid Logging Configuration: Must specify exactly one Log Destination.",
)


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ({}, {"level": "OFF", "includeExecutionData": False}),
        ({"destinations": []}, {"level": "OFF", "includeExecutionData": False, "destinations": []}),
        (
            {"level": "ERROR", "includeExecutionData": True, "destinations": [LOG_GROUP]},
            {"level": "ERROR", "includeExecutionData": True, "destinations": [LOG_GROUP]},
        ),
    ],
)
def test_a_logging_configuration_is_kept_with_aws_defaults(
    sfn: Any, unique_name: Names, given: dict[str, Any], kept: dict[str, Any]
) -> None:
    arn = create(sfn, unique_name, loggingConfiguration=given)["stateMachineArn"]

    assert sfn.describe_state_machine(stateMachineArn=arn)["loggingConfiguration"] == kept


@pytest.mark.parametrize(
    "given",
    [
        {"level": "ALL"},
        {"level": "FATAL", "destinations": []},
        {"level": "ALL", "destinations": [LOG_GROUP] * 2},
    ],
)
def test_logging_needs_exactly_one_destination(sfn: Any, unique_name: Names, given: dict[str, Any]) -> None:
    # Given a state machine logging nowhere
    arn = create(sfn, unique_name)["stateMachineArn"]

    # Then a logging level without one destination is refused, at create and at update
    at_create = error_of(create, sfn=sfn, unique_name=unique_name, loggingConfiguration=given)
    at_update = error_of(sfn.update_state_machine, stateMachineArn=arn, loggingConfiguration=given)
    assert at_create == at_update == ONE_DESTINATION_ONLY
    assert sfn.describe_state_machine(stateMachineArn=arn)["loggingConfiguration"]["level"] == "OFF"


def test_an_update_to_the_same_logging_makes_no_revision(sfn: Any, unique_name: Names) -> None:
    logging = {"level": "ALL", "includeExecutionData": True, "destinations": [LOG_GROUP]}
    arn = create(sfn, unique_name, loggingConfiguration=logging)["stateMachineArn"]

    first = sfn.update_state_machine(stateMachineArn=arn, loggingConfiguration={**logging, "level": "FATAL"})
    same = sfn.update_state_machine(stateMachineArn=arn, loggingConfiguration={**logging, "level": "FATAL"})
    flag = sfn.update_state_machine(
        stateMachineArn=arn, loggingConfiguration={**logging, "level": "FATAL", "includeExecutionData": False}
    )

    assert same["revisionId"] == first["revisionId"]
    assert flag["revisionId"] != first["revisionId"]


def test_descriptions_of_a_machine_name_its_encryption(sfn: Any, unique_name: Names) -> None:
    # Given a state machine with a version, and an execution of it
    created = create(sfn, unique_name, publish=True)
    run = sfn.start_execution(stateMachineArn=created["stateMachineArn"])["executionArn"]

    # Then every description says its data is encrypted with AWS's own key, as AWS answers
    aws_owned = {"type": "AWS_OWNED_KEY"}
    assert (
        sfn.describe_state_machine(stateMachineArn=created["stateMachineArn"])["encryptionConfiguration"]
        == aws_owned
    )
    assert (
        sfn.describe_state_machine(stateMachineArn=created["stateMachineVersionArn"])[
            "encryptionConfiguration"
        ]
        == aws_owned
    )
    assert sfn.describe_state_machine_for_execution(executionArn=run)["encryptionConfiguration"] == aws_owned


@pytest.mark.parametrize(
    ("given", "reason"),
    [
        (
            "not some json",
            "Unrecognized token 'not': was expecting "
            "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')",
        ),
        (
            "{'not': 'json'",
            "Unexpected character (''' (code 39)): was expecting double-quote to start field name",
        ),
        ("", "Invalid execution input."),
    ],
)
def test_an_input_that_is_no_json_is_refused_in_jacksons_words(
    sfn: Any, unique_name: Names, given: str, reason: str
) -> None:
    arn = create(sfn, unique_name)["stateMachineArn"]

    answer = error_of(sfn.start_execution, stateMachineArn=arn, input=given)

    assert answer == ("InvalidExecutionInput", f"Invalid State Machine Execution Input: '{reason}'")


def test_validating_a_definition_that_is_no_json_reports_jacksons_words_and_location(sfn: Any) -> None:
    result = sfn.validate_state_machine_definition(definition="not a definition")

    location = '[Source: (String)"not a definition"; line: 1, column: 4]'
    assert result == {
        "result": "FAIL",
        "diagnostics": [
            {
                "severity": "ERROR",
                "code": "INVALID_JSON_DESCRIPTION",
                "message": "Unrecognized token 'not': was expecting "
                "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')"
                f"\n at {location}",
                "location": location,
            }
        ],
        "truncated": False,
        "ResponseMetadata": result["ResponseMetadata"],
    }


def test_creating_a_machine_whose_definition_is_no_json_refuses_it_in_jacksons_words(
    sfn: Any, unique_name: Names
) -> None:
    answer = error_of(
        sfn.create_state_machine, name=unique_name("NoJson"), definition="not a definition", roleArn=ROLE_ARN
    )

    assert answer == (
        "InvalidDefinition",
        "Invalid State Machine Definition: 'INVALID_JSON_DESCRIPTION: "
        "Unrecognized token 'not': was expecting "
        "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')\n"
        ' at [Source: (String)"not a definition"; line: 1, column: 4]\'',
    )


def test_validating_a_definition_without_states_and_start_names_both_in_aws_order(sfn: Any) -> None:
    result = sfn.validate_state_machine_definition(definition="{}")

    assert [(d["code"], d["message"]) for d in result["diagnostics"]] == [
        ("SCHEMA_VALIDATION_FAILED", "These fields are required: [States, StartAt]")
    ]


def test_validating_an_empty_definition_reports_it_is_no_json_object(endpoint_url: str) -> None:
    # Given a client that sends what its own checks would refuse, as the AWS recording did
    sfn = make_client(endpoint_url, parameter_validation=False)

    result = sfn.validate_state_machine_definition(definition="")

    assert result["result"] == "FAIL"
    assert result["diagnostics"] == [
        {
            "severity": "ERROR",
            "code": "SCHEMA_VALIDATION_FAILED",
            "message": "Definition must be a valid JSON object",
        }
    ]


REFERENCES_IN_CHOICE = {
    "StartAt": "Setup",
    "States": {
        "Setup": {
            "Type": "Pass",
            "Assign": {"guess": "the_guess", "answer": "the_answer"},
            "Next": "CheckAnswer",
        },
        "CheckAnswer": {
            "Type": "Choice",
            "Choices": [{"Variable": "$guess", "StringEqualsPath": "$answer", "Next": "CorrectAnswer"}],
            "Default": "WrongAnswer",
        },
        "CorrectAnswer": {"Type": "Pass", "Result": {"state": "CORRECT"}, "End": True},
        "WrongAnswer": {
            "Type": "Pass",
            "Assign": {"guess.$": "$answer"},
            "Result": {"state": "WRONG"},
            "End": True,
        },
    },
}
REFERENCES_IN_MAP_AND_FAIL = {
    "StartAt": "Input",
    "States": {
        "Input": {
            "Type": "Pass",
            "Parameters": {"result": "$result"},
            "Assign": {"bias": 4.3, "errorVar": "Oops", "causeVar": "Why"},
            "Next": "Levels",
        },
        "Levels": {
            "Type": "Map",
            "ItemsPath": "$.levels",
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "INLINE"},
                "StartAt": "Summate",
                "States": {
                    "Summate": {
                        "Type": "Pass",
                        "Assign": {"Sum.$": "States.MathAdd(States.MathAdd($.x, $xCurrent), $bias)"},
                        "End": True,
                    }
                },
            },
            "Next": "Fail",
        },
        "Fail": {"Type": "Fail", "ErrorPath": "$errorVar", "CausePath": "$causeVar"},
    },
}


@pytest.mark.parametrize(
    ("machine", "references"),
    [
        (REFERENCES_IN_CHOICE, {"CheckAnswer": ["answer", "guess"], "WrongAnswer": ["answer"]}),
        (REFERENCES_IN_MAP_AND_FAIL, {"Summate": ["bias", "xCurrent"], "Fail": ["causeVar", "errorVar"]}),
    ],
)
def test_descriptions_list_the_variables_each_state_reads(
    sfn: Any, unique_name: Names, machine: dict[str, Any], references: dict[str, list[str]]
) -> None:
    # Given a state machine whose states read variables, and an execution of it
    arn = create(sfn, unique_name, definition=json.dumps(machine), publish=True)
    run = sfn.start_execution(stateMachineArn=arn["stateMachineArn"], input=json.dumps({"levels": []}))

    # Then its descriptions list them by state, as AWS answers
    assert (
        sfn.describe_state_machine(stateMachineArn=arn["stateMachineArn"])["variableReferences"] == references
    )
    assert (
        sfn.describe_state_machine(stateMachineArn=arn["stateMachineVersionArn"])["variableReferences"]
        == references
    )
    described = sfn.describe_state_machine_for_execution(executionArn=run["executionArn"])
    assert described["variableReferences"] == references


def test_a_machine_reading_no_variable_has_no_variable_references(sfn: Any, unique_name: Names) -> None:
    arn = create(sfn, unique_name)["stateMachineArn"]

    assert "variableReferences" not in sfn.describe_state_machine(stateMachineArn=arn)
