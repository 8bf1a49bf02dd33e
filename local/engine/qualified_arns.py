"""State machine ARNs qualified by a version number or an alias name, as Step Functions builds them.

`arn:aws:states:us-east-1:123456789012:stateMachine:Orders` names the state machine itself;
`...:stateMachine:Orders:3` its version 3 and `...:stateMachine:Orders:PROD` its alias PROD (an alias name
holds at least one character that is not a digit, so the two never collide). A MockConfigFile test case may
follow any of them after '#'.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from local.engine.errors import ApiError

_STATE_MACHINE_ARN = re.compile(
    r"^(arn:aws[a-z\-]*:states:[a-z0-9\-]+:\d{12}:stateMachine:[^:#]+)(?::([^:#]+))?(?:#(.+))?$"
)
_ALIAS_NAME = re.compile(r"^(?=.*[a-zA-Z_\-.])[a-zA-Z0-9_\-.]+$")
MAX_ALIAS_NAME = 80


@dataclass(frozen=True)
class QualifiedArn:
    """A state machine ARN, possibly naming one of its versions or aliases (never both)."""

    state_machine_arn: str
    version: int | None
    alias: str | None
    test_case: str | None

    @property
    def arn(self) -> str:
        """The ARN as given, without the test case."""
        if self.version is not None:
            return version_arn(self.state_machine_arn, self.version)
        if self.alias is not None:
            return alias_arn(self.state_machine_arn, self.alias)
        return self.state_machine_arn

    @property
    def is_qualified(self) -> bool:
        """Whether the ARN names a version or an alias rather than the state machine."""
        return self.version is not None or self.alias is not None


def parse(arn: str) -> QualifiedArn:
    """Parse a state machine, version or alias ARN; InvalidArn when it is none of them."""
    match = _STATE_MACHINE_ARN.match(arn or "")
    if match is None:
        raise ApiError("InvalidArn", f"Invalid Arn: 'Resource type not valid in this context: {arn}'")
    base, qualifier, test_case = match.group(1), match.group(2), match.group(3)
    if qualifier is None:
        return QualifiedArn(base, None, None, test_case)
    if qualifier.isdigit():
        return QualifiedArn(base, int(qualifier), None, test_case)
    if not _ALIAS_NAME.match(qualifier):
        raise ApiError("InvalidArn", f"Invalid Arn: 'Resource type not valid in this context: {arn}'")
    return QualifiedArn(base, None, qualifier, test_case)


def parse_version(arn: str) -> QualifiedArn:
    """Parse an ARN that must name a version (InvalidArn for anything else)."""
    parsed = parse(arn)
    if parsed.version is None or parsed.test_case is not None:
        raise ApiError("InvalidArn", f"Invalid Arn: 'Resource type not valid in this context: {arn}'")
    return parsed


def is_version_arn(arn: str) -> bool:
    """Whether `arn` names a version of a state machine."""
    try:
        parse_version(arn)
    except ApiError:
        return False
    return True


def parse_alias(arn: str) -> QualifiedArn:
    """Parse an ARN that must name an alias (InvalidArn for anything else)."""
    parsed = parse(arn)
    if parsed.alias is None or parsed.test_case is not None:
        raise ApiError("InvalidArn", f"Invalid Arn: 'Resource type not valid in this context: {arn}'")
    return parsed


def version_arn(state_machine_arn: str, number: int) -> str:
    """ARN of a version of a state machine."""
    return f"{state_machine_arn}:{number}"


def alias_arn(state_machine_arn: str, name: str) -> str:
    """ARN of an alias of a state machine."""
    return f"{state_machine_arn}:{name}"


def check_alias_name(name: str) -> None:
    """Refuse an alias name as AWS's model constrains it: letters, digits, '_', '-', '.', not only digits."""
    if not isinstance(name, str) or not 1 <= len(name) <= MAX_ALIAS_NAME or not _ALIAS_NAME.match(name):
        raise ApiError(
            "ValidationException",
            f"1 validation error detected: Value '{name}' at 'name' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: ^(?=.*[a-zA-Z_\\-\\.])[a-zA-Z0-9_\\-\\.]+$",
        )
