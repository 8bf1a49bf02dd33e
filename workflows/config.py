"""Configuration of the CDK app, read from cdk.json context (or ``cdk -c key=value``) into Pydantic models.

Every key has a default, so an empty context synthesizes a working app. ``python -m workflows.config``
prints the documented list of keys, including the tunables the state machine catalog declares.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.alias_generators import to_camel

from catalog import CONSENT_DELETION, SCHEDULED_REQUEST

DEFAULT_POWERTOOLS_LAYER_VERSION = 27
TARGET_NAME_PATTERN = r"^[a-z0-9][a-z0-9-]{0,62}$"
LAMBDA_FUNCTION_ARN_PATTERN = (
    r"^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9_$-]{1,128})?$"
)

LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 180, 365, 731, 1827, 3653)
EMAIL_ADDRESS_PATTERN = r"^[^@\s,<>]+@[^@\s,<>]+\.[^@\s,<>]+$"
# The defaults of the consent-deletion settings synthesize a working template but point nowhere real;
# a production configuration must replace every one of them.
PLACEHOLDER_DOMAIN = "example.com"


class ApiAuthorization(StrEnum):
    """How callers of the Schedule API authenticate."""

    IAM = "IAM"
    API_KEY = "API_KEY"
    COGNITO = "COGNITO"


class _ContextModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True)


class TargetConfig(_ContextModel):
    """One entry of the target registry: a function bundled with the workflow, or an existing one."""

    bundled_function: str | None = Field(
        default=None, description="Logical id of a function the catalog declares, e.g. ExampleProcessor."
    )
    function_arn: str | None = Field(
        default=None, pattern=LAMBDA_FUNCTION_ARN_PATTERN, description="ARN of an existing Lambda function."
    )

    @model_validator(mode="after")
    def _exactly_one_source(self) -> TargetConfig:
        if (self.bundled_function is None) == (self.function_arn is None):
            raise ValueError("a target names exactly one of bundledFunction or functionArn")
        return self


def _bundled_targets() -> dict[str, TargetConfig]:
    registry = SCHEDULED_REQUEST.targets
    assert registry is not None, "the ScheduledRequest catalog entry declares its targets"
    return {name: TargetConfig(bundled_function=logical_id) for name, logical_id in registry.bundled.items()}


def _bundled_default_target() -> str:
    registry = SCHEDULED_REQUEST.targets
    assert registry is not None, "the ScheduledRequest catalog entry declares its targets"
    return registry.default


class ScheduledRequestsConfig(_ContextModel):
    """The scheduled-requests workflow (context key ``scheduledRequests``)."""

    stack_name: str = Field(default="ScheduledRequests", description="CloudFormation stack name.")
    api_authorization: ApiAuthorization = Field(
        default=ApiAuthorization.IAM,
        description="IAM (SigV4-signed calls), API_KEY (x-api-key header, usage plan) or COGNITO.",
    )
    cognito_user_pool_arn: str | None = Field(
        default=None,
        pattern=r"^arn:aws[a-z-]*:cognito-idp:[a-z0-9-]+:\d{12}:userpool/[\w-]+$",
        description="User pool whose tokens the API accepts; required when apiAuthorization is COGNITO.",
    )
    api_stage_name: str = Field(default="v1", pattern=r"^[A-Za-z0-9_]{1,64}$", description="API stage name.")
    throttling_rate_limit: float = Field(default=50, gt=0, description="Steady-state requests per second.")
    throttling_burst_limit: int = Field(default=100, ge=1, description="Burst of requests above the rate.")
    web_acl_arn: str | None = Field(
        default=None,
        pattern=r"^arn:aws[a-z-]*:wafv2:[a-z0-9-]+:\d{12}:regional/webacl/.+$",
        description="Regional WAFv2 web ACL to associate with the API stage (none by default).",
    )
    targets: dict[str, TargetConfig] = Field(
        default_factory=_bundled_targets,
        description="Target registry: name -> {bundledFunction} or {functionArn}. "
        "The state machine may invoke exactly these functions.",
    )
    default_target: str = Field(
        default_factory=_bundled_default_target, description="Target used when a request names none."
    )
    tunables: dict[str, int | str] = Field(
        default_factory=dict, description="Overrides of the catalog's tunables, by name (see below)."
    )
    log_execution_data: bool = Field(
        default=False,
        description="Include execution input/output in the state machine's logs (may hold payload data).",
    )
    failure_email: str | None = Field(
        default=None,
        pattern=EMAIL_ADDRESS_PATTERN,
        description="E-mail address subscribed to the failure topic: requests that gave up, and the "
        "workflow's alarms (none by default).",
    )
    create_api_gateway_cloud_watch_role: bool = Field(
        default=False,
        description="Create API Gateway's account-wide CloudWatch Logs role (AWS::ApiGateway::Account), "
        "which the API's access logs need; leave off where the account already has one (one per region).",
    )

    @model_validator(mode="after")
    def _consistent(self) -> ScheduledRequestsConfig:
        for name, target in self.targets.items():
            if not re.fullmatch(TARGET_NAME_PATTERN, name):
                raise ValueError(f"target name {name!r} must match {TARGET_NAME_PATTERN}")
            if target.bundled_function is not None:
                SCHEDULED_REQUEST.function(target.bundled_function)
        if self.default_target not in self.targets:
            raise ValueError(f"defaultTarget {self.default_target!r} is not a key of targets")
        if self.api_authorization is ApiAuthorization.COGNITO and self.cognito_user_pool_arn is None:
            raise ValueError("apiAuthorization COGNITO needs cognitoUserPoolArn")
        SCHEDULED_REQUEST.tunable_values(self.tunables)
        return self

    def tunable_values(self) -> dict[str, int | str]:
        """Every tunable of the ScheduledRequest catalog entry: its default or the configured override."""
        return SCHEDULED_REQUEST.tunable_values(self.tunables)


class ConsentDeletionConfig(_ContextModel):
    """The consent-deletion workflow (context key ``consentDeletion``)."""

    stack_name: str = Field(default="ConsentDeletion", description="CloudFormation stack name.")
    production: bool = Field(
        default=False,
        description="Production safeguards: deletion protection and RETAIN on the ledger database and the "
        "Customers table, a Multi-AZ database; refuses the example.com placeholder settings.",
    )
    vendor_base_url: str = Field(
        default=f"https://vendor.{PLACEHOLDER_DOMAIN}/v1",
        pattern=r"^https://[^\s/]+(/\S*)?$",
        description="Base URL of the vendor's deletion API (HTTPS: the API key travels in a header).",
    )
    alert_recipients: list[str] = Field(
        default_factory=lambda: [f"technical-contact@{PLACEHOLDER_DOMAIN}"],
        min_length=1,
        max_length=50,
        description="E-mail addresses of the technical contacts who receive deletion alerts.",
    )
    alert_sender: str = Field(
        default=f"consent-deletion@{PLACEHOLDER_DOMAIN}",
        pattern=EMAIL_ADDRESS_PATTERN,
        description="From-address of alert e-mails; it must belong to sesIdentity.",
    )
    ses_identity: str | None = Field(
        default=None,
        pattern=r"^[^@\s]+(@[^@\s]+)?$",
        description="Verified SES identity (domain or address) the mailer may send from; "
        "default: the domain of alertSender.",
    )
    alarm_recipients: list[str] | None = Field(
        default=None,
        max_length=50,
        description="E-mail addresses subscribed to the alarms (operations topic); default: alertRecipients.",
    )
    vpc_cidr: str = Field(
        default="10.42.0.0/16",
        pattern=r"^\d{1,3}(\.\d{1,3}){3}/(1[6-9]|2[0-4])$",
        description="Address range of the ledger's VPC (isolated subnets only).",
    )
    ledger_instance_type: str = Field(
        default="t4g.micro",
        pattern=r"^[a-z0-9]+\.[a-z0-9]+$",
        description="RDS instance class of the ledger database, without the db. prefix.",
    )
    ledger_allocated_storage_gib: int = Field(
        default=20, ge=20, le=1_000, description="Storage of the ledger database (it grows up to 5x)."
    )
    ledger_backup_retention_days: int = Field(
        default=7, ge=1, le=35, description="Days of automated backups (point-in-time restore) of the ledger."
    )
    dependencies_layer_directory: str = Field(
        default="build/layers/consent-deletion",
        description="Directory (relative to the repository) holding the built dependencies layer: python/ "
        "and rds-ca/ (built by make deploy).",
    )
    tunables: dict[str, int | str] = Field(
        default_factory=dict, description="Overrides of the catalog's tunables, by name (see below)."
    )
    log_execution_data: bool = Field(
        default=False,
        description="Include execution input/output in the state machine's logs (holds customer ids).",
    )

    @field_validator("alert_recipients", "alarm_recipients")
    @classmethod
    def _addresses(cls, addresses: list[str] | None) -> list[str] | None:
        invalid = [address for address in addresses or [] if not re.fullmatch(EMAIL_ADDRESS_PATTERN, address)]
        if invalid:
            raise ValueError(f"not e-mail addresses: {invalid}")
        return addresses

    @model_validator(mode="after")
    def _consistent(self) -> ConsentDeletionConfig:
        CONSENT_DELETION.tunable_values(self.tunables)
        identity = self.sender_identity
        if self.alert_sender != identity and not self.alert_sender.endswith(f"@{identity}"):
            raise ValueError(f"alertSender {self.alert_sender!r} does not belong to sesIdentity {identity!r}")
        if self.production and (placeholders := self._placeholders()):
            raise ValueError(f"production needs real values for {', '.join(placeholders)}")
        return self

    def _placeholders(self) -> list[str]:
        values = {
            "vendorBaseUrl": [self.vendor_base_url],
            "alertRecipients": self.alert_recipients,
            "alertSender": [self.alert_sender],
            "alarmRecipients": self.alarm_recipients or [],
        }
        return [
            key
            for key, texts in values.items()
            if any(re.search(rf"[@.]{re.escape(PLACEHOLDER_DOMAIN)}(/|$)", text) for text in texts)
        ]

    @property
    def sender_identity(self) -> str:
        """The SES identity the mailer sends from: ``sesIdentity`` or the sender's domain."""
        return self.ses_identity or self.alert_sender.rpartition("@")[2]

    @property
    def alarm_subscribers(self) -> list[str]:
        """Who receives the alarms: ``alarmRecipients``, or the technical contacts."""
        return self.alarm_recipients if self.alarm_recipients is not None else self.alert_recipients

    def tunable_values(self) -> dict[str, int | str]:
        """Every tunable of the ConsentDeletion catalog entry: its default or the configured override."""
        return CONSENT_DELETION.tunable_values(self.tunables)

    def setting_values(self) -> dict[str, str]:
        """The value of every setting the ConsentDeletion catalog entry declares."""
        return {
            "VendorBaseUrl": self.vendor_base_url,
            "AlertRecipients": ",".join(self.alert_recipients),
            "AlertSender": self.alert_sender,
        }


