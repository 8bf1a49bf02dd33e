"""Schemathesis against docs/openapi.json on the local stack, reduced to a few seconds: no 5xx, every answer
as documented, no execution started by a refused request. `python -m bench api_fuzz` runs it at size."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
import schemathesis
from schemathesis.core.failures import FailureGroup

from local.stack import LocalStack
from tests.local.fuzz.campaign import DOCUMENT_CHECKS, OPENAPI_DOCUMENT, FuzzTarget, run_campaign
from tests.local.stack.conftest import quiet_config

# Both tests share one stack: one group, so `--dist loadgroup` runs them on one worker.
pytestmark = [
    pytest.mark.xdist_group("api-fuzz"),
    # With metrics off (quiet_config), Powertools warns on every request that it has nothing to publish.
    pytest.mark.filterwarnings("ignore:No application metrics to publish"),
]

# 3 operations x positive and negative x 60 = 360 requests, a few seconds.
EXAMPLES_PER_OPERATION = 60


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    with LocalStack(quiet_config()) as running:
        yield running


def test_generated_requests_get_documented_answers_and_refusals_start_nothing(stack: LocalStack) -> None:
    # Given the local stack on a virtual clock and the committed OpenAPI document
    target = FuzzTarget.of(stack)

    # When schemathesis sends the cases it derives from the document, positive and negative
    figures = run_campaign(target, EXAMPLES_PER_OPERATION)
    report = "\n" + figures.summary()

    # Then the run reached accepting and refusing answers of every route (so no finding below is vacuous)
    assert figures.requests_sent == 6 * EXAMPLES_PER_OPERATION, report
    assert {200, 202, 400, 404, 409} <= set(figures.by_status), report
    # And nothing was a server error, every answer is as the document says
    assert figures.server_errors == [], report
    assert figures.nonconforming == [], report
    # And only the 202 answers for new schedules started executions
    assert figures.executions_started == len(figures.schedules_created), report


def test_the_document_checks_catch_an_undocumented_answer(stack: LocalStack) -> None:
    # Given a GET case from the document and the real answer to it (404, as documented)
    operation = schemathesis.openapi.from_path(OPENAPI_DOCUMENT)["/schedules/{scheduleId}"]["GET"]
    case = operation.Case(path_parameters={"scheduleId": "no-such-schedule"})
    answer = case.call(base_url=stack.addresses.api)
    case.validate_response(answer, checks=DOCUMENT_CHECKS)

    # When the same answer comes back with a body the ErrorResponse schema refuses
    fake = requests.Response()
    fake.status_code, fake._content, fake.request = 404, b'{"error": "NOPE"}', answer.request
    fake.headers["Content-Type"] = "application/json"

    # Then the checks the campaign uses report it
    with pytest.raises(FailureGroup):
        case.validate_response(fake, checks=DOCUMENT_CHECKS)
