"""Named errors the ledger raises; handlers map them to task errors once."""

from __future__ import annotations


class LedgerError(Exception):
    """Base class for every ledger error."""


class DeletionNotFound(LedgerError):
    """A task referred to an execution the ledger has never seen."""

    def __init__(self, execution_name: str) -> None:
        super().__init__(f"no deletion recorded for execution {execution_name!r}")
        self.execution_name = execution_name


class ExecutionNameConflict(LedgerError):
    """An execution name already belongs to a different customer."""

    def __init__(self, execution_name: str, recorded_customer_id: str, requested_customer_id: str) -> None:
        super().__init__(
            f"execution {execution_name!r} belongs to customer {recorded_customer_id!r}, "
            f"not {requested_customer_id!r}"
        )
        self.execution_name = execution_name
        self.recorded_customer_id = recorded_customer_id
        self.requested_customer_id = requested_customer_id


class NaiveDatetimeError(LedgerError, ValueError):
    """A timestamp without a time zone was given to the ledger."""

    def __init__(self, value: object) -> None:
        super().__init__(f"ledger timestamps must carry a time zone, got {value!r}")


class UnsupportedDatabase(LedgerError):
    """The ledger runs on PostgreSQL and SQLite only."""
