"""cdk-nag and cfn-lint are clean; data is encrypted; functions run as the project expects."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from catalog import SCHEDULED_REQUEST
from tests.infra.cloud_assembly import SynthesizedApp

APPS = ["default_app", "api_key_app", "cognito_app"]


@pytest.fixture(params=APPS)
def app(request: pytest.FixtureRequest) -> SynthesizedApp:
    synthesized: SynthesizedApp = request.getfixturevalue(request.param)
    return synthesized


def test_cdk_nag_reports_no_unacknowledged_finding(app: SynthesizedApp) -> None:
    # Given a synthesized app (synthesis fails outright on an error-level violation)
    # Then the validation report and the manifest hold no finding, error or warning
    assert app.validation_violations() == []
    assert app.messages("aws:cdk:error", "aws:cdk:warning") == []


def test_cdk_nag_is_attached_and_fails_synthesis_on_a_finding(tmp_path: Path) -> None:
    # Given the app with one non-compliant resource added
    from aws_cdk import Stack
    from aws_cdk import aws_sqs as sqs

    from workflows import names
    from workflows.app import build_app

    app = build_app(outdir=str(tmp_path))
    stack = app.node.find_child(names.SCHEDULED_REQUESTS_STACK)
    assert isinstance(stack, Stack)
    sqs.Queue(stack, "UnencryptedQueue", encryption=sqs.QueueEncryption.UNENCRYPTED)

    # When it is synthesized / Then AwsSolutions rejects it
    with pytest.raises(Exception, match="ValidationFailed"):
        app.synth()
    report = json.loads((tmp_path / "validation-report.json").read_text())
    rules = {
        violation["ruleName"] for plugin in report["pluginReports"] for violation in plugin["violations"]
    }
    assert "AwsSolutions-SQS2" in rules


def test_cfn_lint_finds_no_error_and_no_warning(app: SynthesizedApp) -> None:
    # Given the synthesized template / When cfn-lint checks it
    findings = app.cfn_lint_findings()

    # Then there is no error- or warning-level match
    assert findings == []


def test_queue_and_topic_are_encrypted_with_the_rotating_customer_managed_key(
    default_app: SynthesizedApp,
) -> None:
    # Given the key, the dead-letter queue and the failure topic
    key_id, key = default_app.only("AWS::KMS::Key")
    _, queue = default_app.only("AWS::SQS::Queue")
    _, topic = default_app.only("AWS::SNS::Topic")
    key_arn = {"Fn::GetAtt": [key_id, "Arn"]}

    # Then both use that key and the key rotates
    assert key["Properties"]["EnableKeyRotation"] is True
    assert queue["Properties"]["KmsMasterKeyId"] == key_arn
    assert topic["Properties"]["KmsMasterKeyId"] == key_arn


def test_the_idempotency_table_has_ttl_recovery_and_encryption(default_app: SynthesizedApp) -> None:
    # Given the table and the catalog's declaration of it
    _, table = default_app.only("AWS::DynamoDB::Table")
    (declared,) = SCHEDULED_REQUEST.tables
    properties = table["Properties"]

    # Then it is keyed, expires items, recovers to a point in time and is encrypted
    assert properties["KeySchema"] == [{"AttributeName": declared.partition_key, "KeyType": "HASH"}]
    assert properties["TimeToLiveSpecification"] == {
        "AttributeName": declared.time_to_live_attribute,
        "Enabled": True,
    }
    assert properties["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert properties["SSESpecification"]["SSEEnabled"] is True


def test_functions_run_python_on_arm_with_the_managed_powertools_layer(default_app: SynthesizedApp) -> None:
    # Given every Lambda function
    functions = default_app.of_type("AWS::Lambda::Function").values()
    assert {function["Properties"]["Handler"] for function in functions} == {
        function.handler for function in SCHEDULED_REQUEST.functions
    }

    # Then each runs Python 3.13 on ARM64, traced, with the region's Powertools v3 layer for that Python
    for function in functions:
        properties = function["Properties"]
        assert properties["Runtime"] == "python3.13"
        assert properties["Architectures"] == ["arm64"]
        assert properties["TracingConfig"] == {"Mode": "Active"}
        (layer,) = properties["Layers"]
        layer_parts = layer["Fn::Join"][1]
        assert {"Ref": "AWS::Region"} in layer_parts
        assert layer_parts[-1].endswith(":017000801446:layer:AWSLambdaPowertoolsPythonV3-python313-arm64:27")


def test_the_code_asset_holds_only_the_functions_package(default_app: SynthesizedApp) -> None:
    # Given the code asset directories of the stack's functions (other stacks stage layers and
    # CDK's own custom resource handlers in the same directory)
    code_assets = {
        function["Properties"]["Code"]["S3Key"].removesuffix(".zip")
        for function in default_app.of_type("AWS::Lambda::Function").values()
    }
    assets = [
        path
        for path in default_app.outdir.iterdir()
        if path.name.removeprefix("asset.") in code_assets and path.is_dir()
    ]
    assert assets

    # Then each holds the functions package and nothing else, without bytecode caches
    for asset in assets:
        assert sorted(child.name for child in asset.iterdir()) == ["functions"]
        assert not list(asset.rglob("__pycache__"))
        assert (asset / "functions" / "scheduled_requests").is_dir()
