"""docs/cost-model.md quotes bench/cost_model.py (the real ASL on the local engine): they must agree."""

from __future__ import annotations

import pytest

from bench.cost_model import Run, markdown, run_all
from catalog.locations import REPOSITORY_ROOT
from tests.unit.consent_deletion_workflow.test_history_budget import wait_schedule

BEGIN, END = "<!-- cost_model:begin -->\n", "<!-- cost_model:end -->"


@pytest.fixture(scope="module")
def runs() -> tuple[list[Run], list[Run]]:
    """Every scenario of the cost model, run once for the module (about a second on the skip clock)."""
    return run_all()


def test_the_document_quotes_the_current_output_of_the_script(runs: tuple[list[Run], list[Run]]) -> None:
    # Given the tables between the markers of the document as committed
    document = (REPOSITORY_ROOT / "docs" / "cost-model.md").read_text(encoding="utf-8")
    quoted = document.split(BEGIN, 1)[1].split(END, 1)[0].strip()

    # When the script's tables are produced from the ASL as it is now
    current = markdown(*runs).strip()

    # Then they are the same
    assert quoted == current, "run `python -m bench.cost_model --markdown` and paste it between the markers"


def test_the_happy_paths_cost_what_the_asl_says(runs: tuple[list[Run], list[Run]]) -> None:
    # Given the happy path of each workflow
    scheduled, deletions = runs
    by_name = {run.scenario: run for run in deletions}

    # Then a schedule is a Wait and a Task, and a deletion done at its first check is 5 + 4 + 2 states
    assert (scheduled[0].status, scheduled[0].transitions) == ("SUCCEEDED", 2)
    first_check = by_name["completes within 1 minute"]
    assert (first_check.checks, first_check.transitions) == (1, 11)


def test_a_deletion_that_never_completes_checks_as_the_history_budget_computes(
    runs: tuple[list[Run], list[Run]],
) -> None:
    # Given the deletion whose vendor never completes, run on the engine
    _, deletions = runs
    [timed_out] = [run for run in deletions if run.status == "FAILED"]

    # Then it checked once per wait of the schedule the ASL's own expressions give, and paid 9 + 4 per check
    assert timed_out.checks == len(wait_schedule())
    assert timed_out.transitions == 9 + 4 * timed_out.checks
    assert timed_out.sns_publishes == 1
