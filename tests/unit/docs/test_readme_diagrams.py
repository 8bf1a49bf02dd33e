"""The README's state machine diagrams are generated from asl/ and must not drift from it."""

from __future__ import annotations

from catalog.diagram import mermaid, stale_diagrams
from catalog.locations import REPOSITORY_ROOT


def test_readme_holds_the_current_diagram_of_every_state_machine() -> None:
    # Given the README as committed
    readme = (REPOSITORY_ROOT / "README.md").read_text(encoding="utf-8")

    # When its generated blocks are compared with the ASL files
    stale = stale_diagrams(readme)

    # Then none is missing or stale
    assert stale == [], f"run `python -m catalog.diagram` and paste the output into README.md: {stale}"


def test_mermaid_draws_every_transition_kind() -> None:
    # Given a definition with a Next, a Choice with a default, a Catch, an End and a Fail
    definition = {
        "StartAt": "Decide",
        "States": {
            "Decide": {"Type": "Choice", "Choices": [{"Next": "Work"}], "Default": "Broken"},
            "Work": {
                "Type": "Task",
                "End": True,
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Broken"}],
            },
            "Broken": {"Type": "Fail", "Error": "Broken"},
        },
    }

    # When it is drawn
    chart = mermaid(definition).splitlines()

    # Then each transition appears once, with its kind
    assert chart[:2] == ["flowchart TD", "    start((start)) --> Decide"]
    assert "    Decide -.->|choice| Work" in chart
    assert "    Decide -.->|default| Broken" in chart
    assert "    Work -.->|catch States.ALL| Broken" in chart
    assert "    Work --> done([end])" in chart
    assert "    Broken[/Broken/]" in chart
