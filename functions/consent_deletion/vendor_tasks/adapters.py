"""The vendor's deletion API client of this execution environment, built from THIRD_PARTY_* settings."""

from __future__ import annotations

from functools import cache

from functions.consent_deletion.third_party import DeletionApiClient, ThirdPartySettings
from functions.consent_deletion.vendor_tasks.logic import DeletionApi


@cache
def deletion_api() -> DeletionApi:
    """The client, built at first use so that importing the handler needs no configuration."""
    return DeletionApiClient.from_settings(ThirdPartySettings.from_environ())
