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

from catalog import SCHEDULED_REQUEST

DEFAULT_POWERTOOLS_LAYER_VERSION = 27
TARGET_NAME_PATTERN = r"^[a-z0-9][a-z0-9-]{0,62}$"
LAMBDA_FUNCTION_ARN_PATTERN = (
    r"^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9_$-]{1,128})?$"
)

LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 180, 365, 731, 1827, 3653)


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
        if name == "scheduled_requests":
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


if __name__ == "__main__":
    for key, default, meaning in documented_keys():
        print(f"| `{key}` | `{default}` | {meaning} |")
