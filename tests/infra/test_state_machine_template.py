"""The state machine in the template is the ASL file, with substitutions bound to the right resources."""

from __future__ import annotations

import json
import re
from typing import Any

from catalog import SCHEDULED_REQUEST
from tests.infra.cloud_assembly import SynthesizedApp, intrinsic_marker

_PLACEHOLDER = re.compile(r"\$\{([A-Za-z][A-Za-z0-9]*)\}")


def _state_machine(app: SynthesizedApp) -> dict[str, Any]:
    _, machine = app.only("AWS::StepFunctions::StateMachine")
    properties: dict[str, Any] = machine["Properties"]
    return properties


def test_definition_in_the_template_equals_the_asl_file_after_substitution(
    default_app: SynthesizedApp,
) -> None:
    # Given the template's definition string and its substitutions
    machine = _state_machine(default_app)
    substitutions = machine["DefinitionSubstitutions"]
    markers = {name: intrinsic_marker(value) for name, value in substitutions.items()}

    # When CloudFormation's substitution is applied to the template side and the catalog renders the file
    deployed = json.loads(
        _PLACEHOLDER.sub(lambda match: markers[match.group(1)], machine["DefinitionString"])
    )
    expected = SCHEDULED_REQUEST.render_definition(markers)

    # Then both are the same document
    assert deployed == expected
    assert deployed["QueryLanguage"] == "JSONata"


def test_substitutions_point_at_the_workflow_resources_and_tunable_defaults(
    default_app: SynthesizedApp,
) -> None:
    # Given the one queue and topic of the stack
    queue_id, _ = default_app.only("AWS::SQS::Queue")
    topic_id, _ = default_app.only("AWS::SNS::Topic")

    # When the substitutions are read
    substitutions = _state_machine(default_app)["DefinitionSubstitutions"]

    # Then each stands for what the catalog says: a queue URL (Ref), a topic ARN (Ref), tunable defaults
    assert substitutions == {
        "DeadLetterQueueUrl": {"Ref": queue_id},
        "FailureTopicArn": {"Ref": topic_id},
        "MaxReschedules": str(SCHEDULED_REQUEST.tunable("MaxReschedules").default),
        "RescheduleBaseDelaySeconds": str(SCHEDULED_REQUEST.tunable("RescheduleBaseDelaySeconds").default),
    }


def test_a_configured_tunable_reaches_the_definition(api_key_app: SynthesizedApp) -> None:
    # Given tunables.MaxReschedules = 5 in the context / Then the substitution carries it
    assert _state_machine(api_key_app)["DefinitionSubstitutions"]["MaxReschedules"] == "5"


def test_the_machine_is_standard_logs_everything_and_traces(default_app: SynthesizedApp) -> None:
    # Given the state machine and its log group
    machine = _state_machine(default_app)
    log_group_ref = machine["LoggingConfiguration"]["Destinations"][0]["CloudWatchLogsLogGroup"][
        "LogGroupArn"
    ]
    log_group = default_app.resources[log_group_ref["Fn::GetAtt"][0]]

    # Then it is a Standard machine logging ALL events without execution data, with X-Ray
    assert machine["StateMachineType"] == "STANDARD"
    assert machine["LoggingConfiguration"]["Level"] == "ALL"
    assert machine["LoggingConfiguration"]["IncludeExecutionData"] is False
    assert machine["TracingConfiguration"] == {"Enabled": True}
    assert log_group["Properties"]["LogGroupName"].startswith("/aws/vendedlogs/states/")


def test_execution_data_in_logs_is_configurable(api_key_app: SynthesizedApp) -> None:
    # Given logExecutionData = true / Then the logging configuration includes execution data
    assert _state_machine(api_key_app)["LoggingConfiguration"]["IncludeExecutionData"] is True


def test_functions_get_the_environment_the_catalog_declares(default_app: SynthesizedApp) -> None:
    # Given the front door, the processor, the machine and the table
    _, front_door = default_app.function_with_handler(SCHEDULED_REQUEST.function("FrontDoor").handler)
    processor_id, processor = default_app.function_with_handler(
        SCHEDULED_REQUEST.function("ExampleProcessor").handler
    )
    machine_id, _ = default_app.only("AWS::StepFunctions::StateMachine")
    table_id, _ = default_app.only("AWS::DynamoDB::Table")
    front_door_env = front_door["Properties"]["Environment"]["Variables"]

    # Then the references resolve to those resources and the tunables to their defaults
    assert front_door_env["STATE_MACHINE_ARN"] == {"Ref": machine_id}
    assert front_door_env["DEFAULT_TARGET"] == "example-processor"
    assert front_door_env["CLOCK_SKEW_SECONDS"] == "30"
    assert front_door_env["MAX_HORIZON_DAYS"] == "364"
    registry = json.dumps(front_door_env["TARGET_FUNCTIONS"])
    assert '\\"example-processor\\":\\"' in registry
    assert json.dumps({"Fn::GetAtt": [processor_id, "Arn"]}) in registry
    assert processor["Properties"]["Environment"]["Variables"]["IDEMPOTENCY_TABLE_NAME"] == {"Ref": table_id}
