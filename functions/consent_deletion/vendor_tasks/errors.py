"""Named errors of the vendor tasks (the vendor's own errors are the client's: `third_party.errors`)."""

from __future__ import annotations


class InvalidVendorTaskInput(Exception):
    """The task input does not match what the state machine is supposed to send; retrying cannot help."""
