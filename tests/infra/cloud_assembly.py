"""Synthesizing the CDK app offline and reading what it wrote: template, validation report, messages."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cfnlint.api import lint

from catalog.locations import REPOSITORY_ROOT
from workflows.config import ScheduledRequestsConfig

Resource = dict[str, Any]


def cdk_json_context() -> dict[str, Any]:
    """The context cdk.json gives the CLI (feature flags and configuration)."""
    context: dict[str, Any] = json.loads((REPOSITORY_ROOT / "cdk.json").read_text())["context"]
    return context


@dataclass(frozen=True)
class SynthesizedApp:
    """One synthesized cloud assembly."""

    outdir: Path
    template: dict[str, Any]

    @property
    def resources(self) -> dict[str, Resource]:
        resources: dict[str, Resource] = self.template["Resources"]
        return resources

    def of_type(self, resource_type: str) -> dict[str, Resource]:
        """Resources of one CloudFormation type, by logical id."""
        return {key: value for key, value in self.resources.items() if value["Type"] == resource_type}

    def only(self, resource_type: str) -> tuple[str, Resource]:
        """The one resource of this type (fails the test if there are more or none)."""
        matches = self.of_type(resource_type)
        assert len(matches) == 1, f"expected one {resource_type}, found {sorted(matches)}"
        return next(iter(matches.items()))

    def function_with_handler(self, handler: str) -> tuple[str, Resource]:
        """The Lambda function whose handler string is ``handler``."""
        matches = [
            (key, value)
            for key, value in self.of_type("AWS::Lambda::Function").items()
            if value["Properties"]["Handler"] == handler
        ]
        assert len(matches) == 1, f"expected one function with handler {handler}"
        return matches[0]

    def statements_of_role(self, role_logical_id: str) -> list[dict[str, Any]]:
        """Every policy statement attached to a role: inline policies and AWS::IAM::Policy resources."""
        role = self.resources[role_logical_id]
        statements = [
            statement
            for policy in role["Properties"].get("Policies", [])
            for statement in policy["PolicyDocument"]["Statement"]
        ]
        for policy in self.of_type("AWS::IAM::Policy").values():
            if {"Ref": role_logical_id} in policy["Properties"].get("Roles", []):
                statements += policy["Properties"]["PolicyDocument"]["Statement"]
        return statements

    def all_iam_statements(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """(logical id of the holder, statement) for every identity policy statement in the template."""
        for key, resource in self.resources.items():
            properties = resource.get("Properties", {})
            if resource["Type"] in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
                for statement in properties["PolicyDocument"]["Statement"]:
                    yield key, statement
            if resource["Type"] in ("AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group"):
                for policy in properties.get("Policies", []):
                    for statement in policy["PolicyDocument"]["Statement"]:
                        yield key, statement

    def role_of_function(self, handler: str) -> str:
        """The logical id of the execution role of the function whose handler string is ``handler``."""
        _, function = self.function_with_handler(handler)
        role_id: str = function["Properties"]["Role"]["Fn::GetAtt"][0]
        return role_id

    def cfn_lint_findings(self) -> list[str]:
        """cfn-lint's error- and warning-level matches on the template, as ``<rule id> <message>``.

        Findings the template acknowledges (``Metadata.cfn-lint.config.ignore_checks``) are not matched.
        """
        matches = lint(json.dumps(self.template), regions=["us-east-1"])
        return [f"{match.rule.id} {match.message}" for match in matches if match.rule.id[0] in "EW"]

    def validation_violations(self) -> list[dict[str, Any]]:
        """Violations the policy validation plugins (cdk-nag) reported, acknowledged ones excluded."""
        report_file = self.outdir / "validation-report.json"
        if not report_file.exists():
            return []
        report = json.loads(report_file.read_text())
        return [violation for plugin in report["pluginReports"] for violation in plugin.get("violations", [])]

    def stack(self, stack_name: str) -> SynthesizedApp:
        """Another stack of the same cloud assembly, by its CloudFormation stack name."""
        manifest = json.loads((self.outdir / "manifest.json").read_text())
        (template_file,) = [
            artifact["properties"]["templateFile"]
            for artifact_id, artifact in manifest["artifacts"].items()
            if artifact["type"] == "aws:cloudformation:stack"
            and artifact["properties"].get("stackName", artifact_id) == stack_name
        ]
        return SynthesizedApp(
            outdir=self.outdir, template=json.loads((self.outdir / template_file).read_text())
        )

    def messages(self, *levels: str) -> list[str]:
        """Annotations of the given levels (``aws:cdk:error``, ``aws:cdk:warning``) in the manifest."""
        manifest = json.loads((self.outdir / "manifest.json").read_text())
        return [
            f"{path}: {entry['data']}"
            for artifact in manifest["artifacts"].values()
            for path, entries in artifact.get("metadata", {}).items()
            for entry in entries
            if entry["type"] in levels
        ]


def as_list(value: Any) -> list[Any]:
    """IAM fields take one value or a list of them."""
    return value if isinstance(value, list) else [value]


def granted_actions(statements: list[dict[str, Any]], prefix: str) -> dict[str, list[Any]]:
    """Action -> resources, for the actions of one service (``prefix`` such as ``"states:"``)."""
    granted: dict[str, list[Any]] = {}
    for statement in statements:
        for action in as_list(statement["Action"]):
            if action.startswith(prefix):
                granted.setdefault(action, []).extend(as_list(statement["Resource"]))
    return granted


def wildcard_actions(statements: list[tuple[str, dict[str, Any]]]) -> list[tuple[str, str]]:
    """(holder, action) for every action with a wildcard in (holder, statement) pairs."""
    return [
        (holder, action)
        for holder, statement in statements
        for action in as_list(statement.get("Action", []))
        if "*" in action
    ]


def not_action_holders(statements: list[tuple[str, dict[str, Any]]]) -> list[str]:
    """The holder of every statement that grants by ``NotAction``."""
    return [holder for holder, statement in statements if "NotAction" in statement]


def intrinsic_marker(value: Any) -> str:
    """``value`` itself if text; for an intrinsic, a marker naming it (e.g. ``<<Fn::GetAtt:Queue.Arn>>``)."""
    # An intrinsic cannot go into JSON text; a marker naming it, free of quotes, stands for it on both sides.
    if isinstance(value, str):
        return value
    (function, argument), *_ = value.items()
    return f"<<{function}:{'.'.join(argument) if isinstance(argument, list) else argument}>>"


def stand_in_dependencies_layer(directory: Path) -> Path:
    """A directory shaped like the built dependencies layer, without downloading anything.

    Tests check how the layer is wired, not its packages (the ledger and vendor tests run them from the
    virtual environment), so an empty python/ and a dummy certificate bundle stand in for the real ones.
    """
    (directory / "python").mkdir(parents=True, exist_ok=True)
    (directory / "rds-ca").mkdir(exist_ok=True)
    (directory / "rds-ca" / "global-bundle.pem").write_text("stand-in for the RDS certificate bundle\n")
    return directory


def synthesize(
    outdir: Path,
    scheduled_requests: Mapping[str, Any] | None = None,
    consent_deletion: Mapping[str, Any] | None = None,
) -> SynthesizedApp:
    """Synthesize the app as ``cdk synth`` does, with ``scheduledRequests`` and ``consentDeletion`` keys
    overridden, and the dependencies layer stood in for (see ``stand_in_dependencies_layer``)."""
    from workflows.app import build_app  # imported late: starting the jsii runtime is slow

    context = cdk_json_context()
    context["scheduledRequests"] = {**context.get("scheduledRequests", {}), **(scheduled_requests or {})}
    layer = stand_in_dependencies_layer(outdir.parent / f"{outdir.name}-dependencies-layer")
    context["consentDeletion"] = {
        **context.get("consentDeletion", {}),
        "dependenciesLayerDirectory": str(layer),
        **(consent_deletion or {}),
    }
    assembly = build_app(context, outdir=str(outdir)).synth()
    template = assembly.get_stack_by_name(_stack_name(context)).template
    return SynthesizedApp(outdir=outdir, template=template)


def _stack_name(context: Mapping[str, Any]) -> str:
    return ScheduledRequestsConfig.model_validate(context.get("scheduledRequests", {})).stack_name
