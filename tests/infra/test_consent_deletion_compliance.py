"""The ConsentDeletion stack is cdk-nag and cfn-lint clean, grants no wildcard action, and ships its
dependencies layer to exactly the functions that need it."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalog import CONSENT_DELETION
from tests.infra.cloud_assembly import SynthesizedApp, not_action_holders, wildcard_actions

APPS = ["consent_app", "consent_production_app"]
# Roles CDK itself creates for its custom resource handlers (the trigger runner, the default security
# group's lock-down); they carry the AWS-managed basic execution policy and are not ours to shape.
FRAMEWORK_ROLE_PREFIXES = ("AWSCDKTriggerCustomResourceProvider", "CustomVpcRestrictDefaultSG")


@pytest.fixture(params=APPS)
def app(request: pytest.FixtureRequest) -> SynthesizedApp:
    synthesized: SynthesizedApp = request.getfixturevalue(request.param)
    return synthesized


def test_cdk_nag_reports_no_unacknowledged_finding_in_production(
    consent_production_app: SynthesizedApp,
) -> None:
    # Given the production app (the default app is checked by test_compliance.py)
    # Then the validation report and the manifest hold no finding, error or warning
    assert consent_production_app.validation_violations() == []
    assert consent_production_app.messages("aws:cdk:error", "aws:cdk:warning") == []


def test_cfn_lint_finds_no_error_and_no_warning(app: SynthesizedApp) -> None:
    # Given the synthesized template (SAM transform included) / When cfn-lint checks it
    findings = app.cfn_lint_findings()

    # Then there is no error- or warning-level match
    assert findings == []


def test_no_identity_policy_statement_has_a_wildcard_action(app: SynthesizedApp) -> None:
    # Given every statement of every role and policy
    statements = list(app.all_iam_statements())
    assert statements

    # Then none names a wildcard action or uses NotAction
    assert wildcard_actions(statements) == []
    assert not_action_holders(statements) == []


def test_only_cdks_own_handler_roles_use_a_managed_policy(consent_app: SynthesizedApp) -> None:
    # Given the roles with managed policies
    with_managed = [
        key
        for key, role in consent_app.of_type("AWS::IAM::Role").items()
        if role["Properties"].get("ManagedPolicyArns")
    ]

    # Then they are CDK's custom resource handlers only; every role of ours gets inline statements
    assert with_managed
    assert all(key.startswith(FRAMEWORK_ROLE_PREFIXES) for key in with_managed)


def test_every_consent_function_gets_powertools_and_the_dependencies_layer(
    consent_app: SynthesizedApp,
) -> None:
    # Given the dependencies layer and our functions (handlers in the functions package)
    layer_id, layer = consent_app.only("AWS::Lambda::LayerVersion")
    functions = {
        properties["Handler"]: properties
        for properties in (
            resource["Properties"] for resource in consent_app.of_type("AWS::Lambda::Function").values()
        )
        if properties["Handler"].startswith("functions.")
    }

    # Then every catalog function and the migration exist, and each has both layers (their packages do
    # not overlap, so their order does not matter)
    assert {function.handler for function in CONSENT_DELETION.functions} < set(functions)
    for handler, properties in functions.items():
        layers = properties["Layers"]
        assert len(layers) == 2, handler
        assert {"Ref": layer_id} in layers, handler
        (powertools,) = [layer for layer in layers if layer != {"Ref": layer_id}]
        assert "AWSLambdaPowertoolsPythonV3-python313-arm64" in powertools["Fn::Join"][1][-1], handler
    assert layer["Properties"]["CompatibleRuntimes"] == ["python3.13"]
    assert layer["Properties"]["CompatibleArchitectures"] == ["arm64"]


def test_the_layer_asset_is_the_configured_directory(consent_app: SynthesizedApp) -> None:
    # Given the staged asset of the layer
    _, layer = consent_app.only("AWS::Lambda::LayerVersion")
    asset = consent_app.outdir / f"asset.{layer['Properties']['Content']['S3Key'].removesuffix('.zip')}"

    # Then it holds the packages directory and the RDS certificate bundle the ledger settings name
    assert sorted(child.name for child in asset.iterdir()) == ["python", "rds-ca"]
    assert (asset / "rds-ca" / "global-bundle.pem").is_file()


def test_an_unbuilt_layer_directory_synthesizes_a_placeholder_with_a_warning(tmp_path: Path) -> None:
    # Given a stack whose layer directory was never built
    from aws_cdk import App, Stack
    from aws_cdk.assertions import Annotations, Match

    from workflows.shared.dependencies_layer import dependencies_layer

    stack = Stack(App(), "LayerProbe")
    dependencies_layer(
        stack,
        "Layer",
        directory=tmp_path / "never-built",
        required_files=["rds-ca/global-bundle.pem"],
        build_command="make build/layers/example/python",
        description="probe",
    )

    # When it is synthesized / Then a warning names the build command
    Annotations.from_stack(stack).has_warning(
        "/LayerProbe/Layer", Match.string_like_regexp("make build/layers/example/python")
    )


def test_a_layer_directory_without_a_required_file_synthesizes_with_a_warning(tmp_path: Path) -> None:
    # Given a layer directory with packages but without the certificate bundle
    from aws_cdk import App, Stack
    from aws_cdk.assertions import Annotations, Match

    from workflows.shared.dependencies_layer import dependencies_layer

    (tmp_path / "python").mkdir()
    stack = Stack(App(), "LayerProbe")

    # When it is synthesized
    dependencies_layer(
        stack,
        "Layer",
        directory=tmp_path,
        required_files=["rds-ca/global-bundle.pem"],
        build_command="make x",
        description="probe",
    )

    # Then a warning names the missing file, and the layer ships what was built
    Annotations.from_stack(stack).has_warning(
        "/LayerProbe/Layer", Match.string_like_regexp(r"rds-ca/global-bundle\.pem")
    )
