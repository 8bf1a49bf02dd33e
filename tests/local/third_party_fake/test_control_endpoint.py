"""The fake's control routes, its lifecycle, and running it alone with ``python -m``."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import urllib3
import urllib3.exceptions

from local.third_party_fake import Behaviour, FakeThirdPartyApi

if TYPE_CHECKING:
    from tests.local.third_party_fake.conftest import FakeApiCaller

REPOSITORY_ROOT = Path(__file__).resolve().parents[3]


def test_requests_lists_vendor_calls_with_raw_path_and_decoded_ids(api: FakeApiCaller) -> None:
    # Given a deletion for a customer id that needs escaping, and its status check
    operation_id = api.request_deletion("a%2Fb%20c").json()["operationId"]
    api.check(operation_id)

    # When the request log is read
    requests = api.control("GET", "requests").json()["requests"]

    # Then it lists the two vendor calls (not the control calls), raw paths and decoded ids
    assert [(request["method"], request["path"]) for request in requests] == [
        ("POST", "/customers/a%2Fb%20c/deletions"),
        ("GET", f"/operations/{operation_id}"),
    ]
    assert [request["customerId"] for request in requests] == ["a/b c", "a/b c"]
    assert requests[1]["operationId"] == operation_id


def test_behaviour_is_listed_per_scope(api: FakeApiCaller) -> None:
    # Given a default and a per-customer behaviour
    api.behave(outcome="NEVER")
    api.behave(customerId="c9", delaySeconds=0.5, fault={"status": 500, "every": 2})

    # When the behaviours are read
    behaviours = api.control("GET", "behaviour").json()

    # Then both are there, as set
    assert behaviours["default"]["outcome"] == "NEVER"
    assert behaviours["customers"]["c9"]["delaySeconds"] == 0.5
    assert behaviours["customers"]["c9"]["fault"]["every"] == 2


def test_reset_forgets_everything(api: FakeApiCaller) -> None:
    # Given behaviours, an operation, logged requests and a rotated key
    api.behave(outcome="NEVER")
    api.behave(customerId="c1", unknownCustomer=True)
    operation_id = api.request_deletion("c2").json()["operationId"]
    api.control("POST", "api-key", {"apiKey": "rotated"})

    # When the fake is reset
    assert api.control("POST", "reset").status == 200

    # Then operations, requests and behaviours are gone and the initial key works again
    assert api.control("GET", "operations").json()["operations"] == []
    assert api.control("GET", "requests").json()["requests"] == []
    assert api.control("GET", "behaviour").json() == {
        "default": Behaviour().model_dump(mode="json"),
        "customers": {},
    }
    assert api.check(operation_id).status == 404
    assert api.request_deletion("c1").status == 202


def test_api_key_can_be_rotated(api: FakeApiCaller) -> None:
    # Given a vendor whose key was rotated
    assert api.control("POST", "api-key", {"apiKey": "new-key"}).status == 200

    # When calls come with the old and the new key
    old = api.call("POST", "/customers/c1/deletions")
    new = api.call("POST", "/customers/c1/deletions", api_key="new-key")

    # Then only the new key is accepted
    assert (old.status, new.status) == (403, 202)


@pytest.mark.parametrize(
    "body",
    [
        {"afterChecks": 2, "afterSeconds": 10},
        {"outcome": "NEVER", "afterChecks": 2},
        {"afterChecks": 0},
        {"outcome": "SOMETIMES"},
        {"fault": {"status": 302}},
        {"fault": {"every": 2, "probability": 0.5}},
        {"unknownField": True},
    ],
)
def test_invalid_behaviour_is_refused_and_changes_nothing(
    api: FakeApiCaller, body: dict[str, object]
) -> None:
    # Given the default behaviour
    before = api.control("GET", "behaviour").json()

    # When an invalid behaviour is posted
    answer = api.control("POST", "behaviour", body)

    # Then it is refused with details, and the behaviour is unchanged
    assert answer.status == 400
    assert answer.json()["details"]
    assert api.control("GET", "behaviour").json() == before


def test_control_body_that_is_not_json_is_refused(api: FakeApiCaller) -> None:
    # When a control body is not JSON
    answer = api.control("POST", "api-key", "not an object")

    # Then it is refused
    assert answer.status == 400


def test_unknown_routes_are_404(api: FakeApiCaller) -> None:
    # When unknown control and vendor routes are called
    control = api.control("POST", "explode")
    vendor = api.call("DELETE", "/customers/c1")

    # Then both are 404
    assert (control.status, vendor.status) == (404, 404)


def test_stop_cuts_delayed_answers_short_and_frees_the_port() -> None:
    # Given a fake whose answers take a minute, and a caller waiting for one
    fake = FakeThirdPartyApi(api_key="k")
    base_url = fake.start()
    fake.vendor.set_behaviour(Behaviour(delay_seconds=60))
    outcome: list[BaseException | int] = []

    def call() -> None:
        try:
            outcome.append(
                urllib3.request(
                    "POST", f"{base_url}/customers/c1/deletions", headers={"x-api-key": "k"}, retries=False
                ).status
            )
        except urllib3.exceptions.HTTPError as error:
            outcome.append(error)

    caller = threading.Thread(target=call)
    caller.start()
    while not fake.vendor.requests():
        threading.Event().wait(0.01)

    # When the fake stops
    fake.stop()
    caller.join(timeout=30)

    # Then the waiting caller is released without an answer, and nothing listens any more
    assert not caller.is_alive()
    assert len(outcome) == 1
    assert isinstance(outcome[0], urllib3.exceptions.HTTPError)
    with pytest.raises(urllib3.exceptions.HTTPError):
        urllib3.request("GET", f"{base_url}/_control/requests", retries=False)


def test_python_dash_m_serves_on_the_requested_port() -> None:
    # Given the fake started alone on a free port
    process = subprocess.Popen(
        [sys.executable, "-m", "local.third_party_fake", "--port", "0", "--api-key", "cli-key"],
        cwd=REPOSITORY_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        banner = process.stdout.readline()
        base_url = banner.split(" on ", 1)[1].split()[0]

        # When a deletion is requested with the key given on the command line
        answer = urllib3.request(
            "POST", f"{base_url}/customers/c1/deletions", headers={"x-api-key": "cli-key"}
        )

        # Then it is accepted
        assert answer.status == 202
        assert answer.json()["operationId"]
    finally:
        process.terminate()
        process.wait(timeout=10)
