"""The example processor's result, and the payload directives it understands for demonstrations."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import ConfigDict, Field

from functions.scheduled_requests.workflow_contract import CamelModel


class ProcessingResult(CamelModel):
    """What the processor returns; the state machine's output when processing succeeds."""

    schedule_id: str
    attempt: int
    processed_at: datetime
    payload_fields: list[str] = Field(description="The top-level payload keys the processor saw.")


class SimulationDirective(CamelModel):
    """Optional payload keys that make the example processor fail on purpose.

    `{"simulate": "transient"}` raises TransientProcessingError (the state machine retries the task),
    `{"simulate": "failure"}` raises a permanent error (the state machine's Catch takes over).
    With `"simulateUntilAttempt": n` the simulated failure stops from attempt n on, which shows a
    reschedule that then succeeds.
    """

    model_config = ConfigDict(extra="ignore")

    simulate: Literal["transient", "failure"] | None = None
    simulate_until_attempt: int | None = Field(None, ge=1)

    def applies_to(self, attempt: int) -> bool:
        """True when this attempt must fail as simulated."""
        if self.simulate is None:
            return False
        return self.simulate_until_attempt is None or attempt < self.simulate_until_attempt
