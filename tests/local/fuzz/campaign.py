"""Schemathesis against the committed OpenAPI document (docs/openapi.json) on a running local stack.

Cases are generated from the document, positive and negative, and sent one at a time; each answer is
checked against the document (status code documented, content type, headers, body schema) and for 5xx.
Executions of the ScheduledRequest state machine are counted before and after: only a `202` that was not
an idempotent replay may have started one.

What the campaign adds to schemathesis, each applied to only part of the cases so that the raw generated
values still go out as well:
- `triggerAt` is only valid between the stack's "now" and the horizon, which a generator that knows only
  `format: date-time` almost never hits; some POST bodies get a time inside that window, the documented
  example target, and sometimes a payload that tells the example processor to fail, so the accepting
  path and every outcome are reached. A negative case's body is never touched.
- Between the POST cases and the others the virtual clock moves half the window: the schedules due
  before then have run (SUCCEEDED or FAILED), the others still wait.
- Some GET and DELETE cases use the id of a schedule this run created, so reads and cancellations of real
  schedules (200, then 409) are fuzzed, not only 404s.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.core.failures import FailureGroup
from schemathesis.core.parameters import ParameterLocation
from schemathesis.core.result import Err

# schemathesis imports this module lazily, when a document is first loaded. pytest rewrites the modules of
# a plugin as they are imported, with ast.parse, and on Python 3.11 two threads parsing at once can fail
# with "AST constructor recursion depth mismatch": import it at collection, before any server thread runs.
from schemathesis.specs.openapi import schemas as _openapi_schemas  # noqa: F401
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from catalog.scheduled_request import SCHEDULED_REQUEST
from local.sfn_api.clock_control import format_rfc3339, parse_rfc3339
from local.stack import LocalStack
from local.stack.config import REGION

OPENAPI_DOCUMENT = Path(__file__).resolve().parents[3] / "docs" / "openapi.json"
DOCUMENT_CHECKS = [
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# Inside the front door's default window: not in the past, not beyond 364 days.
_LATEST_OFFSET_SECONDS = 363 * 86_400
# Between creating and reading: schedules triggered before it have run, the later ones still wait.
_CLOCK_ADVANCE_SECONDS = _LATEST_OFFSET_SECONDS // 2
_REQUEST_TIMEOUT_SECONDS = 30
_CLOCK_MOVE_TIMEOUT_SECONDS = 300
_EXAMPLES_KEPT = 5


@dataclass
class FuzzFigures:
    """What one campaign sent and what came back."""

    requests_sent: int = 0
    by_status: dict[int, int] = field(default_factory=dict)
    server_errors: list[str] = field(default_factory=list)
    nonconforming: list[str] = field(default_factory=list)
    schedules_created: list[str] = field(default_factory=list)
    executions_before: int = 0
    executions_after: int = 0

    @property
    def executions_started(self) -> int:
        return self.executions_after - self.executions_before

    @property
    def executions_by_rejected_requests(self) -> int:
        """Executions beyond those the new-schedule `202` answers account for."""
        return max(0, self.executions_started - len(self.schedules_created))

    def summary(self) -> str:
        """A few lines for a failed assertion: counts and the first examples of each problem."""
        return "\n".join(
            [
                f"requests {self.requests_sent}, by status {dict(sorted(self.by_status.items()))}",
                f"executions started {self.executions_started}, new schedules {len(self.schedules_created)}",
                f"5xx ({len(self.server_errors)}): {self.server_errors[:_EXAMPLES_KEPT]}",
                f"not as documented ({len(self.nonconforming)}): {self.nonconforming[:_EXAMPLES_KEPT]}",
            ]
        )


@dataclass(frozen=True)
class FuzzTarget:
    """Where the stack under test answers."""

    api_url: str
    """The Schedule API's base URL (served at the root: the document's server URL is `/`)."""
    count_executions: Callable[[], int]
    """How many executions the ScheduledRequest state machine has (ListExecutions)."""

    @classmethod
    def of(cls, stack: LocalStack) -> FuzzTarget:
        """The Schedule API of `stack`, with executions counted through its Step Functions endpoint."""
        stepfunctions = boto3.client(
            "stepfunctions", endpoint_url=stack.addresses.stepfunctions, region_name=REGION
        )
        arn = stack.workflows[SCHEDULED_REQUEST.name].state_machine_arn

        def count_executions() -> int:
            pages = stepfunctions.get_paginator("list_executions").paginate(stateMachineArn=arn)
            return sum(len(page["executions"]) for page in pages)

        return cls(api_url=stack.addresses.api, count_executions=count_executions)


def run_campaign(target: FuzzTarget, examples_per_operation: int) -> FuzzFigures:
    """Generate `examples_per_operation` cases for each operation and generation mode, send and check them.

    Derandomized: the same document and stack give the same requests.
    """
    schema = schemathesis.openapi.from_path(OPENAPI_DOCUMENT)
    operations = []
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            raise result.err()
        operations.append(result.ok())
    campaign = _Campaign(target, requests.Session(), FuzzFigures(executions_before=target.count_executions()))
    # Creating first; then half the window passes, so reads and cancellations meet schedules in every
    # state: still waiting, processed (SUCCEEDED or FAILED), and cancelled by an earlier case.
    creating = [operation for operation in operations if operation.method.upper() == "POST"]
    for operation in creating:
        campaign.fuzz_both_modes(operation, examples_per_operation)
    advance_clock(target.api_url, _CLOCK_ADVANCE_SECONDS)
    for operation in operations:
        if operation not in creating:
            campaign.fuzz_both_modes(operation, examples_per_operation)
    campaign.figures.executions_after = target.count_executions()
    return campaign.figures


@dataclass
class _Campaign:
    target: FuzzTarget
    session: requests.Session
    figures: FuzzFigures

    def fuzz_both_modes(self, operation: Any, examples: int) -> None:
        """`examples` positive cases of `operation`, then `examples` negative ones."""
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            self.fuzz(operation, mode, examples)

    def fuzz(self, operation: Any, mode: GenerationMode, examples: int) -> None:
        """Send `examples` cases of `operation` generated in `mode`."""

        @settings(
            max_examples=examples,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(
            case=operation.as_strategy(generation_mode=mode),
            adjust=st.booleans(),
            offset_seconds=st.one_of(
                st.integers(min_value=1, max_value=_CLOCK_ADVANCE_SECONDS - 1),
                st.integers(min_value=_CLOCK_ADVANCE_SECONDS + 1, max_value=_LATEST_OFFSET_SECONDS),
            ),
            outcome=st.sampled_from([None, "failure", "transient"]),
            known_id=st.integers(min_value=0),
        )
        def send(case: Any, adjust: bool, offset_seconds: int, outcome: str | None, known_id: int) -> None:
            if adjust:
                self._aim_at_valid_values(case, offset_seconds, outcome, known_id)
            self._send_and_check(case)

        send()

    def _aim_at_valid_values(
        self, case: Any, offset_seconds: int, outcome: str | None, known_id: int
    ) -> None:
        created = self.figures.schedules_created
        if case.method == "POST" and isinstance(case.body, dict) and not _body_is_negated(case):
            now = stack_now(self.target.api_url)
            case.body["triggerAt"] = format_rfc3339(now + timedelta(seconds=offset_seconds))
            case.body["target"] = "example-processor"
            if outcome is not None and isinstance(case.body.get("payload"), dict):
                case.body["payload"]["simulate"] = outcome  # the example processor fails as told
        elif case.method in ("GET", "DELETE") and created:
            schedule_id = created[known_id % len(created)]
            case.path_parameters = {**(case.path_parameters or {}), "scheduleId": schedule_id}

    def _send_and_check(self, case: Any) -> None:
        figures = self.figures
        response = case.call(
            base_url=self.target.api_url, session=self.session, timeout=_REQUEST_TIMEOUT_SECONDS
        )
        figures.requests_sent += 1
        figures.by_status[response.status_code] = figures.by_status.get(response.status_code, 0) + 1
        described = f"{case.method} {case.formatted_path} -> {response.status_code} {response.text[:300]!r}"
        if response.status_code >= 500:
            figures.server_errors.append(described)
        try:
            case.validate_response(response, checks=DOCUMENT_CHECKS)
        except FailureGroup as failures:
            titles = "; ".join(sorted({failure.title for failure in failures.exceptions}))
            figures.nonconforming.append(f"{described}: {titles}")
        # Schemathesis' response headers: lowercase names, each with a list of values.
        if response.status_code == 202 and response.headers.get("idempotent-replayed") == ["false"]:
            figures.schedules_created.append(json.loads(response.text)["scheduleId"])


def _body_is_negated(case: Any) -> bool:
    """A negative case's invalid body is left as generated: the mutation may be in triggerAt or target."""
    body = case.meta.components.get(ParameterLocation.BODY) if case.meta is not None else None
    return body is not None and body.mode is GenerationMode.NEGATIVE


def advance_clock(api_url: str, seconds: int) -> None:
    """Move the stack's virtual clock; answers once everything due by then has run."""
    answer = requests.post(
        f"{api_url}/_local/clock", json={"advanceSeconds": seconds}, timeout=_CLOCK_MOVE_TIMEOUT_SECONDS
    )
    answer.raise_for_status()


def stack_now(api_url: str) -> datetime:
    """The stack's clock (GET /_local/clock)."""
    answer = requests.get(f"{api_url}/_local/clock", timeout=_REQUEST_TIMEOUT_SECONDS)
    answer.raise_for_status()
    return parse_rfc3339(answer.json()["now"])
