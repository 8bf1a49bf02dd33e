"""Which Customers-table changes are consent revocations, and how each one starts exactly one deletion.

Consent is opt-in: a customer consents only while ``analyticsConsent`` is the boolean ``true``.
A change is a revocation when the customer consented before it and does not after it:
a MODIFY to ``false``, a MODIFY that removes the attribute (or stores something that is not a
boolean), or a REMOVE of the item. Each revocation's execution name is derived from the
customer id and the stream record's ``eventID``: a redelivered record has the same ``eventID``
and therefore the same name, while a later, second revocation of the same customer is a new
record with a new ``eventID`` and starts its own deletion. (``ApproximateCreationDateTime`` is
only precise to the second, so two revocations within one second would share a name.)
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final, Protocol

from functions.consent_deletion.revocation import RevocationReason
from functions.consent_deletion.stream_trigger.errors import ExecutionAlreadyExists, ExecutionNameConflict
from functions.consent_deletion.stream_trigger.execution_name import build_execution_name
from functions.consent_deletion.stream_trigger.models import (
    CUSTOMER_ID_ATTRIBUTE,
    ConsentDeletionInput,
    ConsentDeletionRequest,
    CustomerChange,
    StartOutcome,
)

CONSENT_ATTRIBUTE: Final = "analyticsConsent"

_CONSENTED_BEFORE: Final = {"OldImage": {CONSENT_ATTRIBUTE: {"BOOL": [True]}}}

# The same predicate as ``revocation_reason``, as Lambda event-source-mapping filter patterns
# (one record matches if any pattern matches). They test only the ``dynamodb`` key, the one key
# Lambda documents as filterable for DynamoDB streams: a REMOVE is told from a MODIFY by the
# absence of the new image, whose key attribute is always present when the image is.
REVOCATION_FILTER_PATTERNS: Final[tuple[dict[str, Any], ...]] = (
    # MODIFY that sets consent to false.
    {"dynamodb": {**_CONSENTED_BEFORE, "NewImage": {CONSENT_ATTRIBUTE: {"BOOL": [False]}}}},
    # MODIFY that removes consent or replaces it with a value that is not a boolean.
    {
        "dynamodb": {
            **_CONSENTED_BEFORE,
            "NewImage": {
                CUSTOMER_ID_ATTRIBUTE: {"S": [{"exists": True}]},
                CONSENT_ATTRIBUTE: {"BOOL": [{"exists": False}]},
            },
        }
    },
    # REMOVE of a consenting customer (there is no new image).
    {"dynamodb": {**_CONSENTED_BEFORE, "NewImage": {CUSTOMER_ID_ATTRIBUTE: {"S": [{"exists": False}]}}}},
)

# The ``FilterCriteria`` property of an event source mapping (CloudFormation / the Lambda API).
REVOCATION_FILTER_CRITERIA: Final[dict[str, list[dict[str, str]]]] = {
    "Filters": [{"Pattern": json.dumps(pattern)} for pattern in REVOCATION_FILTER_PATTERNS]
}


class ExecutionStarter(Protocol):
    """Starts a ConsentDeletion execution; raises ``ExecutionAlreadyExists`` if the name is taken."""

    def start(self, name: str, execution_input: str) -> str: ...


def has_consent(image: Mapping[str, Any] | None) -> bool:
    """Whether a deserialised item image records consent: only a boolean ``True`` does."""
    return image is not None and image.get(CONSENT_ATTRIBUTE) is True


def revocation_reason(
    event_name: str, old_image: Mapping[str, Any] | None, new_image: Mapping[str, Any] | None
) -> RevocationReason | None:
    """Why this change revokes consent, or ``None`` if it does not."""
    if not has_consent(old_image):
        return None
    if event_name == "REMOVE":
        return RevocationReason.CUSTOMER_DELETED
    if event_name == "MODIFY" and not has_consent(new_image):
        return RevocationReason.CONSENT_REVOKED
    return None


def is_revocation(
    event_name: str, old_image: Mapping[str, Any] | None, new_image: Mapping[str, Any] | None
) -> bool:
    """Whether this change revokes consent (see the module docstring for the rule)."""
    return revocation_reason(event_name, old_image, new_image) is not None


def revocation_execution_name(customer_id: str, event_id: str) -> str:
    """The ConsentDeletion execution name for the revocation reported by stream record ``event_id``."""
    return build_execution_name(customer_id, event_id)


def deletion_request_for(change: CustomerChange) -> ConsentDeletionRequest | None:
    """The execution that handles ``change``, or ``None`` if it is not a revocation."""
    reason = revocation_reason(change.event_name, change.old_image, change.new_image)
    if reason is None:
        return None
    return ConsentDeletionRequest(
        execution_name=revocation_execution_name(change.customer_id, change.event_id),
        execution_input=ConsentDeletionInput(
            customer_id=change.customer_id,
            revoked_at=change.changed_at,
            reason=reason,
            source_event_id=change.event_id,
        ),
    )


def start_deletion(change: CustomerChange, starter: ExecutionStarter) -> StartOutcome:
    """Start the deletion for ``change`` once, however often the record is delivered.

    An existing execution of the same name counts as success only when its input is the one
    this record produces; anything else is an ``ExecutionNameConflict``.
    """
    request = deletion_request_for(change)
    if request is None:
        return StartOutcome.SKIPPED
    execution_input = request.execution_input.to_json()
    try:
        starter.start(request.execution_name, execution_input)
    except ExecutionAlreadyExists as existing:
        if not _same_json(existing.existing_input, execution_input):
            raise ExecutionNameConflict(
                f"{existing.execution_arn} was started with a different input than record {change.event_id}"
            ) from existing
        return StartOutcome.ALREADY_STARTED
    return StartOutcome.STARTED


def _same_json(existing: str | None, expected: str) -> bool:
    if existing is None:
        return False
    try:
        return bool(json.loads(existing) == json.loads(expected))
    except json.JSONDecodeError:
        return False
