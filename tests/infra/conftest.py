"""Synthesizes each app configuration once per test session: jsii synthesis is slow."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.infra.cloud_assembly import SynthesizedApp, synthesize

# The jsii runtime prints a banner about the Node.js version otherwise.
os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
os.environ.setdefault("JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION", "1")
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "1")

_HERE = Path(__file__).parent
EXTERNAL_TARGET_ARN = "arn:aws:lambda:us-east-1:123456789012:function:billing-reminders"
COGNITO_USER_POOL_ARN = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Example1"
CONSENT_DELETION_STACK_NAME = "ConsentDeletion"
FAILURE_EMAIL = "scheduler-oncall@acme.test"
CONSENT_PRODUCTION: dict[str, Any] = {
    "production": True,
    "vendorBaseUrl": "https://deletions.vendor.test/v1",
    "alertRecipients": ["privacy-oncall@acme.test", "dpo@acme.test"],
    "alertSender": "consent-alerts@notify.acme.test",
    "sesIdentity": "notify.acme.test",
    "alarmRecipients": ["platform-oncall@acme.test"],
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # One xdist worker runs every synthesizing test, so each app is synthesized once (make test uses
    # --dist loadgroup).
    for item in items:
        if _HERE in Path(item.path).parents:
            item.add_marker(pytest.mark.xdist_group("cdk-synth"))


@pytest.fixture(scope="session")
def default_app(tmp_path_factory: pytest.TempPathFactory) -> SynthesizedApp:
    """The app exactly as cdk.json configures it."""
    return synthesize(tmp_path_factory.mktemp("cdk-default"))


@pytest.fixture(scope="session")
def api_key_app(tmp_path_factory: pytest.TempPathFactory) -> SynthesizedApp:
    """API-key access, an extra target given by ARN, a tunable override, execution data in logs, an e-mail
    subscriber of the failure topic and API Gateway's account CloudWatch role."""
    return synthesize(
        tmp_path_factory.mktemp("cdk-api-key"),
        {
            "apiAuthorization": "API_KEY",
            "failureEmail": FAILURE_EMAIL,
            "createApiGatewayCloudWatchRole": True,
            "targets": {
                "example-processor": {"bundledFunction": "ExampleProcessor"},
                "billing": {"functionArn": EXTERNAL_TARGET_ARN},
            },
            "tunables": {"MaxReschedules": 5},
            "logExecutionData": True,
        },
    )


@pytest.fixture(scope="session")
def consent_app(default_app: SynthesizedApp) -> SynthesizedApp:
    """The ConsentDeletion stack of the default app (no synthesis of its own)."""
    return default_app.stack(CONSENT_DELETION_STACK_NAME)


@pytest.fixture(scope="session")
def consent_production_app(tmp_path_factory: pytest.TempPathFactory) -> SynthesizedApp:
    """The ConsentDeletion stack in the production configuration, with real-looking settings."""
    app = synthesize(tmp_path_factory.mktemp("cdk-consent-production"), consent_deletion=CONSENT_PRODUCTION)
    return app.stack(CONSENT_DELETION_STACK_NAME)


@pytest.fixture(scope="session")
def cognito_app(tmp_path_factory: pytest.TempPathFactory) -> SynthesizedApp:
    """Cognito user-pool authorization."""
    return synthesize(
        tmp_path_factory.mktemp("cdk-cognito"),
        {"apiAuthorization": "COGNITO", "cognitoUserPoolArn": COGNITO_USER_POOL_ARN},
    )
