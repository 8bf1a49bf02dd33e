"""With a state directory, a restarted fake vendor knows every operation it acknowledged, with its
progress, its behaviours (fault counters included), its API key and its request log."""

from __future__ import annotations

import json
from pathlib import Path

from local.third_party_fake import Behaviour, FakeVendor, Fault
from tests.local.third_party_fake.conftest import API_KEY, ManualClock


def _vendor(state_dir: Path, clock: ManualClock) -> FakeVendor:
    return FakeVendor(api_key=API_KEY, clock=clock.now, state_dir=state_dir)


def _request_deletion(vendor: FakeVendor, customer_id: str, api_key: str = API_KEY) -> str:
    reply = vendor.handle("POST", f"/customers/{customer_id}/deletions", api_key)
    assert reply.status == 202, reply.body
    operation_id: str = vendor.operations()[-1]["operationId"]
    return operation_id


def test_a_restarted_vendor_continues_every_operation_where_it_stood(tmp_path: Path) -> None:
    # Given a vendor that completes deletions an hour after the request and has checked one operation once
    clock = ManualClock()
    first = _vendor(tmp_path, clock)
    first.set_behaviour(Behaviour(after_seconds=3600))
    operation_id = _request_deletion(first, "C-1")
    assert first.handle("GET", f"/operations/{operation_id}", API_KEY).status == 200

    # When it is replaced by a new one on the same state directory (a restart)
    second = _vendor(tmp_path, clock)

    # Then it knows the operation, its checks, its behaviour and the request log
    assert second.operations() == first.operations()
    assert second.behaviours() == first.behaviours()
    assert second.requests() == first.requests()

    # And the operation completes an hour after it was requested, as it would have without the restart
    clock.advance(3600)
    reply = second.handle("GET", f"/operations/{operation_id}", API_KEY)
    assert json.loads(reply.body)["status"] == "COMPLETED"
    assert second.operations()[0]["checks"] == 2


def test_a_restarted_vendor_keeps_its_fault_sequence_and_rotated_key(tmp_path: Path) -> None:
    # Given a vendor failing every second deletion request, after one request and a key rotation
    clock = ManualClock()
    first = _vendor(tmp_path, clock)
    first.set_behaviour(Behaviour(fault=Fault(status=503, every=2)))
    first.set_api_key("rotated")
    assert first.handle("POST", "/customers/C-1/deletions", "rotated").status == 503

    # When it restarts
    second = _vendor(tmp_path, clock)

    # Then the old key is refused, and the fault sequence goes on where it was: the next request passes
    assert second.handle("POST", "/customers/C-2/deletions", API_KEY).status == 403
    assert second.handle("POST", "/customers/C-2/deletions", "rotated").status == 202
    assert second.handle("POST", "/customers/C-3/deletions", "rotated").status == 503


def test_a_restarted_vendor_remembers_the_idempotency_keys_it_answered(tmp_path: Path) -> None:
    # Given a vendor that started an operation for a request with an idempotency key
    clock = ManualClock()
    first = _vendor(tmp_path, clock)
    path = "/customers/C-1/deletions"
    assert first.handle("POST", path, API_KEY, "exec-1").status == 202
    [operation] = first.operations()

    # When it restarts and the same request comes again
    second = _vendor(tmp_path, clock)
    reply = second.handle("POST", path, API_KEY, "exec-1")

    # Then it answers the operation it started before the restart and starts no other
    assert (reply.status, json.loads(reply.body)["operationId"]) == (202, operation["operationId"])
    assert [known["operationId"] for known in second.operations()] == [operation["operationId"]]


def test_without_a_state_directory_nothing_is_written(tmp_path: Path) -> None:
    # Given a vendor kept in memory
    vendor = FakeVendor(api_key=API_KEY, clock=ManualClock().now)

    # When it acknowledges a deletion
    _request_deletion(vendor, "C-1")

    # Then a vendor on any directory knows nothing of it
    assert _vendor(tmp_path, ManualClock()).operations() == []
    assert list(tmp_path.iterdir()) == []
