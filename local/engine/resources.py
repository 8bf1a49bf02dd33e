"""Task `Resource` ARNs: what kind of integration they name, whether this engine runs it, and how history
events label them."""

from __future__ import annotations

import re
from dataclasses import dataclass

PATTERNS = ("sync:2", "sync", "waitForTaskToken")
_FUNCTION_ARN = re.compile(
    r"^arn:aws[a-z\-]*:lambda:([a-z0-9\-]+):(\d{12}):function:([A-Za-z0-9_\-]+)(?::[^:]+)?$"
)
_SERVICE_ARN = re.compile(r"^arn:aws[a-z\-]*:states:[a-z0-9\-]*:\d{0,12}:(.+)$")
_ACTIVITY_ARN = re.compile(r"^arn:aws[a-z\-]*:states:[a-z0-9\-]+:\d{12}:activity:[A-Za-z0-9_\-]+$")

_REQUEST_RESPONSE = frozenset({""})
_REQUEST_OR_CALLBACK = frozenset({"", "waitForTaskToken"})
# The optimized integrations a Task may name here, with the patterns each accepts ("" is request-response);
# AWS rejects a pattern an integration does not offer (DynamoDB has no callback) at create, and so do we.
LOCAL_INTEGRATIONS: dict[tuple[str, str], frozenset[str]] = {
    ("lambda", "invoke"): _REQUEST_OR_CALLBACK,
    ("sns", "publish"): _REQUEST_OR_CALLBACK,
    ("sqs", "sendMessage"): _REQUEST_OR_CALLBACK,
    ("dynamodb", "getItem"): _REQUEST_RESPONSE,
    ("dynamodb", "putItem"): _REQUEST_RESPONSE,
    ("dynamodb", "updateItem"): _REQUEST_RESPONSE,
    ("dynamodb", "deleteItem"): _REQUEST_RESPONSE,
    ("events", "putEvents"): _REQUEST_OR_CALLBACK,
    ("states", "startExecution"): frozenset({"", "sync", "sync:2", "waitForTaskToken"}),
}
AWS_SDK_PATTERNS = _REQUEST_OR_CALLBACK


@dataclass(frozen=True)
class Resource:
    """A parsed Task resource."""

    arn: str
    # "function" (a Lambda ARN), "activity", "integration" (arn:aws:states:::svc:action) or "unknown"
    kind: str
    service: str = ""
    action: str = ""
    pattern: str = ""

    @property
    def resource_type(self) -> str:
        """`resourceType` of Task* events ("lambda", "sns", "aws-sdk:s3")."""
        return self.service

    @property
    def resource_name(self) -> str:
        """`resource` of Task* events ("invoke", "invoke.waitForTaskToken")."""
        return f"{self.action}.{self.pattern}" if self.pattern else self.action

    @property
    def waits_for_token(self) -> bool:
        """Whether the task waits for SendTaskSuccess/Failure."""
        return self.pattern == "waitForTaskToken"

    @property
    def waits_for_execution(self) -> bool:
        """Whether the task waits for the end of the child execution it starts (`startExecution.sync`)."""
        nested = (self.service, self.action) == ("states", "startExecution")
        return nested and self.pattern in ("sync", "sync:2")


def parse_resource(arn: str) -> Resource:
    """Classify a Task resource ARN."""
    if _FUNCTION_ARN.match(arn):
        return Resource(arn=arn, kind="function", service="lambda", action="invoke")
    if _ACTIVITY_ARN.match(arn):
        return Resource(arn=arn, kind="activity")
    match = _SERVICE_ARN.match(arn)
    if match is None:
        return Resource(arn=arn, kind="unknown")
    parts = match.group(1).split(":")
    if parts[0] == "aws-sdk" and len(parts) >= 3:
        service, action_text = f"aws-sdk:{parts[1]}", ":".join(parts[2:])
    elif len(parts) >= 2:
        service, action_text = parts[0], ":".join(parts[1:])
    else:
        return Resource(arn=arn, kind="unknown")
    action, pattern = _split_pattern(action_text)
    return Resource(arn=arn, kind="integration", service=service, action=action, pattern=pattern)


def unrecognized(arn: str) -> str | None:
    """Why a Task cannot name `arn` (AWS's wording), or None when it names something this engine runs.

    A Lambda function or an activity may be created after the state machine, so any well-formed one passes.
    """
    resource = parse_resource(arn)
    if resource.kind in ("function", "activity"):
        return None
    if resource.kind == "integration":
        if resource.service.startswith("aws-sdk:"):
            patterns = AWS_SDK_PATTERNS
        else:
            patterns = LOCAL_INTEGRATIONS.get((resource.service, resource.action), frozenset())
        if resource.pattern in patterns:
            return None
    return (
        f"The resource provided {arn} is not recognized. The value is not a valid resource ARN, "
        "or the resource is not available in this region."
    )


def _split_pattern(text: str) -> tuple[str, str]:
    for pattern in PATTERNS:
        suffix = f".{pattern}"
        if text.endswith(suffix):
            return text[: -len(suffix)], pattern
    return text, ""


def function_name_of(identifier: str) -> str:
    """Function name from a name, a partial ARN ("name:alias") or a full Lambda ARN."""
    match = _FUNCTION_ARN.match(identifier)
    if match is not None:
        return match.group(3)
    if identifier.startswith("arn:"):
        parts = identifier.split(":")
        if "function" in parts:
            return parts[parts.index("function") + 1]
    return identifier.split(":", maxsplit=1)[0]
