"""The fake vendor answers the deletion API contract over real HTTP, behaving as it is told."""

from __future__ import annotations

from email.utils import format_datetime
from typing import TYPE_CHECKING

import pytest
import urllib3.exceptions

if TYPE_CHECKING:
    from tests.local.third_party_fake.conftest import FakeApiCaller, ManualClock


def _start_operation(api: FakeApiCaller, customer_id: str = "customer-1") -> str:
    answer = api.request_deletion(customer_id)
    assert answer.status == 202, answer.body
    operation_id: str = answer.json()["operationId"]
    return operation_id


def _statuses_of_checks(api: FakeApiCaller, operation_id: str, checks: int) -> list[str]:
    return [api.check(operation_id).json()["status"] for _ in range(checks)]


def test_vendor_routes_refuse_a_missing_or_wrong_api_key(api: FakeApiCaller) -> None:
    # Given a running fake
    # When the vendor route is called without a key, with a wrong key, and with the right key
    missing = api.call("POST", "/customers/c1/deletions", api_key=None)
    wrong = api.call("POST", "/customers/c1/deletions", api_key="not-the-key")
    right = api.request_deletion("c1")

    # Then only the right key is served, and the log says which requests carried it
    assert (missing.status, wrong.status, right.status) == (401, 403, 202)
    accepted = [request["apiKeyAccepted"] for request in api.control("GET", "requests").json()["requests"]]
    assert accepted == [False, False, True]


def test_default_behaviour_completes_at_the_first_check(api: FakeApiCaller) -> None:
    # Given the default behaviour
    operation_id = _start_operation(api)

    # When the operation is checked
    body = api.check(operation_id).json()

    # Then it is complete and the body follows the contract
    assert body["operationId"] == operation_id
    assert body["status"] == "COMPLETED"


def test_completes_after_n_checks_and_stays_completed(api: FakeApiCaller) -> None:
    # Given a vendor that finishes at the third check
    api.behave(afterChecks=3)
    operation_id = _start_operation(api)

    # When the operation is checked four times
    statuses = _statuses_of_checks(api, operation_id, 4)

    # Then it goes PENDING -> RUNNING -> COMPLETED and stays there
    assert statuses == ["PENDING", "RUNNING", "COMPLETED", "COMPLETED"]


def test_completes_after_n_seconds_on_the_injected_clock(api: FakeApiCaller, clock: ManualClock) -> None:
    # Given a vendor that finishes 60 seconds after the request, on the fake's clock
    api.behave(afterSeconds=60)
    operation_id = _start_operation(api)

    # When the clock moves to just before and then to the deadline
    first = api.check(operation_id).json()["status"]
    clock.advance(59)
    before_deadline = api.check(operation_id).json()["status"]
    clock.advance(1)
    at_deadline = api.check(operation_id).json()["status"]

    # Then only the check at the deadline sees it complete
    assert [first, before_deadline, at_deadline] == ["PENDING", "RUNNING", "COMPLETED"]


def test_never_completes(api: FakeApiCaller, clock: ManualClock) -> None:
    # Given a vendor whose operations never finish
    api.behave(outcome="NEVER")
    operation_id = _start_operation(api)

    # When it is checked again and again across three days
    statuses = []
    for _ in range(4):
        statuses.append(api.check(operation_id).json()["status"])
        clock.advance(86_400)

    # Then it never leaves PENDING/RUNNING
    assert statuses == ["PENDING", "RUNNING", "RUNNING", "RUNNING"]


def test_fails_with_a_reason(api: FakeApiCaller) -> None:
    # Given a vendor that fails deletions at the second check
    api.behave(outcome="FAILED", afterChecks=2)
    operation_id = _start_operation(api)

    # When it is checked twice
    first, second = api.check(operation_id).json(), api.check(operation_id).json()

    # Then the second check reports FAILED with a reason
    assert first["status"] == "PENDING"
    assert second["status"] == "FAILED"
    assert second["reason"]


def test_unknown_customer_is_404_and_creates_no_operation(api: FakeApiCaller) -> None:
    # Given a vendor that does not know the customer
    api.behave(customerId="stranger", unknownCustomer=True)

    # When its deletion is requested
    answer = api.request_deletion("stranger")

    # Then the vendor answers 404 and starts nothing
    assert answer.status == 404
    assert answer.json()["error"] == "CUSTOMER_NOT_FOUND"
    assert api.control("GET", "operations").json()["operations"] == []


def test_unknown_operation_is_404(api: FakeApiCaller) -> None:
    # Given no operations
    # When an unknown operation is checked
    answer = api.check("op-does-not-exist")

    # Then the vendor answers 404
    assert answer.status == 404
    assert answer.json()["error"] == "OPERATION_NOT_FOUND"


def test_renamed_field_drift_changes_both_answers(api: FakeApiCaller) -> None:
    # Given a vendor that renamed operationId to id and status to state
    api.behave(schemaDrift="renamed_field")

    # When a deletion is requested and checked
    accepted = api.request_deletion("c1").json()
    checked = api.check(accepted["id"]).json()

    # Then the old names are gone and the new ones carry the values
    assert "operationId" not in accepted
    assert "status" not in checked
    assert checked["state"] == "COMPLETED"


def test_not_json_drift_answers_html(api: FakeApiCaller) -> None:
    # Given a vendor that answers with an HTML page
    api.behave(schemaDrift="not_json")

    # When a deletion is requested
    answer = api.request_deletion("c1")

    # Then the success status comes with a body that is not JSON
    assert answer.status == 202
    assert answer.headers["Content-Type"] == "text/html"
    with pytest.raises(ValueError):
        answer.json()


