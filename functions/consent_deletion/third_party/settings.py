"""Environment configuration of the third-party deletion API client."""

from __future__ import annotations

from pydantic import Field, HttpUrl

from functions.common.settings import EnvironmentSettings


class ThirdPartySettings(EnvironmentSettings):
    """Read from ``THIRD_PARTY_*`` environment variables.

    Example:
        ``THIRD_PARTY_BASE_URL=https://vendor.example/v1``,
        ``THIRD_PARTY_API_KEY_SECRET=arn:aws:secretsmanager:...:secret:vendor-api-key``
    """

    base_url: HttpUrl = Field(alias="THIRD_PARTY_BASE_URL")
    api_key_secret: str = Field(
        alias="THIRD_PARTY_API_KEY_SECRET",
        min_length=1,
        description="Name or ARN of the Secrets Manager secret.",
    )
    api_key_header: str = Field("x-api-key", alias="THIRD_PARTY_API_KEY_HEADER", min_length=1)
    # Defaults leave a 30 s Lambda room for one in-process retry; connect is short because a
    # healthy endpoint answers a TCP handshake in milliseconds.
    connect_timeout_seconds: float = Field(3.0, alias="THIRD_PARTY_CONNECT_TIMEOUT_SECONDS", gt=0, le=30)
    read_timeout_seconds: float = Field(10.0, alias="THIRD_PARTY_READ_TIMEOUT_SECONDS", gt=0, le=60)
    api_key_max_age_seconds: int = Field(
        300,
        alias="THIRD_PARTY_API_KEY_MAX_AGE_SECONDS",
        ge=0,
        description="How long the key stays cached.",
    )
