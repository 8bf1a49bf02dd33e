"""The catalog's vocabulary: rendering, tunables, reference checks, handler entry points."""

from __future__ import annotations

import dataclasses
import importlib
from pathlib import Path

import pytest

from catalog import SCHEDULED_REQUEST, STATE_MACHINES
from catalog.model import (
    CatalogError,
    Function,
    QueueUrl,
    ReadWriteItems,
    StateMachine,
    Substitution,
    TableName,
    Tunable,
)

ALL_FUNCTIONS = [
    pytest.param(function, id=f"{machine.name}.{function.logical_id}")
    for machine in STATE_MACHINES.values()
    for function in machine.functions
]


def _values(**overrides: str) -> dict[str, str]:
    values = {substitution.name: "x" for substitution in SCHEDULED_REQUEST.substitutions}
    return {**values, **overrides}


def test_render_refuses_a_missing_substitution_value() -> None:
    # Given values for all substitutions but one
    values = _values()
    del values["DeadLetterQueueUrl"]

    # When / Then rendering names the missing one
    with pytest.raises(CatalogError, match="DeadLetterQueueUrl"):
        SCHEDULED_REQUEST.render(values)


def test_render_refuses_an_unknown_substitution_value() -> None:
    # Given one value too many / When / Then rendering names it
    with pytest.raises(CatalogError, match="Surprise"):
        SCHEDULED_REQUEST.render(_values(Surprise="1"))


def test_render_keeps_the_document_valid_json_whatever_the_value() -> None:
    # Given a value with quotes and a backslash
    tricky = 'a "quoted" \\ value'

    # When the ASL is rendered and parsed
    definition = SCHEDULED_REQUEST.render_definition(_values(DeadLetterQueueUrl=tricky))

    # Then the value arrives intact inside its string
    assert definition["States"]["SendToDeadLetterQueue"]["Arguments"]["QueueUrl"] == tricky


def test_tunable_values_apply_valid_overrides_and_keep_defaults() -> None:
    # Given an override of one tunable / When the values are computed
    values = SCHEDULED_REQUEST.tunable_values({"MaxReschedules": 7})

    # Then that one changes and the others keep their defaults
    assert values["MaxReschedules"] == 7
    assert (
        values["RescheduleBaseDelaySeconds"]
        == SCHEDULED_REQUEST.tunable("RescheduleBaseDelaySeconds").default
    )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"MaxReschedules": -1}, ">= 0"),
        ({"MaxReschedules": 51}, "<= 50"),
        ({"MaxReschedules": "3"}, "integer"),
        ({"MaxReschedules": True}, "integer"),
        ({"LogLevel": "LOUD"}, "one of"),
        ({"NoSuchTunable": 1}, "unknown tunable"),
    ],
)
def test_tunable_values_reject_what_does_not_fit(overrides: dict[str, object], message: str) -> None:
    # Given an override out of range, of the wrong type or unknown / When / Then it is refused
    with pytest.raises(CatalogError, match=message):
        SCHEDULED_REQUEST.tunable_values(overrides)


def test_max_horizon_leaves_room_before_the_execution_timeout() -> None:
    # Given the largest horizon an operator may configure and the ASL's execution timeout
    maximum_days = SCHEDULED_REQUEST.tunable("MaxHorizonDays").maximum
    assert maximum_days is not None
    horizon_seconds = maximum_days * 86_400
    timeout_seconds = SCHEDULED_REQUEST.render_definition(_values(MaxReschedules="0"))["TimeoutSeconds"]

    # Then a request at the horizon still has hours for its attempts and the failure path
    assert timeout_seconds - horizon_seconds >= 12 * 3600


def test_reference_problems_name_every_dangling_reference() -> None:
    # Given an entry whose substitution, environment and permission point at undeclared things
    processor = SCHEDULED_REQUEST.function("ExampleProcessor")
    broken = dataclasses.replace(
        SCHEDULED_REQUEST,
        substitutions=(
            *SCHEDULED_REQUEST.substitutions,
            Substitution(name="Other", value=QueueUrl("NoQueue"), description="d"),
        ),
        functions=(
            dataclasses.replace(
                processor,
                environment={"TABLE": TableName("NoTable")},
                permissions=(ReadWriteItems("NoTable"),),
            ),
        ),
    )

    # When the references are checked
    problems = broken.reference_problems()

    # Then each dangling reference is reported (the API's front door is gone too)
    assert "substitution Other: unknown queue NoQueue" in problems
    assert "function ExampleProcessor env TABLE: unknown table NoTable" in problems
    assert "function ExampleProcessor: unknown table NoTable" in problems
    assert "api: unknown function FrontDoor" in problems


def test_unknown_names_are_refused_by_lookups() -> None:
    # Given the entry / When asking for undeclared names / Then the lookups refuse
    with pytest.raises(CatalogError):
        SCHEDULED_REQUEST.function("Nope")
    with pytest.raises(CatalogError):
        SCHEDULED_REQUEST.tunable("Nope")


def test_tunable_validation_of_a_string_tunable() -> None:
    # Given a string tunable without choices / Then any string fits and a number does not
    tunable = Tunable(name="Mode", default="a", description="d")
    assert tunable.validate("b") == "b"
    with pytest.raises(CatalogError):
        tunable.validate(1)


def test_asl_files_resolve_from_the_package_not_the_working_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Given another working directory
    monkeypatch.chdir(tmp_path)

    # When each entry's ASL file is read / Then it is found
    for machine in STATE_MACHINES.values():
        assert isinstance(machine, StateMachine)
        assert machine.asl_file.is_absolute()
        assert machine.definition_text().lstrip().startswith("{")


@pytest.mark.parametrize("function", ALL_FUNCTIONS)
def test_every_handler_string_names_a_callable_in_the_functions_package(function: Function) -> None:
    # Given a catalog function's handler string
    module_name, attribute = function.module, function.attribute

    # When its module is imported
    module = importlib.import_module(module_name)

    # Then it lives in functions/ and the handler is callable
    assert module_name.startswith("functions.")
    assert callable(getattr(module, attribute))
