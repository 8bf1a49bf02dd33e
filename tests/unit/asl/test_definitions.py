"""Every catalog entry's ASL: valid JSON, consistent substitutions, sound graph, explicit error handling."""

from __future__ import annotations

import json
from typing import Any

import pytest

from catalog import STATE_MACHINES
from catalog.model import PLACEHOLDER, StateMachine
from tests.unit.asl.asl_structure import failure_path_problems, reachable_states, tasks, transitions

MACHINES = list(STATE_MACHINES.values())
MACHINE_IDS = list(STATE_MACHINES)


def _sample_values(machine: StateMachine) -> dict[str, str]:
    # Values shaped like the real ones: a tunable's default, an ARN-like text for everything else.
    tunables = machine.tunable_values()
    return {
        substitution.name: str(
            tunables.get(getattr(substitution.value, "tunable", ""), f"arn:test:{substitution.name}")
        )
        for substitution in machine.substitutions
    }


@pytest.fixture(params=MACHINES, ids=MACHINE_IDS)
def machine(request: pytest.FixtureRequest) -> StateMachine:
    return request.param


@pytest.fixture
def definition(machine: StateMachine) -> dict[str, Any]:
    return machine.render_definition(_sample_values(machine))


def test_every_placeholder_has_a_substitution_and_every_substitution_is_used(machine: StateMachine) -> None:
    # Given the ASL file as written and the catalog's substitutions
    declared = {substitution.name for substitution in machine.substitutions}

    # When the placeholders are collected from the file
    used = machine.placeholders()

    # Then both sets are the same
    assert used - declared == set(), "placeholders without a substitution"
    assert declared - used == set(), "substitutions the ASL never uses"


def test_the_file_as_written_is_json_and_placeholders_sit_only_inside_strings(machine: StateMachine) -> None:
    # Given the ASL text with its placeholders
    text = machine.definition_text()

    # When it is parsed without substituting anything
    parsed = json.loads(text)

    # Then it is a state machine document, loadable as-is in the console
    assert {"StartAt", "States"} <= parsed.keys()


def test_the_catalog_entry_references_only_what_it_declares(machine: StateMachine) -> None:
    # Given a catalog entry / When its references are checked / Then none dangles
    assert machine.reference_problems() == []


def test_rendering_leaves_no_placeholder(machine: StateMachine) -> None:
    # Given sample values for every substitution / When the ASL is rendered
    rendered = machine.render(_sample_values(machine))

    # Then no ${...} is left and the result is still JSON
    assert PLACEHOLDER.search(rendered) is None
    assert json.loads(rendered)["StartAt"]


def test_start_state_and_every_transition_target_exist(definition: dict[str, Any]) -> None:
    # Given the rendered definition
    states = definition["States"]

    # When every Next, Default, Choice and Catch target is collected
    targets = {target for state in states.values() for target in transitions(state)}
    targets |= {catcher["Next"] for state in states.values() for catcher in state.get("Catch", [])}

    # Then each names a state, and so does StartAt
    assert definition["StartAt"] in states
    assert targets - states.keys() == set()


def test_every_state_is_reachable(definition: dict[str, Any]) -> None:
    # Given the rendered definition / When walking from StartAt / Then no state is orphaned
    assert set(definition["States"]) - reachable_states(definition) == set()


def test_every_task_has_explicit_retry_with_jittered_backoff_and_a_catch(definition: dict[str, Any]) -> None:
    # Given every Task state
    all_tasks = dict(tasks(definition))
    assert all_tasks, "a workflow without tasks would make this test vacuous"

    # Then each retries with capped, jittered exponential backoff and catches everything else
    for name, task in all_tasks.items():
        assert task.get("Retry"), f"{name} has no Retry"
        for retrier in task["Retry"]:
            assert retrier["ErrorEquals"], name
            assert retrier.get("BackoffRate", 2.0) > 1, name
            assert retrier.get("JitterStrategy") == "FULL", name
            assert retrier.get("MaxDelaySeconds"), name
        assert task.get("Catch"), f"{name} has no Catch"
        assert any("States.ALL" in catcher["ErrorEquals"] for catcher in task["Catch"]), name


def test_every_failure_path_ends_in_a_fail_state_with_a_named_error(definition: dict[str, Any]) -> None:
    # Given the rendered definition / When every path from a catcher is followed
    problems = failure_path_problems(definition)

    # Then each ends in a Fail with an Error (or goes back for another attempt)
    assert problems == []


def test_execution_timeout_is_set_below_the_standard_workflow_limit(definition: dict[str, Any]) -> None:
    # Given the rendered definition / Then it bounds the execution inside one year
    assert 0 < definition["TimeoutSeconds"] < 365 * 24 * 3600


def test_the_rendered_definition_passes_cfn_lints_state_machine_schema(definition: dict[str, Any]) -> None:
    # Given the rendered definition inlined as an object (the template inlines it as text with
    # DefinitionSubstitutions, which the linter cannot look into)
    from cfnlint.api import lint

    template = {
        "Resources": {
            "Machine": {
                "Type": "AWS::StepFunctions::StateMachine",
                "Properties": {"RoleArn": "arn:aws:iam::123456789012:role/machine", "Definition": definition},
            }
        }
    }

    # When cfn-lint checks it / Then the ASL schema finds nothing
    matches = lint(json.dumps(template), regions=["us-east-1"])
    assert [f"{match.rule.id} {match.message}" for match in matches] == []
