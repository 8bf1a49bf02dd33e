"""What an operator supplies per deployment, supplied for the local one: settings, secret values, and the
migrations that prepare a declared database.

The catalog declares that a deployment must supply these (no default fits every deployment); here is
the one place where the local deployment says what they are. A new setting, secret or database in the
catalog needs an entry here, and the stack refuses to start until it has one (secrets excepted: a
secret nobody checks locally gets a random value).
"""

from __future__ import annotations

import importlib
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from local.third_party_fake import DEFAULT_API_KEY

LOCAL_EMAIL_DOMAIN = "example.com"
"""Every local e-mail address is in this domain; the stack verifies it in the embedded SES."""


class MissingDeploymentValue(LookupError):
    """The catalog declares a setting or database the local deployment has no value or migration for."""


@dataclass(frozen=True)
class LocalDeployment:
    """The local answers to what a deployment must supply."""

    third_party_url: str
    """Where the fake vendor listens."""

    def setting(self, name: str) -> str:
        """The value of a declared setting."""
        try:
            return _SETTINGS[name](self)
        except KeyError:
            raise MissingDeploymentValue(
                f"no local value for setting {name!r}: add one in local/stack/deployment_values.py"
            ) from None

    def secret(self, logical_id: str) -> str:
        """The value stored in a declared secret."""
        return _SECRETS.get(logical_id) or secrets.token_urlsafe(24)

    def migrate(self, logical_id: str, url: str) -> None:
        """Bring the declared database at `url` to its newest schema."""
        try:
            target = _MIGRATIONS[logical_id]
        except KeyError:
            raise MissingDeploymentValue(
                f"no migrations for database {logical_id!r}: add them in local/stack/deployment_values.py"
            ) from None
        module, _, function = target.partition(":")
        upgrade: Callable[[str], None] = getattr(importlib.import_module(module), function)
        upgrade(url)


_SETTINGS: Mapping[str, Callable[[LocalDeployment], str]] = {
    "VendorBaseUrl": lambda deployment: deployment.third_party_url,
    "AlertRecipients": lambda _: f"privacy-oncall@{LOCAL_EMAIL_DOMAIN}",
    "AlertSender": lambda _: f"consent-deletion-alerts@{LOCAL_EMAIL_DOMAIN}",
}
_SECRETS: Mapping[str, str] = {
    # The fake vendor accepts this key, as the real vendor accepts the one an operator stores.
    "VendorApiKey": DEFAULT_API_KEY,
}
_MIGRATIONS: Mapping[str, str] = {
    "Ledger": "functions.consent_deletion.ledger.migrate:upgrade",
}