def test_fault_every_kth_request(api: FakeApiCaller) -> None:
    # Given a fault on every third request
    api.behave(fault={"status": 503, "every": 3})

    # When seven deletions are requested
    statuses = [api.request_deletion(f"c{index}").status for index in range(7)]

    # Then requests 1, 4 and 7 fail
    assert statuses == [503, 202, 202, 503, 202, 202, 503]


def test_fault_times_lets_the_vendor_recover(api: FakeApiCaller) -> None:
    # Given a fault on every request, but only twice
    api.behave(fault={"status": 429, "times": 2})

    # When four deletions are requested
    statuses = [api.request_deletion("c1").status for _ in range(4)]

    # Then the first two fail and the vendor then recovers
    assert statuses == [429, 429, 202, 202]


def test_seeded_fault_rate_repeats_exactly(api: FakeApiCaller) -> None:
    # Given a 50 % fault rate with a seed
    def run() -> list[int]:
        api.behave(fault={"status": 500, "probability": 0.5, "seed": 7})
        return [api.request_deletion("c1").status for _ in range(20)]

    # When the same sequence is run twice (setting the behaviour restarts the draw)
    first, second = run(), run()

    # Then both runs fail the same requests, and some requests pass
    assert first == second
    assert set(first) == {202, 500}


@pytest.mark.parametrize("retry_after_format", ["seconds", "http-date"])
def test_retry_after_in_both_forms(api: FakeApiCaller, clock: ManualClock, retry_after_format: str) -> None:
    # Given a throttling vendor that asks for a 7-second pause in the given form
    api.behave(fault={"status": 429, "retryAfterSeconds": 7, "retryAfterFormat": retry_after_format})

    # When a deletion is requested
    answer = api.request_deletion("c1")

    # Then the header holds 7 seconds, or the date 7 seconds after the fake's clock
    clock.advance(7)
    expected = "7" if retry_after_format == "seconds" else format_datetime(clock.now(), usegmt=True)
    assert answer.status == 429
    assert answer.headers["Retry-After"] == expected


def test_fault_limited_to_status_checks(api: FakeApiCaller) -> None:
    # Given a fault that hits only status checks
    api.behave(fault={"status": 502, "endpoints": ["operation"]})

    # When a deletion is requested and checked
    requested = api.request_deletion("c1")
    checked = api.check(requested.json()["operationId"])

    # Then the request passes and the check fails
    assert (requested.status, checked.status) == (202, 502)


def test_per_customer_behaviour_overrides_the_default_also_for_its_checks(api: FakeApiCaller) -> None:
    # Given a default that fails status checks, and a healthy behaviour for one customer
    api.behave(fault={"status": 503, "endpoints": ["operation"]})
    api.behave(customerId="healthy", afterChecks=1)

    # When both customers' operations are checked
    healthy = api.check(_start_operation(api, "healthy"))
    other = api.check(_start_operation(api, "other"))

    # Then each check follows its own customer's behaviour
    assert (healthy.status, other.status) == (200, 503)


def test_slow_answer_trips_a_shorter_read_timeout(api: FakeApiCaller) -> None:
    # Given a vendor that answers after one second
    api.behave(delaySeconds=1.0)

    # When the caller waits at most 0.1 seconds for the answer
    # Then the read times out
    with pytest.raises(urllib3.exceptions.ReadTimeoutError):
        api.call("POST", "/customers/c1/deletions", read_timeout=0.1)


def test_a_repeated_request_with_the_same_idempotency_key_gets_the_same_operation(api: FakeApiCaller) -> None:
    # Given a deletion requested with an idempotency key
    first = api.request_deletion("customer-1", idempotency_key="execution-1")

    # When the same request is repeated with the same key, and another one is made with a new key
    repeated = api.request_deletion("customer-1", idempotency_key="execution-1")
    other = api.request_deletion("customer-1", idempotency_key="execution-2")

    # Then the repeat answers the first operation and starts nothing; the new key starts a second one
    assert (first.status, repeated.status, other.status) == (202, 202, 202)
    assert repeated.json()["operationId"] == first.json()["operationId"]
    assert other.json()["operationId"] != first.json()["operationId"]
    assert len(api.control("GET", "operations").json()["operations"]) == 2
    keys = [request["idempotencyKey"] for request in api.control("GET", "requests").json()["requests"]]
    assert keys == ["execution-1", "execution-1", "execution-2"]


def test_an_idempotency_key_reused_for_another_customer_is_refused(api: FakeApiCaller) -> None:
    # Given a deletion requested for one customer with an idempotency key
    assert api.request_deletion("customer-1", idempotency_key="execution-1").status == 202

    # When the key comes again with another customer
    reused = api.request_deletion("customer-2", idempotency_key="execution-1")

    # Then the vendor refuses it and starts nothing
    assert (reused.status, reused.json()["error"]) == (422, "IDEMPOTENCY_KEY_REUSED")
    assert len(api.control("GET", "operations").json()["operations"]) == 1


def test_a_request_answered_too_late_is_not_repeated_by_its_retry(api: FakeApiCaller) -> None:
    # Given a vendor that answers only after the caller has given up, with the operation already started
    api.behave(delaySeconds=0.5)
    with pytest.raises(urllib3.exceptions.ReadTimeoutError):
        api.call("POST", "/customers/c1/deletions", read_timeout=0.1, headers={"Idempotency-Key": "exec-1"})

    # When the caller retries with the same key
    api.behave()
    retried = api.request_deletion("c1", idempotency_key="exec-1")

    # Then the retry is told about the operation the first request started, and there is only that one
    [operation] = api.control("GET", "operations").json()["operations"]
    assert retried.json()["operationId"] == operation["operationId"]
