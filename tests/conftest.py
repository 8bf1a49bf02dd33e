"""Suite-wide guards: every test runs offline with fake AWS credentials in one region."""

from __future__ import annotations

import os

import pytest

FAKE_AWS_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_NAMESPACE": "Tests",
    "POWERTOOLS_DEV": "false",
}

# Set at import so that modules imported during collection never see real credentials.
os.environ.update(FAKE_AWS_ENVIRONMENT)
os.environ.pop("AWS_PROFILE", None)


@pytest.fixture(autouse=True)
def _fake_aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in FAKE_AWS_ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
