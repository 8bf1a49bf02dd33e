"""Acknowledging cdk-nag findings, each with its reason, on the narrowest construct that causes it."""

from __future__ import annotations

import json
from collections.abc import Iterable

from aws_cdk import Acknowledgment, Stack, Validations
from constructs import IConstruct

WILDCARD_RESOURCE_RULE = "AwsSolutions-IAM5"


def acknowledge(scope: IConstruct, rule: str, reason: str) -> None:
    """Acknowledge one cdk-nag finding (``RuleId`` or ``RuleId[finding]``) on ``scope`` and its children."""
    Validations.of(scope).acknowledge(Acknowledgment(id=rule, reason=reason))


def acknowledge_wildcard_resources(scope: IConstruct, resources: Iterable[str], reason: str) -> None:
    """Acknowledge AwsSolutions-IAM5 for exactly these policy resources (tokens allowed), nothing broader."""
    stack = Stack.of(scope)
    for resource in resources:
        finding = flatten_reference(stack.resolve(resource))
        acknowledge(scope, f"{WILDCARD_RESOURCE_RULE}[Resource::{finding}]", reason)


def flatten_reference(node: object) -> str:
    """Name a resolved CloudFormation value the way cdk-nag names it in a finding id.

    Example:
        ``{"Fn::Join": ["", [{"Fn::GetAtt": ["Fn", "Arn"]}, ":*"]]}`` -> ``<Fn.Arn>:*``
    """
    if node is None:
        return ""
    if isinstance(node, str):
        return node.replace("${", "<").replace("}", ">")
    flattened = _flatten_intrinsic(node) if isinstance(node, dict) else None
    return flattened if flattened is not None else json.dumps(node, separators=(",", ":"))


def _flatten_intrinsic(node: dict[str, object]) -> str | None:
    match node:
        case {"Fn::Join": [delimiter, list() as items]}:
            return str(delimiter).join(flatten_reference(item) for item in items)
        case {"Fn::Sub": template}:
            return flatten_reference(template)
        case {"Fn::GetAtt": [resource, attribute]}:
            return f"<{flatten_reference(resource)}.{flatten_reference(attribute)}>"
        case {"Fn::ImportValue": name}:
            return flatten_reference(name)
        case {"Ref": name}:
            return f"<{flatten_reference(name)}>"
    return None
