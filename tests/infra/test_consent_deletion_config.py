"""The consentDeletion configuration: working defaults, production refuses placeholders, settings complete."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
from pydantic import ValidationError

from catalog import CONSENT_DELETION
from catalog.model import CatalogError, ReadWriteItems
from tests.infra.cloud_assembly import cdk_json_context
from tests.infra.conftest import CONSENT_PRODUCTION
from workflows.config import AppConfig, ConsentDeletionConfig
from workflows.consent_deletion.network import endpoint_services


def _config(**consent_deletion: Any) -> ConsentDeletionConfig:
    return AppConfig.from_context({"consentDeletion": consent_deletion}.get).consent_deletion


def test_defaults_synthesize_without_any_setting_and_cdk_json_spells_them_out() -> None:
    # Given no context and cdk.json's context
    defaults = _config()
    from_cdk_json = AppConfig.from_context(cdk_json_context().get).consent_deletion

    # Then the defaults are the non-production ones, and cdk.json states exactly them
    assert defaults.production is False
    assert defaults.sender_identity == "example.com"
    assert defaults.alarm_subscribers == defaults.alert_recipients
    assert from_cdk_json == defaults


def test_every_declared_setting_gets_a_value() -> None:
    # Given the catalog's settings / Then the configuration supplies each one, and no other
    assert set(_config().setting_values()) == {setting.name for setting in CONSENT_DELETION.settings}


def test_production_refuses_the_example_placeholders_and_names_them() -> None:
    # Given production with only the vendor configured / When read / Then the placeholders are named
    with pytest.raises(ValidationError, match="alertRecipients, alertSender"):
        _config(production=True, vendorBaseUrl="https://deletions.vendor.test/v1")


def test_production_accepts_real_settings() -> None:
    # Given the settings the production test app uses / When read / Then they are accepted as they are
    config = _config(**CONSENT_PRODUCTION)
    assert config.production is True
    assert config.sender_identity == CONSENT_PRODUCTION["sesIdentity"]
    assert config.alarm_subscribers == CONSENT_PRODUCTION["alarmRecipients"]


@pytest.mark.parametrize(
    ("consent_deletion", "message"),
    [
        ({"alertSender": "alerts@other.test", "sesIdentity": "acme.test"}, "does not belong to sesIdentity"),
        ({"alertRecipients": ["not-an-address"]}, "not e-mail addresses"),
        ({"alertRecipients": []}, "at least 1"),
        ({"vendorBaseUrl": "http://vendor.test"}, "pattern"),
        ({"tunables": {"MaxCheckDelaySeconds": 60}}, ">= 2400"),
        ({"tunables": {"DeletionDeadlineSeconds": 400_000}}, "<= 302400"),
        ({"ledgerBackupRetentionDays": 0}, "greater than or equal to 1"),
        ({"ledgerInstanceType": "db.t4g.micro"}, "pattern"),
    ],
)
def test_inconsistent_configuration_is_refused(consent_deletion: dict[str, Any], message: str) -> None:
    # Given a configuration that cannot work / When it is read / Then it is refused, saying why
    with pytest.raises(ValidationError, match=message):
        _config(**consent_deletion)


def test_the_object_may_come_as_json_text_from_the_command_line() -> None:
    # Given `cdk -c consentDeletion='{...}'`
    context = {"consentDeletion": json.dumps(CONSENT_PRODUCTION)}

    # When read / Then the JSON text is understood
    assert AppConfig.from_context(context.get).consent_deletion.production is True


def test_a_permission_without_a_known_endpoint_inside_the_vpc_is_refused() -> None:
    # Given a ledger function that would also need DynamoDB from inside the isolated VPC
    ledger = CONSENT_DELETION.function("LedgerTasks")
    widened = dataclasses.replace(ledger, permissions=(*ledger.permissions, ReadWriteItems("CustomersTable")))

    # When the endpoints are derived / Then the gap is named instead of silently missing
    with pytest.raises(CatalogError, match="ReadWriteItems"):
        endpoint_services([widened])
