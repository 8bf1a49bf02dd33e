"""Operations: the alarms that catch a stuck stream and a starved ledger, a dashboard per workflow, the
operators' managed policy, the failure topic's subscriber, the stack outputs and API Gateway's account
logging role."""

from __future__ import annotations

import json
from typing import Any

import pytest

from catalog import CONSENT_DELETION, SCHEDULED_REQUEST
from catalog.consent_deletion import LEDGER_TASKS, STREAM_TRIGGER
from catalog.locations import REPOSITORY_ROOT
from catalog.model import StateMachine
from tests.infra.cloud_assembly import Resource, SynthesizedApp, as_list, wildcard_actions
from tests.infra.conftest import FAILURE_EMAIL

OPERATOR_STATE_MACHINE_ACTIONS = {
    "states:StartExecution",
    "states:DescribeStateMachine",
    "states:ListExecutions",
}
OPERATOR_EXECUTION_ACTIONS = {
    "states:RedriveExecution",
    "states:StopExecution",
    "states:DescribeExecution",
    "states:GetExecutionHistory",
    "states:DescribeStateMachineForExecution",
}


def _alarm_on(app: SynthesizedApp, metric: str, function_handler: str) -> dict[str, Any]:
    function_id, _ = app.function_with_handler(function_handler)
    (alarm,) = [
        alarm["Properties"]
        for alarm in app.of_type("AWS::CloudWatch::Alarm").values()
        if alarm["Properties"]["MetricName"] == metric
        and alarm["Properties"]["Dimensions"] == [{"Name": "FunctionName", "Value": {"Ref": function_id}}]
    ]
    return alarm


def _topic(app: SynthesizedApp, name_fragment: str) -> dict[str, str]:
    (topic_id,) = [key for key in app.of_type("AWS::SNS::Topic") if name_fragment in key]
    return {"Ref": topic_id}


def _operator_policy(app: SynthesizedApp) -> tuple[str, Resource]:
    return app.only("AWS::IAM::ManagedPolicy")


def _statements(policy: Resource) -> list[dict[str, Any]]:
    statements: list[dict[str, Any]] = policy["Properties"]["PolicyDocument"]["Statement"]
    return statements


