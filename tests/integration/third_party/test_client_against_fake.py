"""The deletion API client against the fake vendor over HTTP: each answer maps to a result or named error."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from functions.consent_deletion.third_party import (
    DeletionApiClient,
    DeletionOutcome,
    OperationState,
    StaticApiKey,
    ThirdPartyContractError,
    ThirdPartyRejected,
    ThirdPartyUnavailable,
)
from local.third_party_fake import Behaviour, FakeThirdPartyApi, Fault, Outcome, SchemaDrift

API_KEY = "client-test-api-key"


def _statuses_seen_by(fake_api: FakeThirdPartyApi) -> list[int]:
    return [request["status"] for request in fake_api.vendor.requests()]


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A port that is bound but not listening, so connecting to it is refused (no race with other tests)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as reserved:
        reserved.bind(("127.0.0.1", 0))
        yield reserved.getsockname()[1]


def test_happy_path_goes_pending_running_completed(
    fake_api: FakeThirdPartyApi, client: DeletionApiClient
) -> None:
    # Given a vendor that finishes at the third check
    fake_api.vendor.set_behaviour(Behaviour(after_checks=3))

    # When a deletion is requested and its operation checked three times
    requested = client.request_deletion("customer-1")
    assert requested.operation_id is not None
    statuses = [client.get_operation(requested.operation_id) for _ in range(3)]

    # Then the operation was accepted and moved PENDING -> RUNNING -> COMPLETED
    assert requested.outcome is DeletionOutcome.ACCEPTED
    assert not requested.nothing_to_delete
    assert [status.status for status in statuses] == [
        OperationState.PENDING,
        OperationState.RUNNING,
        OperationState.COMPLETED,
    ]
    assert all(status.operation_id == requested.operation_id for status in statuses)
    # and fields the vendor adds to the contract are kept, not refused
    assert statuses[-1].model_extra is not None
    assert statuses[-1].model_extra["customerId"] == "customer-1"


def test_vendor_failure_is_a_status_not_an_error(
    fake_api: FakeThirdPartyApi, client: DeletionApiClient
) -> None:
    # Given a vendor that fails the deletion
    fake_api.vendor.set_behaviour(Behaviour(outcome=Outcome.FAILED))
    requested = client.request_deletion("customer-1")
    assert requested.operation_id is not None

    # When the operation is checked
    status = client.get_operation(requested.operation_id)

    # Then the status is FAILED and terminal
    assert status.status is OperationState.FAILED
    assert status.status.is_terminal


def test_unknown_customer_means_nothing_to_delete(
    fake_api: FakeThirdPartyApi, client: DeletionApiClient
) -> None:
    # Given a vendor that does not know the customer
    fake_api.vendor.set_behaviour(Behaviour(unknown_customer=True), customer_id="stranger")

    # When the deletion is requested
    requested = client.request_deletion("stranger")

    # Then the result says the deletion is complete with nothing to delete, and has no operation
    assert requested.outcome is DeletionOutcome.NOTHING_TO_DELETE
    assert requested.nothing_to_delete
    assert requested.operation_id is None
    assert requested.model_dump(mode="json") == {
        "customerId": "stranger",
        "outcome": "NOTHING_TO_DELETE",
        "operationId": None,
    }


def test_customer_id_is_escaped_into_one_path_segment(
    fake_api: FakeThirdPartyApi, client: DeletionApiClient
) -> None:
    # Given a customer id holding characters that mean something in a URL
    customer_id = "../a/b?c=1#d %e"

    # When its deletion is requested
    client.request_deletion(customer_id)

    # Then the vendor receives it as one escaped segment and decodes it back unchanged
    [request] = fake_api.vendor.requests()
    assert request["path"] == "/customers/..%2Fa%2Fb%3Fc%3D1%23d%20%25e/deletions"
    assert request["customerId"] == customer_id


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_errors_are_unavailable(
    fake_api: FakeThirdPartyApi, client: DeletionApiClient, status: int
) -> None:
    # Given a vendor answering with a server error
    fake_api.vendor.set_behaviour(Behaviour(fault=Fault(status=status)))

    # When a deletion is requested
    with pytest.raises(ThirdPartyUnavailable) as raised:
        client.request_deletion("customer-1")

    # Then it is transient, with the status and no Retry-After
    assert raised.value.status_code == status
    assert raised.value.retry_after is None


def test_429_with_retry_after_seconds_surfaces_the_wait(
    fake_api: FakeThirdPartyApi, client: DeletionApiClient
) -> None:
    # Given a vendor throttling with Retry-After: 120
    fake_api.vendor.set_behaviour(Behaviour(fault=Fault(status=429, retry_after_seconds=120)))

    # When a deletion is requested
    with pytest.raises(ThirdPartyUnavailable) as raised:
        client.request_deletion("customer-1")

    # Then the error carries the 120 seconds
    assert raised.value.status_code == 429
    assert raised.value.retry_after == 120


def test_429_with_retry_after_http_date_surfaces_the_wait() -> None:
    # Given a vendor and a client that share a clock, the vendor throttling with an HTTP-date 90 s ahead
    now = datetime(2030, 5, 6, 7, 8, 9, tzinfo=UTC)
    with FakeThirdPartyApi(api_key=API_KEY, clock=lambda: now) as fake:
        fake.vendor.set_behaviour(
            Behaviour(fault=Fault(status=429, retry_after_seconds=90, retry_after_format="http-date"))
        )
        client = DeletionApiClient(
            fake.base_url, StaticApiKey(API_KEY), max_in_process_retries=0, clock=lambda: now
        )

        # When a deletion is requested
        with pytest.raises(ThirdPartyUnavailable) as raised:
            client.request_deletion("customer-1")

    # Then the date is turned into the 90 seconds from now
    assert raised.value.retry_after == 90


def test_retry_after_date_in_the_past_means_no_wait() -> None:
    # Given a client whose clock is an hour ahead of the vendor's Retry-After date
    vendor_now = datetime(2030, 5, 6, 7, 8, 9, tzinfo=UTC)
    with FakeThirdPartyApi(api_key=API_KEY, clock=lambda: vendor_now) as fake:
        fake.vendor.set_behaviour(
            Behaviour(fault=Fault(status=503, retry_after_seconds=30, retry_after_format="http-date"))
        )
        client = DeletionApiClient(
            fake.base_url,
            StaticApiKey(API_KEY),
            max_in_process_retries=0,
            clock=lambda: vendor_now + timedelta(hours=1),
        )

        # When a deletion is requested
        with pytest.raises(ThirdPartyUnavailable) as raised:
            client.request_deletion("customer-1")

    # Then the wait is zero, never negative
    assert raised.value.retry_after == 0


def test_read_timeout_is_unavailable(fake_api: FakeThirdPartyApi) -> None:
    # Given a vendor that answers after 1 s and a client that waits 0.2 s
    fake_api.vendor.set_behaviour(Behaviour(delay_seconds=1.0))
    client = DeletionApiClient(fake_api.base_url, StaticApiKey(API_KEY), read_timeout_seconds=0.2)

    # When a deletion is requested
    with pytest.raises(ThirdPartyUnavailable) as raised:
        client.request_deletion("customer-1")

    # Then it is transient, and the request was sent once (a POST that may have landed is not repeated)
    assert raised.value.status_code is None
    assert len(fake_api.vendor.requests()) == 1


def test_a_request_retried_after_a_read_timeout_gets_the_operation_the_first_one_started(
    fake_api: FakeThirdPartyApi,
) -> None:
    # Given a vendor that starts the operation but answers after the client has given up
    fake_api.vendor.set_behaviour(Behaviour(delay_seconds=1.0))
    client = DeletionApiClient(fake_api.base_url, StaticApiKey(API_KEY), read_timeout_seconds=0.2)
    with pytest.raises(ThirdPartyUnavailable):
        client.request_deletion("customer-1", idempotency_key="execution-1")

    # When the request is retried with the same idempotency key, the vendor now answering in time
    fake_api.vendor.set_behaviour(Behaviour())
    retried = client.request_deletion("customer-1", idempotency_key="execution-1")

    # Then the retry got the operation the first request started, and no second one exists
    [operation] = fake_api.vendor.operations()
    assert retried.operation_id == operation["operationId"]
    assert [request["idempotencyKey"] for request in fake_api.vendor.requests()] == ["execution-1"] * 2


def test_connection_refused_is_unavailable(closed_port: int) -> None:
    # Given nothing listening on the vendor's port
    client = DeletionApiClient(
        f"http://127.0.0.1:{closed_port}", StaticApiKey(API_KEY), connect_timeout_seconds=0.5
    )

    # When a deletion is requested
    # Then it is transient
    with pytest.raises(ThirdPartyUnavailable):
        client.request_deletion("customer-1")


@pytest.mark.parametrize("status", [400, 403, 409, 422])
def test_other_client_errors_are_rejections(
    fake_api: FakeThirdPartyApi, client: DeletionApiClient, status: int
) -> None:
    # Given a vendor refusing the request
    fake_api.vendor.set_behaviour(Behaviour(fault=Fault(status=status)))

    # When a deletion is requested
    with pytest.raises(ThirdPartyRejected) as raised:
        client.request_deletion("customer-1")

    # Then it is a rejection with the status
    assert raised.value.status_code == status


def test_wrong_api_key_is_rejected(fake_api: FakeThirdPartyApi) -> None:
    # Given a client holding the wrong key
    client = DeletionApiClient(fake_api.base_url, StaticApiKey("not-the-key"))

    # When a deletion is requested
    with pytest.raises(ThirdPartyRejected) as raised:
        client.request_deletion("customer-1")

    # Then the vendor refused the key and the client did not try again with the same key
    assert raised.value.status_code in (401, 403)
    assert [request["apiKeyAccepted"] for request in fake_api.vendor.requests()] == [False]


def test_unknown_operation_is_rejected(client: DeletionApiClient) -> None:
    # When an operation the vendor never issued is checked
    with pytest.raises(ThirdPartyRejected) as raised:
        client.get_operation("op-unknown")

    # Then it is a rejection (only a 404 on delete means nothing to delete)
    assert raised.value.status_code == 404


@pytest.mark.parametrize("drift", [SchemaDrift.RENAMED_FIELD, SchemaDrift.NOT_JSON])
def test_schema_drift_on_request_is_a_contract_error(
    fake_api: FakeThirdPartyApi, client: DeletionApiClient, drift: SchemaDrift
) -> None:
    # Given a vendor whose deletion answers changed shape
    fake_api.vendor.set_behaviour(Behaviour(schema_drift=drift))

    # When a deletion is requested
    # Then it is a contract error
    with pytest.raises(ThirdPartyContractError):
        client.request_deletion("customer-1")


@pytest.mark.parametrize("drift", [SchemaDrift.RENAMED_FIELD, SchemaDrift.NOT_JSON])
def test_schema_drift_on_status_is_a_contract_error(
    fake_api: FakeThirdPartyApi, client: DeletionApiClient, drift: SchemaDrift
) -> None:
    # Given an accepted deletion, after which the vendor's status answers changed shape
    requested = client.request_deletion("customer-1")
    assert requested.operation_id is not None
    fake_api.vendor.set_behaviour(Behaviour(schema_drift=drift))

    # When the operation is checked
    with pytest.raises(ThirdPartyContractError) as raised:
        client.get_operation(requested.operation_id)

    # Then it is a contract error that names what is missing when the body is JSON
    if drift is SchemaDrift.RENAMED_FIELD:
        assert "status" in str(raised.value)


def test_short_retry_after_is_retried_once_in_process(fake_api: FakeThirdPartyApi) -> None:
    # Given a vendor that throttles every other request with Retry-After: 0
    fake_api.vendor.set_behaviour(Behaviour(fault=Fault(status=429, retry_after_seconds=0, every=2)))
    waits: list[float] = []
    client = DeletionApiClient(fake_api.base_url, StaticApiKey(API_KEY), sleep=waits.append)

    # When a deletion is requested
    requested = client.request_deletion("customer-1")

    # Then the client waited the vendor's 0 s, asked again and got the operation
    assert requested.outcome is DeletionOutcome.ACCEPTED
    assert waits == [0]
    assert _statuses_seen_by(fake_api) == [429, 202]


def test_in_process_retry_is_bounded(fake_api: FakeThirdPartyApi) -> None:
    # Given a vendor that always throttles with Retry-After: 0
    fake_api.vendor.set_behaviour(Behaviour(fault=Fault(status=503, retry_after_seconds=0)))
    waits: list[float] = []
    client = DeletionApiClient(fake_api.base_url, StaticApiKey(API_KEY), sleep=waits.append)

    # When a deletion is requested
    with pytest.raises(ThirdPartyUnavailable):
        client.request_deletion("customer-1")

    # Then the client tried twice in all and then left the waiting to the state machine
    assert waits == [0]
    assert _statuses_seen_by(fake_api) == [503, 503]


@pytest.mark.parametrize(
    "fault",
    [
        Fault(status=429, retry_after_seconds=120),
        Fault(status=500, retry_after_seconds=0),
        Fault(status=503),
    ],
    ids=["long-retry-after", "not-a-throttle", "no-retry-after"],
)
def test_no_in_process_retry_without_a_short_throttle(fake_api: FakeThirdPartyApi, fault: Fault) -> None:
    # Given a transient failure the client should not wait out itself
    fake_api.vendor.set_behaviour(Behaviour(fault=fault))
    waits: list[float] = []
    client = DeletionApiClient(fake_api.base_url, StaticApiKey(API_KEY), sleep=waits.append)

    # When a deletion is requested
    with pytest.raises(ThirdPartyUnavailable):
        client.request_deletion("customer-1")

    # Then exactly one request was sent and nothing was waited for
    assert waits == []
    assert len(fake_api.vendor.requests()) == 1
