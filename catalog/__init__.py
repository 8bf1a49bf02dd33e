"""The state machine catalog: each workflow declared once, read by the CDK app and by the local runtime.

Plain data with no CDK or AWS SDK imports, so that every consumer can load it.
"""

from __future__ import annotations

from collections.abc import Mapping

from catalog.consent_deletion import CONSENT_DELETION
from catalog.model import CatalogError, StateMachine
from catalog.scheduled_request import SCHEDULED_REQUEST

STATE_MACHINES: Mapping[str, StateMachine] = {
    machine.name: machine for machine in (SCHEDULED_REQUEST, CONSENT_DELETION)
}

__all__ = ["CONSENT_DELETION", "SCHEDULED_REQUEST", "STATE_MACHINES", "CatalogError", "StateMachine"]
