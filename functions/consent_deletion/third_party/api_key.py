"""Where the client gets the vendor API key: Secrets Manager in AWS, a plain value in tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from aws_lambda_powertools.utilities import parameters

from functions.consent_deletion.third_party.errors import ThirdPartyConfigurationError


class ApiKeySource(Protocol):
    """Supplies the API key; ``refresh=True`` bypasses any cache (the key may have been rotated)."""

    def get(self, *, refresh: bool = False) -> str: ...


@dataclass(frozen=True)
class StaticApiKey:
    """A key known up front (tests, the local stack)."""

    value: str = field(repr=False)

    def get(self, *, refresh: bool = False) -> str:
        """Return the key; there is nothing to refresh."""
        return self.value


@dataclass(frozen=True)
class SecretsManagerApiKey:
    """The key is the SecretString of a Secrets Manager secret, cached by Powertools parameters.

    The cache lives in the Lambda execution environment, so a warm function reads the secret at
    most once per ``max_age_seconds``. Errors reading the secret (``GetParameterError``) propagate
    unchanged: they concern our AWS account, not the vendor.
    """

    secret_id: str
    max_age_seconds: int = 300

    def get(self, *, refresh: bool = False) -> str:
        """Return the cached key, or read the secret when the cache is stale or ``refresh`` is set."""
        value = parameters.get_secret(self.secret_id, max_age=self.max_age_seconds, force_fetch=refresh)
        if not isinstance(value, str) or not value.strip():
            raise ThirdPartyConfigurationError(f"secret {self.secret_id!r} holds no API key string")
        return value.strip()
