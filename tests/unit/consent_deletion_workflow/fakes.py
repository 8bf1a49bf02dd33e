"""Stand-ins for the seams of the ConsentDeletion tasks: a Lambda context, the vendor, executions, SNS."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy import Engine

from functions.consent_deletion.ledger import (
    DeletionRecord,
    RevocationReason,
    SqlDeletionLedger,
    engine_for_url,
    upgrade,
)
from functions.consent_deletion.reconciler.models import ExecutionStatus, StalePendingAlert
from functions.consent_deletion.third_party import (
    DeletionOutcome,
    DeletionRequested,
    OperationStatus,
    ThirdPartyError,
)

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
_Answer = TypeVar("_Answer")
STATE_MACHINE_ARN = "arn:aws:states:eu-west-1:123456789012:stateMachine:ConsentDeletion"


@dataclass
class LambdaContextStub:
    """The attributes Powertools reads from a Lambda context."""

    function_name: str = "consent-deletion-test"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = "arn:aws:lambda:eu-west-1:123456789012:function:consent-deletion-test"
    aws_request_id: str = "00000000-0000-4000-8000-000000000000"


def in_memory_ledger() -> tuple[SqlDeletionLedger, Engine]:
    """A migrated ledger in a private in-memory SQLite database."""
    engine = engine_for_url("sqlite://")
    upgrade(engine)
    return SqlDeletionLedger(engine), engine


def request_deletion(
    ledger: SqlDeletionLedger, execution_name: str, customer_id: str, at: datetime
) -> DeletionRecord:
    """Open a pending deletion as RecordDeletionRequested does, for a revocation at `at` recorded at once."""
    return ledger.record_deletion_requested(
        execution_name,
        customer_id,
        at,
        reason=RevocationReason.CONSENT_REVOKED,
        source_event_id=f"stream-event-of-{execution_name}",
        recorded_at=at,
    )


@dataclass
class FakeDeletionApi:
    """A vendor that answers from a script: each call pops the next answer (or raises it)."""

    deletion_answers: list[DeletionRequested | ThirdPartyError] = field(default_factory=list)
    operation_answers: list[OperationStatus | ThirdPartyError] = field(default_factory=list)
    calls: list[tuple[str, str]] = field(default_factory=list)
    idempotency_keys: list[str] = field(default_factory=list)

    def request_deletion(self, customer_id: str, *, idempotency_key: str) -> DeletionRequested:
        self.calls.append(("request_deletion", customer_id))
        self.idempotency_keys.append(idempotency_key)
        return _answer(self.deletion_answers.pop(0))

    def get_operation(self, operation_id: str) -> OperationStatus:
        self.calls.append(("get_operation", operation_id))
        return _answer(self.operation_answers.pop(0))


def _answer(answer: _Answer | ThirdPartyError) -> _Answer:
    if isinstance(answer, ThirdPartyError):
        raise answer
    return answer


def accepted(customer_id: str, operation_id: str) -> DeletionRequested:
    """The vendor's answer to a deletion request it accepted."""
    return DeletionRequested(
        customer_id=customer_id, outcome=DeletionOutcome.ACCEPTED, operation_id=operation_id
    )


@dataclass
class FakeExecutions:
    """Execution statuses by ARN; an unknown ARN does not exist."""

    statuses: dict[str, ExecutionStatus] = field(default_factory=dict)
    described: list[str] = field(default_factory=list)

    def status(self, execution_arn: str) -> ExecutionStatus:
        self.described.append(execution_arn)
        return self.statuses.get(execution_arn, ExecutionStatus.NOT_FOUND)


@dataclass
class RecordingPublisher:
    """Keeps every alert it is asked to publish."""

    published: list[StalePendingAlert] = field(default_factory=list)

    def publish(self, alert: StalePendingAlert) -> None:
        self.published.append(alert)
