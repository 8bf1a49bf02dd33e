"""Least privilege: no wildcard actions, no managed policies, each grant scoped to its one resource."""

from __future__ import annotations

import pytest

from catalog import SCHEDULED_REQUEST
from tests.infra.cloud_assembly import (
    SynthesizedApp,
    granted_actions,
    not_action_holders,
    wildcard_actions,
)
from tests.infra.conftest import EXTERNAL_TARGET_ARN

APPS = ["default_app", "api_key_app", "cognito_app"]


@pytest.fixture(params=APPS)
def app(request: pytest.FixtureRequest) -> SynthesizedApp:
    synthesized: SynthesizedApp = request.getfixturevalue(request.param)
    return synthesized


def _role_of_function(app: SynthesizedApp, logical_id: str) -> str:
    return app.role_of_function(SCHEDULED_REQUEST.function(logical_id).handler)


def _role_of_state_machine(app: SynthesizedApp) -> str:
    _, machine = app.only("AWS::StepFunctions::StateMachine")
    role_id: str = machine["Properties"]["RoleArn"]["Fn::GetAtt"][0]
    return role_id


def test_no_identity_policy_statement_has_a_wildcard_action(app: SynthesizedApp) -> None:
    # Given every statement of every role, user, group and policy
    statements = list(app.all_iam_statements())
    assert statements, "no IAM statements found: the walk would prove nothing"

    # Then none names a wildcard action or uses NotAction
    assert wildcard_actions(statements) == []
    assert not_action_holders(statements) == []


def test_no_role_uses_an_aws_managed_policy(app: SynthesizedApp) -> None:
    # Given every role / Then none attaches managed policies (each gets exactly what it needs inline)
    roles = app.of_type("AWS::IAM::Role")
    assert roles
    assert {key: role["Properties"].get("ManagedPolicyArns") for key, role in roles.items()} == dict.fromkeys(
        roles
    )


def test_the_front_door_controls_only_executions_of_this_state_machine(default_app: SynthesizedApp) -> None:
    # Given the front door's statements and the state machine
    machine_id, machine = default_app.only("AWS::StepFunctions::StateMachine")
    machine_name = machine["Properties"]["StateMachineName"]
    granted = granted_actions(
        default_app.statements_of_role(_role_of_function(default_app, "FrontDoor")), "states:"
    )

    # Then it may start this machine and describe, stop and read the history of its executions only
    assert set(granted) == {
        "states:StartExecution",
        "states:DescribeExecution",
        "states:StopExecution",
        "states:GetExecutionHistory",
    }
    assert granted["states:StartExecution"] == [{"Ref": machine_id}]
    for action in ("states:DescribeExecution", "states:StopExecution", "states:GetExecutionHistory"):
        (resource,) = granted[action]
        parts = resource["Fn::Join"][1]
        assert parts[-1] == f":execution:{machine_name}:*", action
        assert ":states:" in parts


def test_the_state_machine_invokes_exactly_the_default_target(default_app: SynthesizedApp) -> None:
    # Given the processor, the only configured target
    processor_id, _ = default_app.function_with_handler(
        SCHEDULED_REQUEST.function("ExampleProcessor").handler
    )
    granted = granted_actions(default_app.statements_of_role(_role_of_state_machine(default_app)), "lambda:")

    # Then the machine may invoke it (any version) and nothing else
    assert granted == {
        "lambda:InvokeFunction": [
            {"Fn::GetAtt": [processor_id, "Arn"]},
            {"Fn::Join": ["", [{"Fn::GetAtt": [processor_id, "Arn"]}, ":*"]]},
        ]
    }


def test_a_target_added_by_arn_is_invocable_and_nothing_more(api_key_app: SynthesizedApp) -> None:
    # Given a registry of the bundled processor and an existing function by ARN
    processor_id, _ = api_key_app.function_with_handler(
        SCHEDULED_REQUEST.function("ExampleProcessor").handler
    )
    (resources,) = granted_actions(
        api_key_app.statements_of_role(_role_of_state_machine(api_key_app)), "lambda:"
    ).values()

    # Then exactly those two functions are invocable
    assert {"Fn::GetAtt": [processor_id, "Arn"]} in resources
    assert EXTERNAL_TARGET_ARN in resources
    assert f"{EXTERNAL_TARGET_ARN}:*" in resources
    assert len(resources) == 4


def test_the_state_machine_sends_and_publishes_to_its_own_queue_and_topic(
    default_app: SynthesizedApp,
) -> None:
    # Given the machine's statements, its queue, topic and key
    statements = default_app.statements_of_role(_role_of_state_machine(default_app))
    queue_id, _ = default_app.only("AWS::SQS::Queue")
    topic_id, _ = default_app.only("AWS::SNS::Topic")
    key_id, _ = default_app.only("AWS::KMS::Key")

    # Then it may send to that queue, publish to that topic and use that key to encrypt, no more
    assert granted_actions(statements, "sqs:") == {"sqs:SendMessage": [{"Fn::GetAtt": [queue_id, "Arn"]}]}
    assert granted_actions(statements, "sns:") == {"sns:Publish": [{"Ref": topic_id}]}
    assert granted_actions(statements, "kms:") == {
        "kms:Decrypt": [{"Fn::GetAtt": [key_id, "Arn"]}],
        "kms:GenerateDataKey": [{"Fn::GetAtt": [key_id, "Arn"]}],
    }


def test_the_processor_reads_and_writes_single_items_of_its_table_only(default_app: SynthesizedApp) -> None:
    # Given the processor's statements and the idempotency table
    table_id, _ = default_app.only("AWS::DynamoDB::Table")
    granted = granted_actions(
        default_app.statements_of_role(_role_of_function(default_app, "ExampleProcessor")), "dynamodb:"
    )

    # Then it has the four item actions Powertools idempotency uses, on that table
    table_arn = {"Fn::GetAtt": [table_id, "Arn"]}
    assert granted == {
        action: [table_arn]
        for action in ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem")
    }
