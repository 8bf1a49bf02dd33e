"""Building the ledger engine from settings: a URL locally, RDS with IAM database authentication in AWS."""

from __future__ import annotations

import ssl
from itertools import count
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.pool import QueuePool

from functions.common.settings import SettingsError
from functions.consent_deletion.ledger import (
    LedgerSettings,
    UnsupportedDatabase,
    create_ledger_engine,
    engine_for_url,
)
from functions.consent_deletion.ledger.rds_auth import RdsIamAuthTokenProvider

RDS_ENVIRONMENT = {
    "LEDGER_DB_HOST": "ledger.cluster-abc.us-east-1.rds.amazonaws.com",
    "LEDGER_DB_PORT": "5433",
    "LEDGER_DB_NAME": "ledger",
    "LEDGER_DB_USER": "ledger_task",
}


class StopBeforeConnecting(Exception):
    """Raised by the test in place of opening a network connection."""


class CountingTokenProvider:
    """Hands out a new token for every connection and remembers who asked."""

    def __init__(self) -> None:
        self._serial = count(1)
        self.requests: list[dict[str, Any]] = []

    def auth_token(self, *, host: str, port: int, user: str) -> str:
        self.requests.append({"host": host, "port": port, "user": user})
        return f"token-{next(self._serial)}"


@pytest.fixture
def rds_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in RDS_ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("LEDGER_DATABASE_URL", raising=False)


def test_settings_read_the_rds_endpoint_from_the_environment(rds_environment: None) -> None:
    # Given the environment of a ledger Lambda in AWS
    # When the settings are read
    settings = LedgerSettings.from_environ()

    # Then they describe the RDS endpoint and choose IAM authentication
    assert settings.uses_iam_auth
    assert (settings.db_host, settings.db_port, settings.db_name, settings.db_user) == (
        "ledger.cluster-abc.us-east-1.rds.amazonaws.com",
        5433,
        "ledger",
        "ledger_task",
    )


@pytest.mark.parametrize(
    "environment",
    [
        pytest.param({}, id="nothing"),
        pytest.param({"LEDGER_DB_HOST": "db.example"}, id="incomplete-endpoint"),
        pytest.param({"LEDGER_DATABASE_URL": "sqlite://", **RDS_ENVIRONMENT}, id="url-and-endpoint"),
    ],
)
def test_settings_refuse_an_ambiguous_or_incomplete_database(
    monkeypatch: pytest.MonkeyPatch, environment: dict[str, str]
) -> None:
    # Given an environment that does not name exactly one database
    for name in ("LEDGER_DATABASE_URL", *RDS_ENVIRONMENT):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)

    # When the settings are read, Then they are refused
    with pytest.raises(SettingsError, match="LEDGER_DATABASE_URL"):
        LedgerSettings.from_environ()


def test_every_new_rds_connection_signs_a_fresh_token_and_requires_verified_ssl(
    rds_environment: None,
) -> None:
    # Given the RDS engine, with a token provider that counts and a hook standing in for the network
    tokens = CountingTokenProvider()
    engine = create_ledger_engine(LedgerSettings.from_environ(), token_provider=tokens)
    attempts: list[dict[str, Any]] = []

    @event.listens_for(engine, "do_connect")
    def capture(_dialect: Any, _record: Any, _cargs: Any, cparams: dict[str, Any]) -> None:
        attempts.append(dict(cparams))
        raise StopBeforeConnecting

    # When two connections are opened
    for _ in range(2):
        with pytest.raises(StopBeforeConnecting):
            engine.connect()

    # Then each got its own token for the configured user and endpoint, over certificate-checked SSL
    assert [attempt["password"] for attempt in attempts] == ["token-1", "token-2"]
    assert (
        tokens.requests
        == [{"host": RDS_ENVIRONMENT["LEDGER_DB_HOST"], "port": 5433, "user": "ledger_task"}] * 2
    )
    for attempt in attempts:
        assert (attempt["host"], attempt["port"], attempt["user"], attempt["database"]) == (
            RDS_ENVIRONMENT["LEDGER_DB_HOST"],
            5433,
            "ledger_task",
            "ledger",
        )
        context = attempt["ssl_context"]
        assert isinstance(context, ssl.SSLContext)
        assert (context.verify_mode, context.check_hostname) == (ssl.CERT_REQUIRED, True)
    # And the pool holds one connection, as one Lambda environment needs
    assert engine.driver == "pg8000"
    assert isinstance(engine.pool, QueuePool)
    assert engine.pool.size() == 1
    engine.dispose()


def test_rds_iam_tokens_are_signed_locally_for_the_endpoint_and_user() -> None:
    # Given the boto3 adapter and the suite's fake AWS credentials
    provider = RdsIamAuthTokenProvider()

    # When a token is requested (a local SigV4 presign: no network, no AWS account)
    token = provider.auth_token(host="db.example.internal", port=5432, user="ledger_task")

    # Then it is a presigned connect request for that endpoint and database user
    assert token.startswith("db.example.internal:5432/?Action=connect&DBUser=ledger_task&")
    assert "X-Amz-Signature=" in token


def test_a_plain_postgresql_url_uses_pg8000_and_other_databases_are_refused() -> None:
    # Given URLs as people write them
    # When engines are built, Then PostgreSQL goes through pg8000 and anything else is refused
    assert engine_for_url("postgresql://postgres@127.0.0.1:5432/test").driver == "pg8000"
    with pytest.raises(UnsupportedDatabase):
        engine_for_url("mysql://root@127.0.0.1/ledger")


def test_a_database_url_setting_builds_a_sqlite_engine(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    # Given the local runtime's setting
    monkeypatch.setenv("LEDGER_DATABASE_URL", f"sqlite:///{tmp_path / 'ledger.sqlite3'}")

    # When the engine is built from it
    engine = create_ledger_engine(LedgerSettings.from_environ())

    # Then it is SQLite, needs no token and opens the file
    assert not LedgerSettings.from_environ().uses_iam_auth
    assert engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    engine.dispose()
