"""A fake of the third-party deletion API, for tests and the local stack (see ``server``)."""

from __future__ import annotations

from local.third_party_fake.behaviour import (
    Behaviour,
    Endpoint,
    Fault,
    Outcome,
    RetryAfterFormat,
    SchemaDrift,
)
from local.third_party_fake.server import DEFAULT_API_KEY, DEFAULT_API_KEY_HEADER, FakeThirdPartyApi
from local.third_party_fake.vendor import FakeVendor

__all__ = [
    "DEFAULT_API_KEY",
    "DEFAULT_API_KEY_HEADER",
    "Behaviour",
    "Endpoint",
    "FakeThirdPartyApi",
    "FakeVendor",
    "Fault",
    "Outcome",
    "RetryAfterFormat",
    "SchemaDrift",
]
