"""Environment configuration of the third-party deletion API client."""

from __future__ import annotations

from pydantic import Field, HttpUrl
from pydantic_settings import BaseSettings, SettingsConfigDict


class ThirdPartySettings(BaseSettings):
    """Read from ``THIRD_PARTY_*`` environment variables.

    Example:
        ``THIRD_PARTY_BASE_URL=https://vendor.example/v1``,
        ``THIRD_PARTY_API_KEY_SECRET=arn:aws:secretsmanager:...:secret:vendor-api-key``
    """

    model_config = SettingsConfigDict(env_prefix="THIRD_PARTY_", frozen=True, extra="ignore")

    base_url: HttpUrl
    api_key_secret: str = Field(min_length=1, description="Name or ARN of the Secrets Manager secret.")
    api_key_header: str = Field(default="x-api-key", min_length=1)
    # Defaults leave a 30 s Lambda room for one in-process retry; connect is short because a
    # healthy endpoint answers a TCP handshake in milliseconds.
    connect_timeout_seconds: float = Field(default=3.0, gt=0, le=30)
    read_timeout_seconds: float = Field(default=10.0, gt=0, le=60)
    api_key_max_age_seconds: int = Field(default=300, ge=0, description="How long the key stays cached.")
