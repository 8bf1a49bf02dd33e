"""The front door's environment: defaults, and loud failures naming the variable."""

from __future__ import annotations

import json

import pytest

from functions.common.settings import SettingsError
from functions.scheduled_requests.front_door.settings import FrontDoorSettings

MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:ScheduledRequest"
REGISTRY = json.dumps({"example-processor": "arn:aws:lambda:us-east-1:123456789012:function:p"})


def test_defaults_apply_when_only_the_required_variables_are_set() -> None:
    # Given only the state machine and the registry
    settings = FrontDoorSettings.from_environ({"STATE_MACHINE_ARN": MACHINE, "TARGET_FUNCTIONS": REGISTRY})

    # Then the documented defaults apply
    assert (settings.default_target, settings.clock_skew_seconds, settings.max_horizon_days) == (
        "example-processor",
        30,
        364,
    )
    assert settings.target_functions == json.loads(REGISTRY)


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"TARGET_FUNCTIONS": REGISTRY}, "STATE_MACHINE_ARN"),
        ({"STATE_MACHINE_ARN": MACHINE}, "TARGET_FUNCTIONS"),
        ({"STATE_MACHINE_ARN": MACHINE, "TARGET_FUNCTIONS": "{not json"}, "TARGET_FUNCTIONS"),
        ({"STATE_MACHINE_ARN": "arn:aws:lambda:x", "TARGET_FUNCTIONS": REGISTRY}, "STATE_MACHINE_ARN"),
        (
            {"STATE_MACHINE_ARN": MACHINE, "TARGET_FUNCTIONS": REGISTRY, "MAX_HORIZON_DAYS": "366"},
            "MAX_HORIZON_DAYS",
        ),
        (
            {"STATE_MACHINE_ARN": MACHINE, "TARGET_FUNCTIONS": REGISTRY, "CLOCK_SKEW_SECONDS": "-1"},
            "CLOCK_SKEW_SECONDS",
        ),
        (
            {"STATE_MACHINE_ARN": MACHINE, "TARGET_FUNCTIONS": REGISTRY, "DEFAULT_TARGET": "other"},
            "DEFAULT_TARGET",
        ),
    ],
)
def test_a_bad_environment_fails_naming_the_variable(environ: dict[str, str], named: str) -> None:
    # When the environment is missing or malformed / Then loading fails and names the variable
    with pytest.raises(SettingsError, match=named):
        FrontDoorSettings.from_environ(environ)
