"""What the vendor tasks decide, over any client with the `DeletionApi` shape. Plain Python, no AWS.

Transient vendor errors follow one rule for both tasks: when the vendor names a time to come back
(`Retry-After`), the task answers UNAVAILABLE with that time and the state machine waits at least that long
before it asks again (a Step Functions Retry has a fixed interval, so it could not honour the vendor's).
When the vendor names no time, the error is raised so the task's Retry tries again with backoff.

The deletion request carries the execution name as its idempotency key: the execution name is
deterministic per revocation, so every retry of the request, after a timeout too, refers the vendor
to the same operation instead of starting another that nothing would track.
"""

from __future__ import annotations

import math
from typing import Protocol

from functions.consent_deletion.third_party import (
    DeletionRequested,
    OperationState,
    OperationStatus,
    ThirdPartyUnavailable,
)
from functions.consent_deletion.vendor_tasks.models import (
    CheckDeletionStatusTask,
    CheckStatus,
    DeletionStatusCheck,
    RequestDeletionResult,
    RequestDeletionTask,
    RequestOutcome,
)

_CHECK_STATUS = {
    OperationState.PENDING: CheckStatus.IN_PROGRESS,
    OperationState.RUNNING: CheckStatus.IN_PROGRESS,
    OperationState.COMPLETED: CheckStatus.COMPLETED,
    OperationState.FAILED: CheckStatus.FAILED,
}
# The vendor's optional explanation of a failed operation.
_VENDOR_REASON_FIELD = "reason"


class DeletionApi(Protocol):
    """The calls the tasks make to the vendor (`third_party.DeletionApiClient` in production)."""

    def request_deletion(self, customer_id: str, *, idempotency_key: str) -> DeletionRequested: ...

    def get_operation(self, operation_id: str) -> OperationStatus: ...


def request_deletion(task: RequestDeletionTask, api: DeletionApi) -> RequestDeletionResult:
    """Ask the vendor to delete the customer's data, once per execution whatever the retries.

    Answers UNAVAILABLE when the vendor could not take the request and named a Retry-After. Raises the
    client's other named errors unchanged: `ThirdPartyUnavailable` without a Retry-After (the task retries
    it), `ThirdPartyRejected` and `ThirdPartyContractError` (the state machine records a failure and alerts).
    """
    try:
        requested = api.request_deletion(task.customer_id, idempotency_key=task.execution_name)
    except ThirdPartyUnavailable as error:
        if error.retry_after is None:
            raise
        return RequestDeletionResult(
            outcome=RequestOutcome.UNAVAILABLE,
            operation_id=None,
            retry_after_seconds=math.ceil(error.retry_after),
            detail=str(error),
        )
    return RequestDeletionResult(
        outcome=RequestOutcome(requested.outcome.value), operation_id=requested.operation_id
    )


def check_deletion_status(task: CheckDeletionStatusTask, api: DeletionApi) -> DeletionStatusCheck:
    """The vendor's status of the deletion operation, normalised for the state machine's Choice.

    Raises `ThirdPartyUnavailable` only when the vendor gave no Retry-After; see the module docstring.
    """
    try:
        operation = api.get_operation(task.operation_id)
    except ThirdPartyUnavailable as error:
        if error.retry_after is None:
            raise
        return DeletionStatusCheck(
            status=CheckStatus.UNAVAILABLE,
            vendor_status=None,
            retry_after_seconds=math.ceil(error.retry_after),
            detail=str(error),
        )
    return DeletionStatusCheck(
        status=_CHECK_STATUS[operation.status],
        vendor_status=operation.status,
        retry_after_seconds=0,
        detail=_failure_reason(operation),
    )


def _failure_reason(operation: OperationStatus) -> str | None:
    if operation.status is not OperationState.FAILED:
        return None
    reason = (operation.model_extra or {}).get(_VENDOR_REASON_FIELD)
    return reason if isinstance(reason, str) else None
