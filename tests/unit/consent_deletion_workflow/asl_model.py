"""The ConsentDeletion definition as tests read it: the file, its substitutions, walks over its states."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import jsonata

ASL_FILE = Path(__file__).resolve().parents[3] / "asl" / "consent_deletion.asl.json"
PLACEHOLDER = re.compile(r"\$\{([A-Za-z][A-Za-z0-9]*)\}")
LAMBDA_ARN = "arn:aws:lambda:eu-west-1:123456789012:function:{}"

# Every substitution the definition takes, with the value a deployment uses by default.
SUBSTITUTIONS: Mapping[str, str] = {
    "LedgerTasksFunctionArn": LAMBDA_ARN.format("consent-deletion-ledger-tasks"),
    "RequestDeletionFunctionArn": LAMBDA_ARN.format("consent-deletion-request-deletion"),
    "CheckDeletionStatusFunctionArn": LAMBDA_ARN.format("consent-deletion-check-status"),
    "AlertTopicArn": "arn:aws:sns:eu-west-1:123456789012:consent-deletion-alerts",
    "DeletionDeadlineSeconds": "259200",
    "InitialCheckDelaySeconds": "60",
    "MaxCheckDelaySeconds": "3600",
}
LAMBDA_SERVICE_ERRORS = frozenset(
    {
        "Lambda.ServiceException",
        "Lambda.AWSLambdaException",
        "Lambda.SdkClientException",
        "Lambda.ClientExecutionTimeoutException",
        "Lambda.TooManyRequestsException",
    }
)


def raw_text() -> str:
    """The definition file as committed, placeholders included."""
    return ASL_FILE.read_text()


def substitute(text: str, values: Mapping[str, str] = SUBSTITUTIONS) -> str:
    """Replace every `${Name}` as CloudFormation's DefinitionSubstitutions does."""
    return PLACEHOLDER.sub(lambda match: values[match.group(1)], text)


def definition(values: Mapping[str, str] = SUBSTITUTIONS) -> dict[str, Any]:
    """The definition with `values` substituted, parsed."""
    parsed: dict[str, Any] = json.loads(substitute(raw_text(), values))
    return parsed


def successors(state: Mapping[str, Any]) -> list[str]:
    """Every state a state can move to: Next, Default, Choice rules and Catch targets."""
    targets = [state[key] for key in ("Next", "Default") if key in state]
    targets += [rule["Next"] for rule in state.get("Choices", [])]
    targets += [catcher["Next"] for catcher in state.get("Catch", [])]
    return targets


def reachable(states: Mapping[str, Any], start: str) -> set[str]:
    """The states reachable from `start`, itself included."""
    seen: set[str] = set()
    pending = [start]
    while pending:
        name = pending.pop()
        if name not in seen:
            seen.add(name)
            pending.extend(successors(states[name]))
    return seen


def expressions(value: Any) -> Iterator[str]:
    """Every JSONata expression (`{% ... %}`) in a part of the definition."""
    if isinstance(value, str) and value.startswith("{%") and value.endswith("%}"):
        yield value[2:-2].strip()
    elif isinstance(value, dict):
        for item in value.values():
            yield from expressions(item)
    elif isinstance(value, list):
        for item in value:
            yield from expressions(item)


def evaluate_template(template: Any, bindings: Mapping[str, Any]) -> Any:
    """A JSONata-language field value with every `{% %}` expression evaluated against `bindings`."""
    if isinstance(template, str) and template.startswith("{%") and template.endswith("%}"):
        return jsonata.Jsonata(template[2:-2].strip()).evaluate(None, dict(bindings))
    if isinstance(template, dict):
        return {key: evaluate_template(value, bindings) for key, value in template.items()}
    if isinstance(template, list):
        return [evaluate_template(item, bindings) for item in template]
    return template
