"""The front door's Step Functions adapter: which service answers a client may retry (503)."""

from __future__ import annotations

import boto3
import pytest
from botocore.stub import Stubber

from functions.scheduled_requests.front_door.adapters import StepFunctionsExecutions
from functions.scheduled_requests.front_door.errors import ExecutionServiceUnavailable

MACHINE_ARN = "arn:aws:states:us-east-1:123456789012:stateMachine:ScheduledRequest"


@pytest.mark.parametrize(
    ("code", "status"),
    [("ExecutionLimitExceeded", 400), ("ThrottlingException", 400), ("InternalServerError", 500)],
)
def test_a_start_the_service_cannot_take_now_is_a_retryable_unavailability(code: str, status: int) -> None:
    # Given Step Functions refusing a start for a reason that passes (open-execution quota, throttling, 5xx)
    client = boto3.client("stepfunctions", region_name="us-east-1")
    executions = StepFunctionsExecutions(client, MACHINE_ARN)
    with Stubber(client) as stubber:
        stubber.add_client_error("start_execution", service_error_code=code, http_status_code=status)

        # When the front door starts a schedule, Then the client is told to retry (503), not a 500
        with pytest.raises(ExecutionServiceUnavailable):
            executions.start("schedule-1", "{}")
