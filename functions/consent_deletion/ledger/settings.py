"""Where the ledger database is, read from the environment."""

from __future__ import annotations

from typing import Self

from pydantic import FilePath, PositiveFloat, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class LedgerSettings(BaseSettings):
    """Either `LEDGER_DATABASE_URL` (SQLite locally, any URL in tests) or the RDS endpoint for IAM auth.

    In AWS: `LEDGER_DB_HOST`, `LEDGER_DB_PORT`, `LEDGER_DB_NAME`, `LEDGER_DB_USER` (a database user
    granted `rds_iam`) and `LEDGER_DB_CA_BUNDLE`, the RDS certificate bundle shipped with the code.
    """

    model_config = SettingsConfigDict(env_prefix="LEDGER_", frozen=True, extra="ignore")

    database_url: str | None = None
    db_host: str | None = None
    db_port: int = 5432
    db_name: str | None = None
    db_user: str | None = None
    db_ca_bundle: FilePath | None = None
    connect_timeout_seconds: PositiveFloat = 10.0

    @model_validator(mode="after")
    def _one_way_to_connect(self) -> Self:
        endpoint = (self.db_host, self.db_name, self.db_user)
        if self.database_url is not None and any(endpoint):
            raise ValueError("set LEDGER_DATABASE_URL or LEDGER_DB_HOST/NAME/USER, not both")
        if self.database_url is None and not all(endpoint):
            raise ValueError(
                "set LEDGER_DATABASE_URL, or all of LEDGER_DB_HOST, LEDGER_DB_NAME, LEDGER_DB_USER"
            )
        return self

    @property
    def uses_iam_auth(self) -> bool:
        """True when the ledger connects to RDS with an IAM token instead of a URL."""
        return self.database_url is None
