"""Named failures of the stream trigger; the batch processor reports each one as a failed record."""

from __future__ import annotations


class StreamTriggerError(Exception):
    """Base class: a stream record that could not be handled and must be retried."""


class UnparseableRecord(StreamTriggerError):
    """The record does not have the shape the Customers table's stream produces."""


class ExecutionAlreadyExists(StreamTriggerError):
    """An execution with this name exists already; carries its input so the caller can compare."""

    def __init__(self, execution_arn: str, existing_input: str | None) -> None:
        super().__init__(f"execution {execution_arn} already exists")
        self.execution_arn = execution_arn
        self.existing_input = existing_input


class ExecutionNameConflict(StreamTriggerError):
    """An execution with the same name exists but was started for a different revocation."""


class ExecutionStartFailed(StreamTriggerError):
    """Step Functions refused or failed the StartExecution call (after the SDK's own retries)."""
