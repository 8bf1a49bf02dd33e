"""Named errors of the ledger tasks. Class names are the error names Step Functions retries and catches on."""

from __future__ import annotations


class LedgerUnavailable(Exception):
    """The database could not be reached or did not answer in time; the same command may succeed later."""


class InvalidLedgerCommand(Exception):
    """The task input is not a ledger command this function understands; retrying cannot help."""
