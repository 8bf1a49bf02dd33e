"""cfn-lint findings acknowledged in the template, each with its reason next to it.

cfn-lint reads ``Metadata.cfn-lint.config.ignore_checks`` of a resource; the reason goes beside it under
``Metadata.cfn-lint.reasons`` (cfn-lint ignores that key), so whoever reads the template sees why.
"""

from __future__ import annotations

import jsii
from aws_cdk import CfnResource, IAspect
from constructs import IConstruct

REDUNDANT_DEPENDENCY_RULE = "W3005"
REDUNDANT_ROLE_DEPENDENCY_REASON = (
    "CDK makes a function or state machine depend on its role construct so that it waits for the role's "
    "policy as well; the DependsOn entry naming the role itself repeats what the Role/RoleArn GetAtt "
    "already enforces. It is harmless, and CDK offers no way to drop only that entry."
)
_ROLE_USERS = ("AWS::Lambda::Function", "AWS::StepFunctions::StateMachine")


@jsii.implements(IAspect)
class AcknowledgeRedundantRoleDependencies:
    """Acknowledge W3005 on each function and state machine that CDK made depend on an IAM role."""

    def visit(self, node: IConstruct) -> None:
        if not isinstance(node, CfnResource) or node.cfn_resource_type not in _ROLE_USERS:
            return
        if any(_is_role(target) for target in _dependency_targets(node)):
            node.add_metadata(
                "cfn-lint",
                {
                    "config": {"ignore_checks": [REDUNDANT_DEPENDENCY_RULE]},
                    "reasons": {REDUNDANT_DEPENDENCY_RULE: REDUNDANT_ROLE_DEPENDENCY_REASON},
                },
            )


def _dependency_targets(resource: CfnResource) -> list[IConstruct]:
    # Construct dependencies (added with node.add_dependency) become DependsOn entries only when the app is
    # prepared, after the aspects; resource dependencies (add_dependency) are already there.
    targets: list[IConstruct] = list(resource.obtain_dependencies())
    for dependency in resource.node.dependencies:
        targets += [child for child in dependency.node.find_all() if isinstance(child, CfnResource)]
    return targets


def _is_role(target: IConstruct) -> bool:
    return isinstance(target, CfnResource) and target.cfn_resource_type == "AWS::IAM::Role"
