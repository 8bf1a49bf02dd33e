"""The demo's scenarios, one per workflow; a scenario runs only when its workflow is in the catalog.

Adding a workflow to the demo is adding one entry here and the function it names.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from local.demo import consent_deletion, scheduled_requests
from local.demo.context import DemoContext


@dataclass(frozen=True)
class Scenario:
    """A scripted walk through one workflow."""

    machine: str
    """The catalog name of the state machine it needs."""
    title: str
    run: Callable[[DemoContext], None]


SCENARIOS: tuple[Scenario, ...] = (
    # First, while the virtual clock is still at the wall clock: DynamoDB stream records carry wall-clock
    # times, from which the deletion deadline is counted.
    Scenario(machine=consent_deletion.MACHINE, title=consent_deletion.TITLE, run=consent_deletion.run),
    Scenario(machine=scheduled_requests.MACHINE, title=scheduled_requests.TITLE, run=scheduled_requests.run),
)
