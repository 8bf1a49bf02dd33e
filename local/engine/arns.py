"""ARNs and resource names as Step Functions builds and validates them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from local.engine.errors import ApiError

# Step Functions rejects names with whitespace, brackets, wildcards, these punctuation marks and controls.
_FORBIDDEN_NAME = re.compile(r"[\s<>{}\[\]?*\"#%\\^|~`$&,;:/\x00-\x1f\x7f-\x9f]")
_ROLE_ARN = re.compile(r"^arn:aws[a-z\-]*:iam::\d{12}:role/.+$")
_STATE_MACHINE_ARN = re.compile(
    r"^arn:aws[a-z\-]*:states:([a-z0-9\-]+):(\d{12}):stateMachine:([^:#]+)(?:#(.+))?$"
)
# A Standard execution is `execution:MACHINE:NAME`; an Express one `express:MACHINE:NAME:ID`, the ID telling
# apart the executions that may share a name.
_EXECUTION_ARN = re.compile(
    r"^arn:aws[a-z\-]*:states:[a-z0-9\-]+:\d{12}:"
    r"(?:execution:(?P<machine>[^:]+):(?P<name>[^:]+)"
    r"|express:(?P<express_machine>[^:]+):(?P<express_name>[^:]+):[^:]+)$"
)

_MAP_RUN_ARN = re.compile(r"^arn:aws[a-z\-]*:states:[a-z0-9\-]+:\d{12}:mapRun:[^:/]+/[^:]+:[^:]+$")
_ACTIVITY_ARN = re.compile(r"^arn:aws[a-z\-]*:states:([a-z0-9\-]+):(\d{12}):activity:([^:]+)$")


def _has_prefix(arn: str) -> bool:
    return isinstance(arn, str) and arn.startswith("arn:")


def invalid_arn(arn: str) -> ApiError:
    """AWS's InvalidArn for `arn`: of a text that is no ARN at all, its prefix; else its resource type."""
    if not _has_prefix(arn):
        return ApiError("InvalidArn", f"Invalid Arn: 'Invalid ARN prefix: {arn}'")
    return ApiError("InvalidArn", f"Invalid Arn: 'Resource type not valid in this context: {arn}'")


def check_prefix(arn: str) -> None:
    """Refuse a text that is no ARN at all, as AWS does before it looks at the resource type."""
    if not _has_prefix(arn):
        raise invalid_arn(arn)


@dataclass(frozen=True)
class StateMachineArn:
    """A parsed state machine ARN; `test_case` is the MockConfigFile test case after '#'."""

    region: str
    account: str
    name: str
    test_case: str | None

    @property
    def arn(self) -> str:
        """The ARN without the test case."""
        return state_machine_arn(self.region, self.account, self.name)


def state_machine_arn(region: str, account: str, name: str) -> str:
    """ARN of a state machine."""
    return f"arn:aws:states:{region}:{account}:stateMachine:{name}"


def execution_arn(region: str, account: str, machine_name: str, name: str) -> str:
    """ARN of a Standard execution."""
    return f"arn:aws:states:{region}:{account}:execution:{machine_name}:{name}"


def express_execution_arn(region: str, account: str, machine_name: str, name: str, execution_id: str) -> str:
    """ARN of an Express execution: names repeat, so AWS adds an id of its own."""
    return f"arn:aws:states:{region}:{account}:express:{machine_name}:{name}:{execution_id}"


def parse_state_machine_arn(arn: str) -> StateMachineArn:
    """Parse a state machine ARN (optionally with "#TestCase"); InvalidArn when malformed."""
    match = _STATE_MACHINE_ARN.match(arn or "")
    if match is None:
        raise invalid_arn(arn)
    return StateMachineArn(match.group(1), match.group(2), match.group(3), match.group(4))


def activity_arn(region: str, account: str, name: str) -> str:
    """ARN of an activity."""
    return f"arn:aws:states:{region}:{account}:activity:{name}"


def is_activity_arn(arn: str) -> bool:
    """Whether `arn` is a well-formed activity ARN."""
    return isinstance(arn, str) and _ACTIVITY_ARN.match(arn) is not None


def check_activity_arn(arn: str) -> None:
    """Validate an activity ARN (InvalidArn otherwise)."""
    if not is_activity_arn(arn):
        raise invalid_arn(arn)


def parse_execution_arn(arn: str) -> tuple[str, str]:
    """(state machine name, execution name) of an execution ARN the execution operations accept; InvalidArn
    when malformed, and for an Express execution unless a Map Run started it (AWS keeps no record of the
    others: DescribeExecution, GetExecutionHistory, StopExecution, RedriveExecution and
    DescribeStateMachineForExecution refuse them)."""
    match = _EXECUTION_ARN.match(arn or "")
    if match is None:
        raise invalid_arn(arn)
    if match["machine"] is not None:
        return match["machine"], match["name"]
    if "/" not in match["express_machine"]:  # a Map Run's children are named MACHINE/MAP_LABEL
        raise ApiError("InvalidArn", "Invalid Arn: 'Resource type not valid in this context: express'")
    return match["express_machine"], match["express_name"]


def check_map_run_arn(arn: str) -> None:
    """Validate a Map Run ARN, `mapRun:MACHINE/LABEL:RUN_ID` (InvalidArn otherwise)."""
    if not isinstance(arn, str) or not _MAP_RUN_ARN.match(arn):
        raise invalid_arn(arn)


def check_name(name: str) -> None:
    """Validate a state machine, activity or execution name like Step Functions (InvalidName otherwise)."""
    if not isinstance(name, str) or not 1 <= len(name) <= 80 or _FORBIDDEN_NAME.search(name):
        raise ApiError("InvalidName", f"Invalid Name: '{name}'")


def check_role_arn(role_arn: str) -> None:
    """Validate an IAM role ARN (InvalidArn otherwise)."""
    if not isinstance(role_arn, str) or not _ROLE_ARN.match(role_arn):
        raise ApiError("InvalidArn", f"Invalid Arn: 'Resource type not valid in this context: {role_arn}'")
