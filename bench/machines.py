"""The state machines the benchmarks run, built in code so their size is explicit."""

from __future__ import annotations

import json
from typing import Any

ROLE_ARN = "arn:aws:iam::123456789012:role/bench"
PASS_CHOICE_PAIRS = 10
THREE_DAYS_SECONDS = 3 * 24 * 3600
POLL_INTERVAL_SECONDS = 300


def pass_choice_machine() -> str:
    """22 states: Start, ten Step (Pass) / Route (Choice) pairs, Done. Input `{"n": 10}` visits all 22."""
    states: dict[str, Any] = {
        "Start": {"Type": "Pass", "Parameters": {"n.$": "$.n", "k": 0}, "Next": "Step1"},
    }
    for k in range(1, PASS_CHOICE_PAIRS + 1):
        following = f"Step{k + 1}" if k < PASS_CHOICE_PAIRS else "Done"
        states[f"Step{k}"] = {
            "Type": "Pass",
            "Parameters": {"n.$": "$.n", "k": k, "previous.$": "$.k"},
            "Next": f"Route{k}",
        }
        states[f"Route{k}"] = {
            "Type": "Choice",
            "Choices": [{"Variable": "$.n", "NumericGreaterThanEquals": k, "Next": following}],
            "Default": "Done",
        }
    states["Done"] = {"Type": "Succeed"}
    return json.dumps({"StartAt": "Start", "States": states})


PASS_CHOICE_INPUT = json.dumps({"n": PASS_CHOICE_PAIRS})
PASS_CHOICE_STATES_VISITED = 2 + 2 * PASS_CHOICE_PAIRS


PASS_CHAIN_LENGTH = 150


def pass_chain_machine() -> str:
    """152 states: 150 Pass states, each shaping its input (`Parameters`) into `$.last` (`ResultPath`),
    then a Choice and a Succeed. Input `{"n": 150}` visits all 152."""
    states: dict[str, Any] = {}
    for k in range(1, PASS_CHAIN_LENGTH + 1):
        states[f"Step{k}"] = {
            "Type": "Pass",
            "Parameters": {"step": k, "n.$": "$.n"},
            "ResultPath": "$.last",
            "Next": f"Step{k + 1}" if k < PASS_CHAIN_LENGTH else "Route",
        }
    states["Route"] = {
        "Type": "Choice",
        "Choices": [{"Variable": "$.last.step", "NumericEquals": PASS_CHAIN_LENGTH, "Next": "Done"}],
        "Default": "Done",
    }
    states["Done"] = {"Type": "Succeed"}
    return json.dumps({"StartAt": "Step1", "States": states})


PASS_CHAIN_INPUT = json.dumps({"n": PASS_CHAIN_LENGTH})
PASS_CHAIN_STATES_VISITED = PASS_CHAIN_LENGTH + 2


def wait_seconds_machine(seconds: int) -> str:
    """A single Wait of `seconds`, then success."""
    return json.dumps(
        {
            "StartAt": "WaitForTimer",
            "States": {
                "WaitForTimer": {"Type": "Wait", "Seconds": seconds, "Next": "Done"},
                "Done": {"Type": "Succeed"},
            },
        }
    )


def wait_until_machine() -> str:
    """Waits until the input's `dueAt` timestamp, then succeeds."""
    return json.dumps(
        {
            "StartAt": "WaitUntilDue",
            "States": {
                "WaitUntilDue": {"Type": "Wait", "TimestampPath": "$.dueAt", "Next": "Done"},
                "Done": {"Type": "Succeed"},
            },
        }
    )


def polling_loop_machine() -> str:
    """Polls every five minutes for three days: Wait -> count -> Choice, 864 rounds."""
    rounds = THREE_DAYS_SECONDS // POLL_INTERVAL_SECONDS
    return json.dumps(
        {
            "StartAt": "Init",
            "States": {
                "Init": {"Type": "Pass", "Result": {"polls": 0}, "Next": "WaitBeforePoll"},
                "WaitBeforePoll": {"Type": "Wait", "Seconds": POLL_INTERVAL_SECONDS, "Next": "Poll"},
                "Poll": {
                    "Type": "Pass",
                    "Parameters": {"polls.$": "States.MathAdd($.polls, 1)"},
                    "Next": "GiveUpAfterThreeDays",
                },
                "GiveUpAfterThreeDays": {
                    "Type": "Choice",
                    "Choices": [{"Variable": "$.polls", "NumericLessThan": rounds, "Next": "WaitBeforePoll"}],
                    "Default": "Done",
                },
                "Done": {"Type": "Succeed"},
            },
        }
    )


TIMER_FIRED_FUNCTION = "timer-fired"


def wait_until_then_call_machine() -> str:
    """Waits until the input's `dueAt` timestamp, calls the `timer-fired` Lambda function, then succeeds."""
    return json.dumps(
        {
            "StartAt": "WaitUntilDue",
            "States": {
                "WaitUntilDue": {"Type": "Wait", "TimestampPath": "$.dueAt", "Next": "TimerFired"},
                "TimerFired": {
                    "Type": "Task",
                    "Resource": f"arn:aws:lambda:us-east-1:123456789012:function:{TIMER_FIRED_FUNCTION}",
                    "Next": "Done",
                },
                "Done": {"Type": "Succeed"},
            },
        }
    )
