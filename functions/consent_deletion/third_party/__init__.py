"""Client of the third-party deletion API: request a customer's deletion and check its operation."""

from __future__ import annotations

from functions.consent_deletion.third_party.api_key import ApiKeySource, SecretsManagerApiKey, StaticApiKey
from functions.consent_deletion.third_party.client import DeletionApiClient
from functions.consent_deletion.third_party.errors import (
    ThirdPartyConfigurationError,
    ThirdPartyContractError,
    ThirdPartyError,
    ThirdPartyRejected,
    ThirdPartyUnavailable,
)
from functions.consent_deletion.third_party.models import (
    DeletionOutcome,
    DeletionRequested,
    OperationState,
    OperationStatus,
)
from functions.consent_deletion.third_party.settings import ThirdPartySettings

__all__ = [
    "ApiKeySource",
    "DeletionApiClient",
    "DeletionOutcome",
    "DeletionRequested",
    "OperationState",
    "OperationStatus",
    "SecretsManagerApiKey",
    "StaticApiKey",
    "ThirdPartyConfigurationError",
    "ThirdPartyContractError",
    "ThirdPartyError",
    "ThirdPartyRejected",
    "ThirdPartySettings",
    "ThirdPartyUnavailable",
]
