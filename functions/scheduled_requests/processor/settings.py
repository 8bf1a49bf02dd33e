"""The example processor's configuration, read from its environment variables."""

from __future__ import annotations

from pydantic import Field

from functions.common.settings import EnvironmentSettings


class ProcessorSettings(EnvironmentSettings):
    """Environment of the example processor Lambda function."""

    idempotency_table_name: str = Field(alias="IDEMPOTENCY_TABLE_NAME", min_length=3)
    # A stored result only has to outlive the task's own retries; a day is ample.
    idempotency_expires_after_seconds: int = Field(86_400, alias="IDEMPOTENCY_EXPIRES_AFTER_SECONDS", ge=60)
