"""The front door's configuration, read from its environment variables."""

from __future__ import annotations

import json
from typing import Any

from pydantic import Field, field_validator, model_validator

from functions.common.settings import EnvironmentSettings

# A Standard execution lives at most one year; retries and reschedules need room after triggerAt.
LONGEST_HORIZON_DAYS = 365


class FrontDoorSettings(EnvironmentSettings):
    """Environment of the front-door Lambda function."""

    state_machine_arn: str = Field(
        alias="STATE_MACHINE_ARN", pattern=r"^arn:[\w-]+:states:.+:stateMachine:.+$"
    )
    target_functions: dict[str, str] = Field(
        alias="TARGET_FUNCTIONS", description="JSON object: target name -> Lambda function ARN"
    )
    default_target: str = Field("example-processor", alias="DEFAULT_TARGET")
    clock_skew_seconds: int = Field(30, alias="CLOCK_SKEW_SECONDS", ge=0, le=3600)
    max_horizon_days: int = Field(364, alias="MAX_HORIZON_DAYS", ge=1, le=LONGEST_HORIZON_DAYS)
    # boto3's own variable for this service is AWS_ENDPOINT_URL_SFN (its service id is "SFN"); this
    # project's name for it is read here and handed to the client explicitly.
    stepfunctions_endpoint_url: str | None = Field(None, alias="AWS_ENDPOINT_URL_STEPFUNCTIONS")

    @field_validator("target_functions", mode="before")
    @classmethod
    def _parse_registry(cls, value: Any) -> Any:
        return json.loads(value) if isinstance(value, str) else value

    @model_validator(mode="after")
    def _default_target_is_registered(self) -> FrontDoorSettings:
        if self.default_target not in self.target_functions:
            raise ValueError(f"DEFAULT_TARGET {self.default_target!r} is not a key of TARGET_FUNCTIONS")
        return self
