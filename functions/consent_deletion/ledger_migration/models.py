"""The migration function's settings, the master credential it reads, and the report it returns."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from functions.common.settings import EnvironmentSettings


class MigrationSettings(EnvironmentSettings):
    """Environment of the migration function (the ledger's LEDGER_DB_* endpoint variables come on top)."""

    master_secret_arn: str = Field(
        alias="LEDGER_MASTER_SECRET_ARN", pattern=r"^arn:aws[a-z-]*:secretsmanager:"
    )


class MasterCredentials(BaseModel):
    """The fields of the RDS-generated master secret this function uses."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    username: str = Field(min_length=1)
    password: SecretStr


class PreparationReport(BaseModel):
    """What a run left in place."""

    model_config = ConfigDict(frozen=True)

    revision: str | None
    application_user: str
    user_created: bool
