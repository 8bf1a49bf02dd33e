"""State semantics beyond the corpus: Map limits and tolerance, Parallel failure, variables, JSONata."""

from __future__ import annotations

from typing import Any

import pytest

from local.engine import ApiError, Engine

from .conftest import Starter, history_types, output_of


def _map(**fields: Any) -> dict[str, Any]:
    processor = fields.pop(
        "processor",
        {
            "StartAt": "Check",
            "States": {
                "Check": {
                    "Type": "Choice",
                    "Choices": [{"Variable": "$", "NumericEquals": 2, "Next": "Bad"}],
                    "Default": "Ok",
                },
                "Bad": {"Type": "Fail", "Error": "Two", "Cause": "two is bad"},
                "Ok": {"Type": "Pass", "End": True},
            },
        },
    )
    return {
        "StartAt": "M",
        "States": {"M": {"Type": "Map", "ItemProcessor": processor, "End": True, **fields}},
    }


def test_map_tolerates_failures_up_to_the_count(skip_engine: Engine, start: Starter) -> None:
    # Given one failing item and ToleratedFailureCount 1
    arn = start(skip_engine, _map(ToleratedFailureCount=1), [1, 2, 3])
    skip_engine.run_until_idle()
    # Then the Map succeeds and reports the failed item's error in its place
    assert output_of(skip_engine, arn) == [1, {"Error": "Two", "Cause": "two is bad"}, 3]


def test_map_fails_when_tolerance_is_exceeded(skip_engine: Engine, start: Starter) -> None:
    # Given two failing items and a 30 % tolerance
    arn = start(skip_engine, _map(ToleratedFailurePercentage=30), [2, 2, 3])
    skip_engine.run_until_idle()
    # Then the Map fails with the threshold error
    assert skip_engine.describe_execution(arn)["error"] == "States.ExceedToleratedFailureThreshold"


def test_map_without_tolerance_fails_with_the_iteration_error(skip_engine: Engine, start: Starter) -> None:
    # Given a failing item and MaxConcurrency 1
    arn = start(skip_engine, _map(MaxConcurrency=1), [1, 2, 3])
    skip_engine.run_until_idle()
    # Then the execution fails with the iteration's error and later items never start
    described = skip_engine.describe_execution(arn)
    assert (described["error"], described["cause"]) == ("Two", "two is bad")
    assert history_types(skip_engine, arn).count("MapIterationStarted") == 2


def test_map_concurrency_limits_iterations_in_flight(virtual_engine: Engine, start: Starter) -> None:
    # Given five items that each wait 10 s, two at a time
    processor = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 10, "End": True}}}
    arn = start(virtual_engine, _map(MaxConcurrency=2, processor=processor), [1, 2, 3, 4, 5])
    # When 10 s pass; Then exactly two iterations have finished
    virtual_engine.advance(10)
    assert history_types(virtual_engine, arn).count("MapIterationSucceeded") == 2
    # When 20 s more pass; Then all five have finished
    virtual_engine.advance(20)
    assert output_of(virtual_engine, arn) == [1, 2, 3, 4, 5]


def test_parallel_failure_is_caught_with_the_branch_error(skip_engine: Engine, start: Starter) -> None:
    # Given a Parallel whose second branch fails, with a Catch
    definition = {
        "StartAt": "Both",
        "States": {
            "Both": {
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}},
                    {"StartAt": "B", "States": {"B": {"Type": "Fail", "Error": "Broken", "Cause": "b"}}},
                ],
                "Catch": [{"ErrorEquals": ["Broken"], "ResultPath": "$.error", "Next": "Done"}],
                "Next": "Done",
            },
            "Done": {"Type": "Pass", "End": True},
        },
    }
    arn = start(skip_engine, definition, {"id": 1})
    skip_engine.run_until_idle()
    # Then the catcher merged the error into the input and the failure events were recorded
    assert output_of(skip_engine, arn) == {"id": 1, "error": {"Error": "Broken", "Cause": "b"}}
    parallel_events = [t for t in history_types(skip_engine, arn) if t.startswith("ParallelState")]
    assert parallel_events == [
        "ParallelStateEntered",
        "ParallelStateStarted",
        "ParallelStateFailed",
        "ParallelStateExited",
    ]


def test_inner_scopes_read_outer_variables_but_do_not_leak_assignments(
    skip_engine: Engine, start: Starter
) -> None:
    # Given an outer variable read and shadowed inside Map iterations
    definition = {
        "StartAt": "Set",
        "States": {
            "Set": {"Type": "Pass", "Assign": {"factor": 10, "label": "outer"}, "Next": "M"},
            "M": {
                "Type": "Map",
                "ItemProcessor": {
                    "StartAt": "Times",
                    "States": {
                        "Times": {
                            "Type": "Pass",
                            "Parameters": {"value.$": "States.MathAdd($, $factor)"},
                            "Assign": {"label": "inner"},
                            "End": True,
                        }
                    },
                },
                "Next": "Read",
            },
            "Read": {"Type": "Pass", "Parameters": {"label.$": "$label", "results.$": "$"}, "End": True},
        },
    }
    arn = start(skip_engine, definition, [1, 2])
    skip_engine.run_until_idle()
    # Then iterations saw the outer value and the outer label is unchanged afterwards
    assert output_of(skip_engine, arn) == {"label": "outer", "results": [{"value": 11}, {"value": 12}]}


