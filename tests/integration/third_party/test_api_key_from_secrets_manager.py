"""The client built from environment settings reads its API key from Secrets Manager (moto), once, cached."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities import parameters
from moto import mock_aws

from functions.common.settings import SettingsError
from functions.consent_deletion.third_party import (
    DeletionApiClient,
    SecretsManagerApiKey,
    ThirdPartyConfigurationError,
    ThirdPartySettings,
)
from local.third_party_fake import FakeThirdPartyApi

API_KEY = "key-held-in-secrets-manager"
API_KEY_HEADER = "x-vendor-key"


@pytest.fixture
def secretsmanager() -> Iterator[Any]:
    # Powertools keeps its default provider (and its cache) per process; start and end each test without it.
    parameters.clear_caches()
    with mock_aws():
        yield boto3.client("secretsmanager")
    parameters.clear_caches()


@pytest.fixture
def secret_name(secretsmanager: Any) -> str:
    name = f"third-party-api-key-{uuid.uuid4().hex}"
    secretsmanager.create_secret(Name=name, SecretString=API_KEY)
    return name


@pytest.fixture
def fake_api() -> Iterator[FakeThirdPartyApi]:
    with FakeThirdPartyApi(api_key=API_KEY, api_key_header=API_KEY_HEADER) as fake:
        yield fake


@pytest.fixture
def client(
    monkeypatch: pytest.MonkeyPatch, fake_api: FakeThirdPartyApi, secret_name: str
) -> DeletionApiClient:
    monkeypatch.setenv("THIRD_PARTY_BASE_URL", fake_api.base_url)
    monkeypatch.setenv("THIRD_PARTY_API_KEY_SECRET", secret_name)
    monkeypatch.setenv("THIRD_PARTY_API_KEY_HEADER", API_KEY_HEADER)
    monkeypatch.setenv("THIRD_PARTY_CONNECT_TIMEOUT_SECONDS", "1")
    monkeypatch.setenv("THIRD_PARTY_READ_TIMEOUT_SECONDS", "2")
    return DeletionApiClient.from_settings(ThirdPartySettings.from_environ())


def _key_accepted(fake_api: FakeThirdPartyApi) -> list[bool]:
    return [request["apiKeyAccepted"] for request in fake_api.vendor.requests()]


def test_key_is_read_from_secrets_manager_and_sent_in_the_configured_header(
    fake_api: FakeThirdPartyApi, client: DeletionApiClient
) -> None:
    # Given a client configured only through THIRD_PARTY_* variables
    # When a deletion is requested
    client.request_deletion("customer-1")

    # Then the vendor received the key from the secret in the configured header
    assert _key_accepted(fake_api) == [True]


def test_key_is_cached_between_calls(
    fake_api: FakeThirdPartyApi, client: DeletionApiClient, secretsmanager: Any, secret_name: str
) -> None:
    # Given a first call that read the key
    client.request_deletion("customer-1")

    # When the secret changes (the vendor still expects the old key) and the client calls again
    secretsmanager.put_secret_value(SecretId=secret_name, SecretString="changed-in-secrets-manager")
    client.request_deletion("customer-2")

    # Then the second call still used the cached key: the secret was read once
    assert _key_accepted(fake_api) == [True, True]


def test_rotated_key_is_fetched_afresh_after_the_vendor_refuses_the_cached_one(
    fake_api: FakeThirdPartyApi, client: DeletionApiClient, secretsmanager: Any, secret_name: str
) -> None:
    # Given a cached key, then a rotation both in Secrets Manager and at the vendor
    client.request_deletion("customer-1")
    secretsmanager.put_secret_value(SecretId=secret_name, SecretString="rotated-key")
    fake_api.vendor.set_api_key("rotated-key")

    # When the client calls again
    requested = client.request_deletion("customer-2")

    # Then the refused cached key was replaced by the rotated one and the call succeeded
    assert requested.operation_id is not None
    assert [request["status"] for request in fake_api.vendor.requests()] == [202, 403, 202]


def test_a_secret_without_a_key_is_a_configuration_error(secretsmanager: Any) -> None:
    # Given a secret that holds only blanks
    name = f"empty-api-key-{uuid.uuid4().hex}"
    secretsmanager.create_secret(Name=name, SecretString="   ")

    # When the key is read
    # Then it is a configuration error, not something to retry
    with pytest.raises(ThirdPartyConfigurationError):
        SecretsManagerApiKey(name).get()


def test_settings_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given only the required variables
    monkeypatch.setenv("THIRD_PARTY_BASE_URL", "https://vendor.example/v1")
    monkeypatch.setenv("THIRD_PARTY_API_KEY_SECRET", "vendor-api-key")
    for optional in ("API_KEY_HEADER", "CONNECT_TIMEOUT_SECONDS", "READ_TIMEOUT_SECONDS"):
        monkeypatch.delenv(f"THIRD_PARTY_{optional}", raising=False)

    # When the settings are read
    settings = ThirdPartySettings.from_environ()

    # Then the header defaults to x-api-key and the timeouts are finite
    assert settings.api_key_header == "x-api-key"
    assert 0 < settings.connect_timeout_seconds < settings.read_timeout_seconds
    assert str(settings.base_url).startswith("https://vendor.example/v1")


def test_settings_refuse_a_base_url_that_is_not_http(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a base URL that is not an HTTP(S) URL
    monkeypatch.setenv("THIRD_PARTY_BASE_URL", "vendor.example")
    monkeypatch.setenv("THIRD_PARTY_API_KEY_SECRET", "vendor-api-key")

    # When the settings are read
    # Then they are refused
    with pytest.raises(SettingsError, match="THIRD_PARTY_BASE_URL"):
        ThirdPartySettings.from_environ()