class AppConfig(_ContextModel):
    """The whole app. Each field is one top-level context key (its camelCase alias)."""

    account: str | None = Field(
        default=None,
        pattern=r"^\d{12}$",
        description="Deploy to this account. Unset: environment-agnostic (the CLI's credentials decide).",
    )
    region: str | None = Field(
        default=None, pattern=r"^[a-z]{2}(-[a-z]+)+-\d$", description="Deploy to this region (see account)."
    )
    powertools_layer_version: int = Field(
        default=DEFAULT_POWERTOOLS_LAYER_VERSION,
        ge=1,
        description="Version of the AWS-managed Powertools for AWS Lambda (Python) v3 layer.",
    )
    log_retention_days: int = Field(
        default=30,
        description=f"Retention of every log group, one of {', '.join(map(str, LOG_RETENTION_DAYS))}.",
    )
    scheduled_requests: ScheduledRequestsConfig = Field(
        default_factory=ScheduledRequestsConfig, description="The scheduled-requests workflow (object)."
    )
    consent_deletion: ConsentDeletionConfig = Field(
        default_factory=ConsentDeletionConfig, description="The consent-deletion workflow (object)."
    )

    @field_validator("log_retention_days")
    @classmethod
    def _retention_cloudwatch_offers(cls, days: int) -> int:
        if days not in LOG_RETENTION_DAYS:
            raise ValueError(f"logRetentionDays must be one of {LOG_RETENTION_DAYS}")
        return days

    @classmethod
    def from_context(cls, read_context: Callable[[str], Any]) -> AppConfig:
        """Build the configuration from a context reader such as ``app.node.try_get_context``.

        Object-valued keys may come as JSON text, which is what ``cdk -c key='{...}'`` passes.
        """
        values: dict[str, Any] = {}
        for field_name, field in cls.model_fields.items():
            alias = field.alias or field_name
            value = read_context(alias)
            if value is None:
                continue
            if isinstance(value, str) and value.lstrip().startswith("{"):
                value = json.loads(value)
            values[alias] = value
        return cls.model_validate(values)


