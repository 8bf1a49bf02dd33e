"""IAM database authentication tokens for RDS: the ledger's only use of boto3."""

from __future__ import annotations

from functools import cache
from typing import Protocol

import boto3
from botocore.client import BaseClient


class AuthTokenProvider(Protocol):
    """Produces a password for one new database connection."""

    def auth_token(self, *, host: str, port: int, user: str) -> str: ...


@cache
def _rds_client() -> BaseClient:
    return boto3.client("rds")


class RdsIamAuthTokenProvider:
    """Signs a fresh 15-minute RDS IAM token with the function's own credentials (no network call)."""

    def auth_token(self, *, host: str, port: int, user: str) -> str:
        """A token to use as the password of a connection opened now."""
        return _rds_client().generate_db_auth_token(DBHostname=host, Port=port, DBUsername=user)
