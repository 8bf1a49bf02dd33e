"""AWS's bounds on time: a Standard execution's one-year maximum duration and the Wait state's range."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from local.engine import ApiError, Engine

from .conftest import ROLE_ARN, START, Starter, history_types

ONE_YEAR = timedelta(days=365)


def test_a_standard_execution_times_out_at_its_one_year_maximum_duration(
    virtual_engine: Engine, start: Starter
) -> None:
    # Given a Standard execution without TimeoutSeconds that waits about three years
    definition = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 99999999, "End": True}}}
    arn = start(virtual_engine, definition)
    # When the virtual clock reaches one second short of a year; Then it still runs
    virtual_engine.advance(ONE_YEAR.total_seconds() - 1)
    assert virtual_engine.describe_execution(arn)["status"] == "RUNNING"
    # When it reaches the year; Then AWS's maximum duration stops it as a timeout
    virtual_engine.advance(1)
    described = virtual_engine.describe_execution(arn)
    assert described["status"] == "TIMED_OUT"
    assert "error" not in described and "cause" not in described
    assert described["stopDate"] == START + ONE_YEAR
    assert history_types(virtual_engine, arn) == ["ExecutionStarted", "WaitStateEntered", "ExecutionTimedOut"]
    timed_out = virtual_engine.get_execution_history(arn)["events"][-1]
    assert timed_out["previousEventId"] == 0
    assert timed_out["executionTimedOutEventDetails"] == {"error": "States.Timeout"}
    assert timed_out["timestamp"] == START + ONE_YEAR


def test_a_shorter_timeout_seconds_still_wins_over_the_maximum_duration(
    skip_engine: Engine, start: Starter
) -> None:
    # Given TimeoutSeconds of two days and a Wait far beyond the year
    definition = {
        "TimeoutSeconds": 172800,
        "StartAt": "W",
        "States": {"W": {"Type": "Wait", "Timestamp": "2999-01-01T00:00:00Z", "End": True}},
    }
    arn = start(skip_engine, definition)
    # When run on a skip clock; Then it timed out after the two days
    skip_engine.run_until_idle()
    assert skip_engine.describe_execution(arn)["stopDate"] == START + timedelta(days=2)


def test_wait_seconds_above_the_documented_range_are_refused_at_create(engine_for_validation: Engine) -> None:
    # Given Waits of 99999999 seconds (the documented maximum) and of one second more
    def definition(seconds: int) -> str:
        return json.dumps(
            {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": seconds, "End": True}}}
        )

    # When created; Then the first is accepted and the second refused at its Seconds field
    engine_for_validation.create_state_machine(
        name="Longest", definition=definition(99999999), role_arn=ROLE_ARN
    )
    with pytest.raises(ApiError) as raised:
        engine_for_validation.create_state_machine(
            name="TooLong", definition=definition(100000000), role_arn=ROLE_ARN
        )
    assert "The field 'Seconds' must be at most 99999999 at /States/W/Seconds" in raised.value.message


def test_a_jsonata_seconds_above_the_range_fails_the_wait(skip_engine: Engine, start: Starter) -> None:
    # Given a JSONata Wait whose Seconds expression yields one more than the documented maximum
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "W",
        "States": {"W": {"Type": "Wait", "Seconds": "{% 99999999 + 1 %}", "End": True}},
    }
    arn = start(skip_engine, definition)
    skip_engine.run_until_idle()
    # Then the Wait fails with an EvaluationFailed event at its Seconds field, before any waiting
    events = skip_engine.get_execution_history(arn)["events"]
    assert history_types(skip_engine, arn) == [
        "ExecutionStarted",
        "WaitStateEntered",
        "EvaluationFailed",
        "ExecutionFailed",
    ]
    details = events[2]["evaluationFailedEventDetails"]
    assert (details["error"], details["location"], details["state"]) == (
        "States.QueryEvaluationError",
        "Seconds",
        "W",
    )
    assert skip_engine.now() == START


@pytest.mark.parametrize(
    "wait",
    [{"Timestamp": "9999-12-31T23:59:59Z"}, {"TimestampPath": "$.at"}, {"SecondsPath": "$.seconds"}],
    ids=["timestamp", "timestamp-path", "seconds-path"],
)
def test_a_wait_beyond_the_year_ends_with_the_execution_at_one_year(
    skip_engine: Engine, start: Starter, wait: dict[str, str]
) -> None:
    # Given a Wait until far past the execution's one-year maximum duration
    definition = {"StartAt": "W", "States": {"W": {"Type": "Wait", **wait, "End": True}}}
    arn = start(skip_engine, definition, {"at": "3000-01-01T00:00:00Z", "seconds": 10 * 365 * 86400})
    # When run on a skip clock; Then the execution timed out at one year, still in the Wait
    skip_engine.run_until_idle()
    described = skip_engine.describe_execution(arn)
    assert (described["status"], described["stopDate"]) == ("TIMED_OUT", START + ONE_YEAR)
    assert history_types(skip_engine, arn) == ["ExecutionStarted", "WaitStateEntered", "ExecutionTimedOut"]


def test_an_express_execution_times_out_at_five_minutes(virtual_engine: Engine) -> None:
    # Given an Express state machine that waits ten minutes
    definition = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 600, "End": True}}}
    machine = virtual_engine.create_state_machine(
        name="Quick", definition=json.dumps(definition), role_arn=ROLE_ARN, type="EXPRESS"
    )
    # When run synchronously; Then it ends TIMED_OUT at the Express maximum of five minutes
    result = virtual_engine.start_sync_execution(machine["stateMachineArn"], input="{}")
    assert result["status"] == "TIMED_OUT"
    assert result["stopDate"] == START + timedelta(minutes=5)
