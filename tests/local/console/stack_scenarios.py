"""Executions of the catalog's workflows on an in-process local stack, for the console's tests and for the
README's screenshot."""

from __future__ import annotations

from typing import Any

from catalog.consent_deletion import CONSENT_DELETION
from local.stack import LocalStack
from tests.local.stack.conftest import client
from tests.local.stack.consent import revoke_consent
from tests.local.stack.http_json import call
from tests.local.stack.waiting import eventually

DAY = 86_400


def finished_deletion(stack: LocalStack, customer_id: str) -> str:
    """The ARN of a consent deletion run to success: the vendor's first answer to the deletion request is
    a 503 (so RequestDeletion is retried), and its operation completes at the second status check (so
    the Wait/check loop goes round twice)."""
    behaviour = {
        "customerId": customer_id,
        "afterChecks": 2,
        "fault": {"status": 503, "times": 1, "endpoints": ["deletion"]},
    }
    answer = call("POST", f"{stack.addresses.third_party}/_control/behaviour", behaviour)
    assert answer.status == 200, answer.body
    revoke_consent(stack.aws.client("dynamodb"), customer_id)
    execution_arn = deletion_of(stack, customer_id)
    stack.advance(DAY)
    return execution_arn


def deletion_of(stack: LocalStack, customer_id: str) -> str:
    """The ARN of the one deletion of `customer_id`, once the stream has started it."""
    sfn = client("stepfunctions", stack.addresses.stepfunctions)
    machine = stack.workflows[CONSENT_DELETION.name].state_machine_arn

    def started() -> list[dict[str, Any]]:
        executions = sfn.list_executions(stateMachineArn=machine)["executions"]
        return [e for e in executions if e["name"].startswith(f"{customer_id}-")]

    executions = eventually(started)
    assert len(executions) == 1, executions
    return str(executions[0]["executionArn"])


def history(stack: LocalStack, execution_arn: str) -> list[dict[str, Any]]:
    """GetExecutionHistory's events, all of them."""
    sfn = client("stepfunctions", stack.addresses.stepfunctions)
    return list(sfn.get_execution_history(executionArn=execution_arn, maxResults=1000)["events"])
