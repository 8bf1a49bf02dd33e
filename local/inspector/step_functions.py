"""What the `executions` commands read, through the Step Functions API any boto3 user has: state machines,
executions newest first, one execution found by its name, its whole history.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from local.cli import CommandError
from local.inspector.clients import Endpoint, aws_client

STARTED_BY = "`python -m local up` or `python -m local sfn`"
_LISTED_IN_ERRORS = 5


def stepfunctions_endpoint(url: str) -> Endpoint:
    """The Step Functions endpoint named by `--endpoint`."""
    return Endpoint(url=url, option="--endpoint", serves="Step Functions API", started_by=STARTED_BY)


def execution_arn(state_machine_arn: str, name: str) -> str:
    """The ARN of the execution `name` of a state machine (as StartExecution forms it)."""
    return state_machine_arn.replace(":stateMachine:", ":execution:", 1) + f":{name}"


class StepFunctionsReader:
    """Read-only calls to one Step Functions endpoint."""

    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint
        self._sfn = aws_client("stepfunctions", endpoint)

    def state_machines(self) -> list[dict[str, Any]]:
        """Every state machine (ListStateMachines, all pages)."""
        pages = self._sfn.get_paginator("list_state_machines").paginate()
        return [machine for page in pages for machine in page["stateMachines"]]

    def state_machine_arns(self, name_or_arn: str | None) -> list[str]:
        """The ARN of the state machine named `name_or_arn` (or that ARN), or every one listable when None."""
        machines = [m for m in self.state_machines() if m.get("type", "STANDARD") == "STANDARD"]
        if name_or_arn is None:
            return [machine["stateMachineArn"] for machine in machines]
        for machine in machines:
            if name_or_arn in (machine["name"], machine["stateMachineArn"]):
                return [machine["stateMachineArn"]]
        names = ", ".join(machine["name"] for machine in machines) or "none"
        raise CommandError(
            f"--machine {name_or_arn}: no such state machine at {self.endpoint.url} (there: {names})"
        )

    def executions(self, state_machine_arns: list[str], status: str | None = None) -> list[dict[str, Any]]:
        """The executions of the state machines (ListExecutions, all pages), newest first."""
        found: list[dict[str, Any]] = []
        for arn in state_machine_arns:
            options = {"stateMachineArn": arn, **({"statusFilter": status} if status else {})}
            for page in self._sfn.get_paginator("list_executions").paginate(**options):
                found += page["executions"]
        return sorted(found, key=lambda execution: (execution["startDate"], execution["name"]), reverse=True)

    def describe(self, arn: str) -> dict[str, Any]:
        """DescribeExecution, without the response metadata."""
        answer: dict[str, Any] = self._sfn.describe_execution(executionArn=arn)
        answer.pop("ResponseMetadata", None)
        return answer

    def find(self, name_or_arn: str) -> dict[str, Any]:
        """DescribeExecution of the execution given by its ARN, its name, or the start of a name that only
        one execution has; a name found in two state machines is reported, not guessed."""
        if name_or_arn.startswith("arn:"):
            found = self._describe_if_any(name_or_arn)
            if found is None:
                raise CommandError(f"no execution {name_or_arn} at {self.endpoint.url}")
            return found
        machine_arns = self.state_machine_arns(None)
        named = [
            found
            for machine_arn in machine_arns
            if (found := self._describe_if_any(execution_arn(machine_arn, name_or_arn))) is not None
        ]
        if len(named) > 1:
            arns = " or ".join(execution["executionArn"] for execution in named)
            raise CommandError(f"{name_or_arn} names executions of {len(named)} state machines; give {arns}")
        if named:
            return named[0]
        return self.describe(self._only_execution_starting_with(name_or_arn, machine_arns))

    def _only_execution_starting_with(self, prefix: str, machine_arns: list[str]) -> str:
        candidates = [e for e in self.executions(machine_arns) if e["name"].startswith(prefix)]
        if len(candidates) == 1:
            arn: str = candidates[0]["executionArn"]
            return arn
        if not candidates:
            raise CommandError(
                f"no execution named {prefix} at {self.endpoint.url} "
                "(`python -m local executions list` shows them)"
            )
        names = ", ".join(execution["name"] for execution in candidates[:_LISTED_IN_ERRORS])
        more = (
            f" and {len(candidates) - _LISTED_IN_ERRORS} more" if len(candidates) > _LISTED_IN_ERRORS else ""
        )
        raise CommandError(
            f"{prefix} is the start of {len(candidates)} execution names ({names}{more}); "
            "give more of the name"
        )

    def _describe_if_any(self, arn: str) -> dict[str, Any] | None:
        try:
            return self.describe(arn)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("ExecutionDoesNotExist", "InvalidArn"):
                return None
            raise

    def history(self, arn: str) -> list[dict[str, Any]]:
        """Every event of the execution's history, oldest first (GetExecutionHistory, all pages)."""
        pages = self._sfn.get_paginator("get_execution_history").paginate(executionArn=arn)
        return [event for page in pages for event in page["events"]]