def test_assign_and_output_see_the_values_from_before_the_state(skip_engine: Engine, start: Starter) -> None:
    # Given a JSONata state that reassigns x and outputs x in the same state
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "One",
        "States": {
            "One": {"Type": "Pass", "Assign": {"x": 1}, "Next": "Two"},
            "Two": {
                "Type": "Pass",
                "Assign": {"x": "{% $x + 1 %}", "old": "{% $x %}"},
                "Output": "{% $x %}",
                "Next": "Three",
            },
            "Three": {
                "Type": "Pass",
                "Output": {"x": "{% $x %}", "old": "{% $old %}", "previous": "{% $states.input %}"},
                "End": True,
            },
        },
    }
    arn = start(skip_engine, definition)
    skip_engine.run_until_idle()
    # Then the state's own Output and Assign used x == 1 and the next state sees x == 2
    assert output_of(skip_engine, arn) == {"x": 2, "old": 1, "previous": 1}


def test_jsonata_choice_requires_a_boolean_condition(skip_engine: Engine, start: Starter) -> None:
    # Given a Condition that returns a string
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "C",
        "States": {
            "C": {"Type": "Choice", "Choices": [{"Condition": "{% 'yes' %}", "Next": "D"}], "Default": "D"},
            "D": {"Type": "Succeed"},
        },
    }
    arn = start(skip_engine, definition)
    skip_engine.run_until_idle()
    # Then the execution fails with States.QueryEvaluationError naming the field
    described = skip_engine.describe_execution(arn)
    assert described["error"] == "States.QueryEvaluationError"
    assert "specified for the field 'Condition' returned an unexpected result type" in described["cause"]
    assert "EvaluationFailed" in history_types(skip_engine, arn)


def test_aws_jsonata_functions_are_available(skip_engine: Engine, start: Starter) -> None:
    # Given the functions Step Functions adds to JSONata
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "F",
        "States": {
            "F": {
                "Type": "Pass",
                "Output": {
                    "partition": "{% $partition([1, 2, 3], 2) %}",
                    "range": "{% $range(0, 6, 3) %}",
                    "hash": "{% $hash('abc', 'SHA-256') %}",
                    "parse": "{% $parse('{\"a\": [1]}') %}",
                    "uuid": "{% $length($uuid()) %}",
                    "random": "{% $random() < 1 %}",
                },
                "End": True,
            }
        },
    }
    arn = start(skip_engine, definition)
    skip_engine.run_until_idle()
    # Then each returns what AWS documents
    assert output_of(skip_engine, arn) == {
        "partition": [[1, 2], [3]],
        "range": [0, 3, 6],
        "hash": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        "parse": {"a": [1]},
        "uuid": 36,
        "random": True,
    }


def test_output_larger_than_256_kib_fails_the_state(skip_engine: Engine, start: Starter) -> None:
    # Given a Pass state doubling a 150 KB input; When run; Then States.DataLimitExceeded
    template = {"first.$": "$.text", "second.$": "$.text"}
    definition = {"StartAt": "Big", "States": {"Big": {"Type": "Pass", "Parameters": template, "End": True}}}
    arn = start(skip_engine, definition, {"text": "a" * 150_000})
    skip_engine.run_until_idle()
    assert skip_engine.describe_execution(arn)["error"] == "States.DataLimitExceeded"
    # And the start itself rejects an input over 256 KiB
    try:
        start(skip_engine, definition, {"text": "a" * 300_000})
    except ApiError as error:
        assert error.code == "InvalidExecutionInput"
    else:
        raise AssertionError("an oversized input was accepted")


def test_distributed_map_features_are_refused_at_create(skip_engine: Engine, start: Starter) -> None:
    # Given a Map whose ResultWriter writes with an S3 action other than putObject
    writer = {"Resource": "arn:aws:states:::s3:copyObject", "Parameters": {"Bucket": "b", "Prefix": "p"}}
    processor = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}

    # When it is created, Then it is refused, naming the field, rather than failing when it runs
    with pytest.raises(ApiError) as refused:
        start(skip_engine, _map(ResultWriter=writer, processor=processor), [])
    assert refused.value.code == "InvalidDefinition"
    assert "s3:putObject only at /States/M/ResultWriter/Resource" in refused.value.message