def documented_keys() -> Iterator[tuple[str, str, str]]:
    """(context key, default, meaning) for every configuration key, tunables included."""
    for name, field in AppConfig.model_fields.items():
        if name in ("scheduled_requests", "consent_deletion"):
            continue
        yield (
            field.alias or name,
            json.dumps(field.get_default(call_default_factory=True)),
            field.description or "",
        )
    for name, field in ScheduledRequestsConfig.model_fields.items():
        default = field.get_default(call_default_factory=True)
        if isinstance(default, BaseModel | dict):
            default = json.loads(
                json.dumps(default, default=lambda model: model.model_dump(by_alias=True, exclude_none=True))
            )
        yield f"scheduledRequests.{field.alias or name}", json.dumps(default), field.description or ""
    for tunable in SCHEDULED_REQUEST.tunables:
        yield f"scheduledRequests.tunables.{tunable.name}", json.dumps(tunable.default), tunable.description
    for name, field in ConsentDeletionConfig.model_fields.items():
        default = field.get_default(call_default_factory=True)
        yield f"consentDeletion.{field.alias or name}", json.dumps(default), field.description or ""
    for tunable in CONSENT_DELETION.tunables:
        yield f"consentDeletion.tunables.{tunable.name}", json.dumps(tunable.default), tunable.description


if __name__ == "__main__":
    for key, default, meaning in documented_keys():
        print(f"| `{key}` | `{default}` | {meaning} |")
