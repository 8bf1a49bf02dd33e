"""The example processor's business logic: this is where a real target does its work.

Plain Python: no AWS. Idempotency per scheduleId is added around this function by the adapter, so the
logic can assume it runs at most once to completion per schedule.
"""

from __future__ import annotations

from pydantic import ValidationError

from functions.common.clock import Clock, utc_now
from functions.scheduled_requests.processor.models import ProcessingResult, SimulationDirective
from functions.scheduled_requests.workflow_contract import ProcessorEvent, TransientProcessingError


class PermanentProcessingError(Exception):
    """The request cannot be processed; retrying the same attempt would not help."""


def process_request(request: ProcessorEvent, clock: Clock = utc_now) -> ProcessingResult:
    """Process one scheduled request and describe what was done.

    Raises TransientProcessingError or PermanentProcessingError when the payload asks for a
    simulated failure (see SimulationDirective).
    """
    try:
        directive = SimulationDirective.model_validate(request.payload)
    except ValidationError as error:
        raise PermanentProcessingError(f"invalid simulation directive in payload: {error}") from error
    if directive.applies_to(request.attempt):
        if directive.simulate == "transient":
            raise TransientProcessingError(f"simulated transient failure on attempt {request.attempt}")
        raise PermanentProcessingError(f"simulated permanent failure on attempt {request.attempt}")
    return ProcessingResult(
        schedule_id=request.schedule_id,
        attempt=request.attempt,
        processed_at=clock(),
        payload_fields=sorted(request.payload),
    )