def test_a_stuck_stream_alarms_within_minutes(consent_app: SynthesizedApp) -> None:
    # Given the alarms on the stream trigger
    handler = CONSENT_DELETION.function(STREAM_TRIGGER).handler
    iterator_age = _alarm_on(consent_app, "IteratorAge", handler)
    errors = _alarm_on(consent_app, "Errors", handler)
    operations_topic = _topic(consent_app, "OperationsTopic")

    # Then the iterator age alarms once the trigger is ten minutes behind in one five-minute period
    assert iterator_age["Namespace"] == "AWS/Lambda"
    assert (iterator_age["Statistic"], iterator_age["Period"]) == ("Maximum", 300)
    assert (iterator_age["Threshold"], iterator_age["ComparisonOperator"]) == (
        600_000,
        "GreaterThanOrEqualToThreshold",
    )
    assert iterator_age["EvaluationPeriods"] == 1
    # and a single failed invocation alarms
    assert (errors["Statistic"], errors["Threshold"], errors["EvaluationPeriods"]) == ("Sum", 1, 1)
    assert errors["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    # and both notify the operations topic
    assert iterator_age["AlarmActions"] == errors["AlarmActions"] == [operations_topic]


def test_sustained_throttling_of_the_ledger_tasks_alarms(consent_app: SynthesizedApp) -> None:
    # Given the throttles alarm of the function whose reserved concurrency bounds ledger connections
    alarm = _alarm_on(consent_app, "Throttles", CONSENT_DELETION.function(LEDGER_TASKS).handler)

    # Then a throttle in each of three consecutive five-minute periods notifies the operations topic
    assert (alarm["Namespace"], alarm["Statistic"], alarm["Period"]) == ("AWS/Lambda", "Sum", 300)
    assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (1, "GreaterThanOrEqualToThreshold")
    assert alarm["EvaluationPeriods"] == 3
    assert alarm["AlarmActions"] == [_topic(consent_app, "OperationsTopic")]


@pytest.mark.parametrize(
    ("fixture", "spec"), [("default_app", SCHEDULED_REQUEST), ("consent_app", CONSENT_DELETION)]
)
def test_each_workflow_has_a_dashboard_of_its_machine_functions_queues_and_alarms(
    fixture: str, spec: StateMachine, request: pytest.FixtureRequest
) -> None:
    # Given the workflow's one dashboard and its body
    app: SynthesizedApp = request.getfixturevalue(fixture)
    _, dashboard = app.only("AWS::CloudWatch::Dashboard")
    _, machine = app.only("AWS::StepFunctions::StateMachine")
    body = json.dumps(dashboard["Properties"]["DashboardBody"])

    # Then it is named like the state machine and charts the machine, every function, every queue
    # and every alarm
    assert dashboard["Properties"]["DashboardName"] == machine["Properties"]["StateMachineName"]
    references = [
        *app.of_type("AWS::StepFunctions::StateMachine"),
        *(app.function_with_handler(function.handler)[0] for function in spec.functions),
        *app.of_type("AWS::SQS::Queue"),
        *app.of_type("AWS::CloudWatch::Alarm"),
    ]
    assert [reference for reference in references if f'"{reference}"' not in body] == []
    for metric in ("ExecutionsFailed", "ExecutionsTimedOut", "Errors", "Throttles"):
        assert f'\\"{metric}\\"' in body, metric


def test_the_scheduled_requests_dashboard_charts_the_api(default_app: SynthesizedApp) -> None:
    # Given the dashboard / Then it charts the API's requests, 4xx, 5xx and latency
    _, dashboard = default_app.only("AWS::CloudWatch::Dashboard")
    body = json.dumps(dashboard["Properties"]["DashboardBody"])
    for metric in ("Count", "4XXError", "5XXError", "Latency"):
        assert f'\\"AWS/ApiGateway\\",\\"{metric}\\"' in body, metric


@pytest.mark.parametrize("fixture", ["default_app", "consent_app"])
def test_the_operator_policy_runs_stops_redrives_and_reads_only_this_machines_executions(
    fixture: str, request: pytest.FixtureRequest
) -> None:
    # Given the operator policy, the state machine and its name
    app: SynthesizedApp = request.getfixturevalue(fixture)
    _, policy = _operator_policy(app)
    machine_id, machine = app.only("AWS::StepFunctions::StateMachine")
    machine_name = machine["Properties"]["StateMachineName"]
    statements = _statements(policy)
    by_action = {
        action: as_list(statement["Resource"])
        for statement in statements
        for action in as_list(statement["Action"])
    }

    # Then every action is named (no wildcard), every statement allows, and it is attached to nobody
    assert wildcard_actions([("OperatorPolicy", statement) for statement in statements]) == []
    assert {statement["Effect"] for statement in statements} == {"Allow"}
    assert not {"Roles", "Users", "Groups"} & set(policy["Properties"])
    # and it starts, describes and lists executions of this machine only
    states_actions = {action for action in by_action if action.startswith("states:")}
    assert states_actions == OPERATOR_STATE_MACHINE_ACTIONS | OPERATOR_EXECUTION_ACTIONS
    for action in OPERATOR_STATE_MACHINE_ACTIONS:
        assert by_action[action] == [{"Ref": machine_id}], action
    # and redrives, stops and reads the history of this machine's executions only
    for action in OPERATOR_EXECUTION_ACTIONS:
        (resource,) = by_action[action]
        parts = resource["Fn::Join"][1]
        assert parts[-1] == f":execution:{machine_name}:*", action
        assert parts[2] == ":states:", action
    # and reads the machine's own log group and the workflow's dead-letter queues, nothing else
    log_group_id = machine["Properties"]["LoggingConfiguration"]["Destinations"][0]["CloudWatchLogsLogGroup"][
        "LogGroupArn"
    ]["Fn::GetAtt"][0]
    assert by_action["logs:GetLogEvents"] == [{"Fn::GetAtt": [log_group_id, "Arn"]}]
    assert {resource["Fn::GetAtt"][0] for resource in by_action["sqs:ReceiveMessage"]} == set(
        app.of_type("AWS::SQS::Queue")
    )
    key_id, _ = app.only("AWS::KMS::Key")
    assert by_action["kms:Decrypt"] == [{"Fn::GetAtt": [key_id, "Arn"]}]


def test_the_consent_operator_policy_covers_the_runbooks_replays(consent_app: SynthesizedApp) -> None:
    # Given the operator policy of the consent workflow
    _, policy = _operator_policy(consent_app)
    by_action = {
        action: as_list(statement["Resource"])
        for statement in _statements(policy)
        for action in as_list(statement["Action"])
    }
    trigger_id, _ = consent_app.function_with_handler(CONSENT_DELETION.function(STREAM_TRIGGER).handler)
    mailer_id, _ = consent_app.function_with_handler(CONSENT_DELETION.function("AlertMailer").handler)
    table_id, _ = consent_app.only("AWS::DynamoDB::Table")

    # Then it hands failed events to the stream trigger and the mailer again, reads the Customers
    # table's stream back and publishes alerts again: what the runbook's replay commands do
    assert sorted(resource["Fn::GetAtt"][0] for resource in by_action["lambda:InvokeFunction"]) == sorted(
        [trigger_id, mailer_id]
    )
    assert by_action["dynamodb:GetRecords"] == [
        {"Fn::Join": ["", [{"Fn::GetAtt": [table_id, "Arn"]}, "/stream/*"]]}
    ]
    assert by_action["sns:Publish"] == [_topic(consent_app, "AlertTopic")]


def test_the_runbook_names_every_action_of_the_operator_policy(consent_app: SynthesizedApp) -> None:
    # Given the runbook and the actions of both operator policies
    runbook = (REPOSITORY_ROOT / "docs" / "runbook.md").read_text(encoding="utf-8")
    actions = {
        action
        for statement in _statements(_operator_policy(consent_app)[1])
        for action in as_list(statement["Action"])
    }

    # Then each action is named there, and so is the output that gives the policy's ARN
    assert [action for action in sorted(actions) if f"`{action}`" not in runbook] == []
    assert "`OperatorPolicyArn`" in runbook


def test_the_failure_topic_mails_the_configured_address(
    default_app: SynthesizedApp, api_key_app: SynthesizedApp
) -> None:
    # Given the default app (no failureEmail) and one with scheduledRequests.failureEmail set
    def email_endpoints(app: SynthesizedApp) -> list[tuple[Any, str]]:
        return [
            (subscription["Properties"]["TopicArn"], subscription["Properties"]["Endpoint"])
            for subscription in app.of_type("AWS::SNS::Subscription").values()
            if subscription["Properties"]["Protocol"] == "email"
        ]

    # Then only the configured app subscribes that address, to the failure topic
    assert email_endpoints(default_app) == []
    assert email_endpoints(api_key_app) == [(_topic(api_key_app, "FailureTopic"), FAILURE_EMAIL)]


def test_the_stacks_output_what_operators_and_clients_need(
    default_app: SynthesizedApp, consent_app: SynthesizedApp
) -> None:
    # Given the outputs of both stacks
    scheduled = default_app.template["Outputs"]
    consent = consent_app.template["Outputs"]
    policy_id, _ = _operator_policy(default_app)
    consent_policy_id, _ = _operator_policy(consent_app)

    # Then they give the API URL, the state machines, the topics, the queues, the dashboards and the
    # operator policies
    assert {"ScheduleApiUrl", "StateMachineArn", "DeadLetterQueueUrl", "FailureTopicArn"} <= set(scheduled)
    assert {"StateMachineArn", "AlertTopicArn", "OperationsTopicArn", "StreamFailureQueueUrl"} <= set(consent)
    assert "UndeliveredAlertQueueUrl" in consent
    assert scheduled["FailureTopicArn"]["Value"] == _topic(default_app, "FailureTopic")
    assert scheduled["OperatorPolicyArn"]["Value"] == {"Ref": policy_id}
    assert consent["OperatorPolicyArn"]["Value"] == {"Ref": consent_policy_id}
    for outputs, app in ((scheduled, default_app), (consent, consent_app)):
        dashboard_id, _ = app.only("AWS::CloudWatch::Dashboard")
        assert outputs["DashboardName"]["Value"] == {"Ref": dashboard_id}


def test_the_api_gateway_account_role_is_created_only_when_asked_for(
    default_app: SynthesizedApp, api_key_app: SynthesizedApp
) -> None:
    # Given the default app and one with scheduledRequests.createApiGatewayCloudWatchRole
    assert default_app.of_type("AWS::ApiGateway::Account") == {}
    account_id, account = api_key_app.only("AWS::ApiGateway::Account")
    role_id = account["Properties"]["CloudWatchRoleArn"]["Fn::GetAtt"][0]
    role = api_key_app.resources[role_id]
    _, stage = api_key_app.only("AWS::ApiGateway::Stage")

    # Then API Gateway assumes the role, which writes to this account's and region's log groups only
    (trust,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "apigateway.amazonaws.com"}
    (statement,) = api_key_app.statements_of_role(role_id)
    assert "logs:PutLogEvents" in statement["Action"]
    assert statement["Resource"]["Fn::Join"][1][-1] == ":log-group:*"
    assert wildcard_actions([(role_id, statement)]) == []
    # and both are kept with the stack deleted (other APIs may log through it), and the stage, whose
    # access logs need the role, is created after it
    assert role["DeletionPolicy"] == account["DeletionPolicy"] == "Retain"
    assert account_id in as_list(stage.get("DependsOn", []))


def test_every_cfn_lint_acknowledgment_gives_its_reason(
    default_app: SynthesizedApp, consent_app: SynthesizedApp
) -> None:
    # Given every resource that tells cfn-lint to ignore a check
    acknowledged = [
        (key, resource["Metadata"]["cfn-lint"])
        for app in (default_app, consent_app)
        for key, resource in app.resources.items()
        if "cfn-lint" in resource.get("Metadata", {})
    ]
    assert acknowledged

    # Then each ignored check has a reason beside it
    for key, metadata in acknowledged:
        ignored = metadata["config"]["ignore_checks"]
        assert ignored and set(ignored) <= set(metadata["reasons"]), key
        assert all(len(metadata["reasons"][rule]) > 40 for rule in ignored), key


def test_the_runbook_explains_every_scheduled_requests_alarm(default_app: SynthesizedApp) -> None:
    # Given the runbook's scheduled-requests part and the stack's alarms (by construct name)
    runbook = (REPOSITORY_ROOT / "docs" / "runbook.md").read_text(encoding="utf-8")
    scheduled_part = runbook[runbook.index("# Scheduled requests") :]
    alarm_names = {
        key.removeprefix("ScheduledRequestsWorkflowCoreAlarms")[:-8]
        for key in default_app.of_type("AWS::CloudWatch::Alarm")
    }

    # Then each has a row there, and the dead-letter replay procedure starts executions again
    assert alarm_names == {"ExecutionsFailed", "ExecutionsTimedOut", "DeadLetterQueueNotEmpty"}
    assert [name for name in alarm_names if f"| `{name}` |" not in scheduled_part] == []
    assert "## Replaying the dead-letter queue" in scheduled_part
    assert "aws stepfunctions start-execution" in scheduled_part
