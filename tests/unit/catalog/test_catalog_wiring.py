"""The catalog's deployment vocabulary: secrets, databases, settings, streams, subscriptions, schedules."""

from __future__ import annotations

import dataclasses

from catalog import CONSENT_DELETION
from catalog.consent_deletion import LEDGER, LEDGER_TASKS, RECONCILER, REQUEST_DELETION
from catalog.locations import REPOSITORY_ROOT
from catalog.model import (
    ConnectToDatabase,
    ReadSecret,
    Schedule,
    SecretArn,
    SettingValue,
    StreamSource,
    Subscription,
    TunableValue,
)
from functions.consent_deletion.stream_trigger.logic import REVOCATION_FILTER_PATTERNS


def test_the_consent_deletion_entry_references_only_what_it_declares() -> None:
    # Given the entry / When its references are checked / Then none dangles
    assert CONSENT_DELETION.reference_problems() == []


def test_dangling_wiring_references_are_each_reported() -> None:
    # Given the entry with wiring, environment and permissions that point at undeclared names
    request = CONSENT_DELETION.function(REQUEST_DELETION)
    broken = dataclasses.replace(
        CONSENT_DELETION,
        functions=(
            *[function for function in CONSENT_DELETION.functions if function.logical_id != REQUEST_DELETION],
            dataclasses.replace(
                request,
                environment={"KEY": SecretArn("NoSecret"), "URL": SettingValue("NoSetting")},
                permissions=(ReadSecret("NoSecret"), ConnectToDatabase("NoDatabase")),
            ),
        ),
        stream_sources=(
            StreamSource(table="NoTable", function="NoFunction", filter_patterns=(), failure_queue="NoQueue"),
        ),
        subscriptions=(Subscription(topic="NoTopic", function=RECONCILER, failure_queue="NoQueue"),),
        schedules=(Schedule(function=RECONCILER, every_minutes=TunableValue("NoTunable")),),
        alarm_topic="NoAlarmTopic",
    )

    # When the references are checked
    problems = broken.reference_problems()

    # Then every dangling name is reported where it occurs
    assert f"function {REQUEST_DELETION} env KEY: unknown secret NoSecret" in problems
    assert f"function {REQUEST_DELETION} env URL: unknown setting NoSetting" in problems
    assert f"function {REQUEST_DELETION}: unknown database NoDatabase" in problems
    assert "stream source NoTable: unknown table NoTable" in problems
    assert "stream source NoTable: unknown function NoFunction" in problems
    assert "stream source NoTable: unknown queue NoQueue" in problems
    assert "subscription NoTopic: unknown topic NoTopic" in problems
    assert f"schedule {RECONCILER}: unknown tunable NoTunable" in problems
    assert "alarm topic: unknown topic NoAlarmTopic" in problems


def test_functions_that_connect_to_the_ledger_are_the_ledger_tasks_and_the_reconciler() -> None:
    # Given the entry's functions / When asked which databases each connects to
    connected = {function.logical_id: function.databases for function in CONSENT_DELETION.functions}

    # Then exactly the two ledger users connect, to the ledger; the vendor tasks stay outside the VPC
    assert {name for name, databases in connected.items() if databases} == {LEDGER_TASKS, RECONCILER}
    assert connected[LEDGER_TASKS] == (LEDGER,)


def test_the_stream_source_filters_with_the_trigger_own_revocation_patterns() -> None:
    # Given the declared stream source / Then its filter is the trigger's constant, not a copy of it
    (source,) = CONSENT_DELETION.stream_sources
    assert source.filter_patterns is REVOCATION_FILTER_PATTERNS


def test_the_requirements_file_pins_every_package_exactly() -> None:
    # Given the dependencies layer's requirements
    assert CONSENT_DELETION.requirements is not None
    lines = [
        line.strip()
        for line in CONSENT_DELETION.requirements.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]

    # Then each names one package at one exact version, including the ledger's driver and ORM
    assert all(line.count("==") == 1 for line in lines)
    assert {line.split("==")[0].lower() for line in lines} >= {
        "sqlalchemy",
        "alembic",
        "pg8000",
    }


def test_the_layer_pins_the_versions_the_tests_run_with() -> None:
    # Given the requirements and constraints.txt (what the virtual environment was installed from)
    assert CONSENT_DELETION.requirements is not None

    def pins(text: str) -> dict[str, str]:
        pairs = (line.split("==") for line in text.splitlines() if "==" in line and not line.startswith("#"))
        return {name.strip().lower().replace("_", "-"): version.strip() for name, version in pairs}

    required = pins(CONSENT_DELETION.requirements.read_text())
    constrained = pins((REPOSITORY_ROOT / "constraints.txt").read_text())

    # Then every layer package has the tested version
    assert {name: constrained.get(name) for name in required} == required
