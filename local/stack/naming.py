"""The names and ARNs that catalog declarations get locally: `<StateMachine>-<LogicalId>`, one account.

Prefixing with the state machine's name keeps two workflows that both declare, say, a `DeadLetterQueue`
apart, as CloudFormation's generated names do in AWS.
"""

from __future__ import annotations

from catalog.model import StateMachine
from local.stack.config import ACCOUNT_ID, REGION


def resource_name(machine: StateMachine, logical_id: str) -> str:
    """The local name of a queue, topic, table or function declared by `machine`."""
    return f"{machine.name}-{logical_id}"


def function_arn(machine: StateMachine, logical_id: str) -> str:
    """The ARN the engine answers invocations of a declared function on."""
    return f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{resource_name(machine, logical_id)}"


def state_machine_arn(machine: StateMachine) -> str:
    """The ARN the engine gives `machine` (known before it is created, for the functions' environment)."""
    return f"arn:aws:states:{REGION}:{ACCOUNT_ID}:stateMachine:{machine.name}"


def execution_role_arn(machine: StateMachine) -> str:
    """A role ARN for CreateStateMachine; the local engine checks its shape, not its policies."""
    return f"arn:aws:iam::{ACCOUNT_ID}:role/{machine.name}-local-execution"
