"""Why a customer's analytics data is to be deleted: shared by the stream trigger and the ledger.

A plain enum with no third-party imports, so the stream trigger can use it without loading the ledger's
SQLAlchemy code.
"""

from __future__ import annotations

from enum import StrEnum


class RevocationReason(StrEnum):
    """What the customer did that asks for the deletion (the execution input's `reason`)."""

    CONSENT_REVOKED = "CONSENT_REVOKED"  # analytics consent went from true to false
    CUSTOMER_DELETED = "CUSTOMER_DELETED"  # a consenting customer was removed
