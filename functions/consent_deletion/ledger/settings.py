"""Where the ledger database is, read from the environment."""

from __future__ import annotations

from typing import Self

from pydantic import Field, FilePath, PositiveFloat, model_validator

from functions.common.settings import EnvironmentSettings


class LedgerSettings(EnvironmentSettings):
    """Either `LEDGER_DATABASE_URL` (SQLite locally, any URL in tests) or the RDS endpoint for IAM auth.

    In AWS: `LEDGER_DB_HOST`, `LEDGER_DB_PORT`, `LEDGER_DB_NAME`, `LEDGER_DB_USER` (a database user
    granted `rds_iam`) and `LEDGER_DB_CA_BUNDLE`, the RDS certificate bundle shipped with the code.
    """

    database_url: str | None = Field(None, alias="LEDGER_DATABASE_URL")
    db_host: str | None = Field(None, alias="LEDGER_DB_HOST")
    db_port: int = Field(5432, alias="LEDGER_DB_PORT")
    db_name: str | None = Field(None, alias="LEDGER_DB_NAME")
    db_user: str | None = Field(None, alias="LEDGER_DB_USER")
    db_ca_bundle: FilePath | None = Field(None, alias="LEDGER_DB_CA_BUNDLE")
    connect_timeout_seconds: PositiveFloat = Field(10.0, alias="LEDGER_CONNECT_TIMEOUT_SECONDS")

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
