"""States are parsed once into typed declarations: defaults, absent versus null, compiled rules and paths."""

from __future__ import annotations

from local.engine import definition
from local.engine.paths import Scope
from local.engine.state_specs import ChoiceSpec, MapSpec, TaskSpec


def _states(states: dict[str, object]) -> definition.Definition:
    return definition.build({"StartAt": next(iter(states)), "States": states})


def test_a_task_declares_its_resource_retriers_and_catchers_with_asl_defaults() -> None:
    # Given a Task with a bare retrier and two catchers, one with a null ResultPath
    parsed = _states(
        {
            "Work": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                "Retry": [{"ErrorEquals": ["States.ALL"]}],
                "Catch": [
                    {"ErrorEquals": ["Boom"], "Next": "Done"},
                    {"ErrorEquals": ["States.ALL"], "ResultPath": None, "Next": "Done"},
                ],
                "End": True,
            },
            "Done": {"Type": "Succeed"},
        }
    )

    # When the state is looked up
    spec = parsed.state("", "Work")

    # Then it is a TaskSpec with the defaults of ASL filled in and absent told apart from null
    assert isinstance(spec, TaskSpec)
    assert spec.resource.waits_for_token
    retrier = spec.retriers[0]
    assert (retrier.max_attempts, retrier.interval_seconds, retrier.backoff_rate) == (3, 1, 2.0)
    assert [catcher.result_path for catcher in spec.catchers] == ["$", None]
    assert (spec.input_path, spec.output_path, spec.next_state) == ("$", "$", None)


def test_a_jsonpath_choice_rule_is_compiled_into_a_condition_on_the_input() -> None:
    # Given a Choice rule combining a comparison and a presence test
    parsed = _states(
        {
            "Route": {
                "Type": "Choice",
                "Choices": [
                    {
                        "And": [
                            {"Variable": "$.n", "NumericGreaterThan": 2},
                            {"Variable": "$.tag", "IsPresent": True},
                        ],
                        "Next": "Done",
                    }
                ],
                "Default": "Done",
            },
            "Done": {"Type": "Succeed"},
        }
    )
    spec = parsed.state("", "Route")
    assert isinstance(spec, ChoiceSpec)
    matches = spec.choices[0].matches
    assert matches is not None

    # When the compiled rule is applied to inputs
    def decide(value: object) -> bool:
        return matches(Scope(value=value, context={}, variables={}))

    # Then it answers as the rule says
    assert decide({"n": 3, "tag": "x"}) is True
    assert decide({"n": 3}) is False
    assert decide({"n": 1, "tag": "x"}) is False


def test_a_map_state_names_its_processor_machine_and_its_limits() -> None:
    # Given a JSONPath Map with a fixed MaxConcurrency and a tolerated failure count read from the input
    parsed = _states(
        {
            "Each": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "MaxConcurrency": 2,
                "ToleratedFailureCountPath": "$.tolerated",
                "ItemProcessor": {"StartAt": "One", "States": {"One": {"Type": "Pass", "End": True}}},
                "End": True,
            }
        }
    )

    # When the state is looked up
    spec = parsed.state("", "Each")

    # Then its processor is a machine of the definition and each limit says where its value comes from
    assert isinstance(spec, MapSpec)
    assert parsed.machines[spec.processor].start_at == "One"
    assert spec.items_path == "$.items"
    assert spec.max_concurrency.value is not None and spec.max_concurrency.value.value == 2
    assert (spec.tolerated_failure_count.value, spec.tolerated_failure_count.path) == (None, "$.tolerated")
