"""Configuration from cdk.json context: defaults that work, and refusal of what cannot."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from tests.infra.cloud_assembly import cdk_json_context
from workflows.config import ApiAuthorization, AppConfig, documented_keys


def _config(**scheduled_requests: Any) -> AppConfig:
    context = {"scheduledRequests": scheduled_requests}
    return AppConfig.from_context(context.get)


def test_an_empty_context_gives_working_defaults() -> None:
    # Given no context at all / When the configuration is read
    config = AppConfig.from_context(lambda key: None)

    # Then the defaults are IAM, the bundled example processor and the catalog's tunables
    workflow = config.scheduled_requests
    assert workflow.api_authorization is ApiAuthorization.IAM
    assert workflow.default_target == "example-processor"
    assert workflow.targets["example-processor"].bundled_function == "ExampleProcessor"
    assert workflow.tunable_values()["MaxReschedules"] == 3
    assert config.account is None and config.region is None


def test_cdk_json_spells_out_the_defaults() -> None:
    # Given the configuration cdk.json gives and the one an empty context gives
    from_cdk_json = AppConfig.from_context(cdk_json_context().get)
    defaults = AppConfig.from_context(lambda key: None)

    # Then they agree: cdk.json documents the defaults rather than changing them
    assert from_cdk_json.model_dump(exclude={"scheduled_requests"}) == defaults.model_dump(
        exclude={"scheduled_requests"}
    )
    assert from_cdk_json.scheduled_requests.model_dump(exclude={"tunables"}) == (
        defaults.scheduled_requests.model_dump(exclude={"tunables"})
    )
    assert from_cdk_json.scheduled_requests.tunable_values() == defaults.scheduled_requests.tunable_values()


def test_object_keys_may_come_as_json_text_from_the_command_line() -> None:
    # Given `cdk -c scheduledRequests='{"apiAuthorization": "API_KEY"}'`
    context = {"scheduledRequests": json.dumps({"apiAuthorization": "API_KEY"}), "logRetentionDays": "90"}

    # When the configuration is read
    config = AppConfig.from_context(context.get)

    # Then the JSON text and the numeric text are understood
    assert config.scheduled_requests.api_authorization is ApiAuthorization.API_KEY
    assert config.log_retention_days == 90


@pytest.mark.parametrize(
    ("scheduled_requests", "message"),
    [
        ({"apiAuthorization": "COGNITO"}, "cognitoUserPoolArn"),
        ({"defaultTarget": "missing"}, "not a key of targets"),
        ({"targets": {"Bad Name": {"bundledFunction": "ExampleProcessor"}}}, "must match"),
        ({"targets": {"x": {}}, "defaultTarget": "x"}, "exactly one"),
        ({"targets": {"x": {"bundledFunction": "Nope"}}, "defaultTarget": "x"}, "not declared"),
        ({"targets": {"x": {"functionArn": "arn:aws:s3:::bucket"}}, "defaultTarget": "x"}, "pattern"),
        ({"tunables": {"MaxReschedules": 500}}, "<= 50"),
        ({"tunables": {"Unknown": 1}}, "unknown tunable"),
        ({"apiAuthorisation": "IAM"}, "Extra inputs"),
        ({"failureEmail": "oncall at example.com"}, "failureEmail"),
    ],
)
def test_inconsistent_configuration_is_refused(scheduled_requests: dict[str, Any], message: str) -> None:
    # Given a configuration that cannot work / When it is read / Then it is refused, saying why
    with pytest.raises(ValidationError, match=message):
        _config(**scheduled_requests)


def test_log_retention_must_be_a_value_cloudwatch_accepts() -> None:
    # Given 31 days, which CloudWatch Logs does not offer / When / Then it is refused
    with pytest.raises(ValidationError):
        AppConfig.from_context({"logRetentionDays": 31}.get)


def test_the_documented_list_covers_every_key_and_tunable() -> None:
    # Given the documented list
    keys = {key for key, _, meaning in documented_keys() if meaning}

    # Then it names every top-level key, every workflow key and every tunable, each with a meaning
    assert {"powertoolsLayerVersion", "logRetentionDays", "scheduledRequests.apiAuthorization"} <= keys
    assert "scheduledRequests.tunables.MaxReschedules" in keys
    assert len(keys) == len(list(documented_keys()))


def test_every_accepted_retention_maps_to_a_cdk_retention() -> None:
    # Given the retentions the configuration accepts and those the stack can express
    from workflows import names
    from workflows.config import LOG_RETENTION_DAYS

    # Then they are the same set
    assert set(names.LOG_RETENTION) == set(LOG_RETENTION_DAYS)
