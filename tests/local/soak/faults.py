"""A mix of vendor faults drawn request by request, in front of the fake vendor of an in-process stack.

The fake vendor's own `Fault` applies one kind of fault per customer; the soak needs every request to draw
from several kinds at once, so this wraps `FakeVendor.handle` and decides before the vendor does:

- 5xx and 429 (with a Retry-After) are answered without the vendor seeing the request;
- a timeout is the vendor doing the work and answering too late: the request is handled, and the answer
  leaves after the client has given up. This is the case that could leave a second, untracked operation.
  The delay is real time, so the soak lowers the client's read timeout (`THIRD_PARTY_READ_TIMEOUT_SECONDS`)
  to a fraction of a second instead of waiting out the default 10 s hundreds of times;
- schema drift is a change of the vendor's API, not a transient fault: it hits chosen customers (2 % in
  the soak), whose answers are renamed (as `SchemaDrift.RENAMED_FIELD`) from their n-th request on, so
  that some drift on the deletion request (the vendor did the work, the client cannot read which
  operation it started) and the rest on a status check. Drawn per request, 2 % drift would end most
  deletions of a four-day soak at their ~40th check with a contract error.
"""

from __future__ import annotations

import json
import random
import threading
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import StrEnum

from local.third_party_fake.behaviour import Endpoint
from local.third_party_fake.vendor import FakeVendor, Reply, route


class FaultKind(StrEnum):
    """What happened to one vendor request."""

    SERVER_ERROR = "5xx"
    THROTTLED = "429"
    TIMEOUT = "timeout"
    SCHEMA_DRIFT = "schema drift"
    NONE = "none"


@dataclass(frozen=True)
class FaultRates:
    """The share of vendor requests each transient fault hits (the rest are answered normally)."""

    server_error: float = 0.20
    throttled: float = 0.10
    timeout: float = 0.05
    retry_after_seconds: tuple[int, int] = (5, 1_800)
    """Range of the Retry-After of a 429 (above the client's in-process retry limit of 1 s)."""

    def __post_init__(self) -> None:
        if self.server_error + self.throttled + self.timeout > 1:
            raise ValueError("the fault rates add up to more than 1")


_SERVER_ERRORS = (500, 502, 503, 504)
_RENAMED = {"operationId": "id", "status": "state"}


class FaultMix:
    """Wraps one `FakeVendor`'s `handle`; `counts` says how many requests met each fault, by endpoint.

    Each customer's requests (its deletion request and the checks of its operation) draw from their own
    seeded sequence, so what a customer meets does not depend on how its requests interleave with others'.
    """

    def __init__(
        self,
        rates: FaultRates,
        *,
        seed: int,
        late_by_seconds: float,
        drift_after: Mapping[str, int],
        late_first_deletion: frozenset[str] = frozenset(),
    ) -> None:
        """`drift_after`: customer id -> how many of its requests are answered before its answers drift;
        `late_first_deletion`: customers whose first deletion request is answered after the client gave up
        (whatever the draw), so that the case the idempotency key exists for is always met."""
        self._rates = rates
        self._seed = seed
        self._late_by_seconds = late_by_seconds
        self._drift_after = dict(drift_after)
        self._late_first_deletion = late_first_deletion
        self._lock = threading.Lock()
        self._customer_of_operation: dict[str, str] = {}
        self._requests_of: Counter[str] = Counter()
        self.counts: Counter[tuple[str, FaultKind]] = Counter()
        self.drifted_deletion_requests: set[str] = set()
        """Customers whose deletion request was carried out but answered in the drifted schema."""

    def install(self, vendor: FakeVendor) -> None:
        """From now on, every request to `vendor`'s API routes meets the mix."""
        handle = vendor.handle

        def handle_with_faults(
            method: str, raw_path: str, presented_key: str | None, idempotency_key: str | None = None
        ) -> Reply:
            matched = route(method, raw_path)
            if matched is None:
                return handle(method, raw_path, presented_key, idempotency_key)
            endpoint, identifier = matched
            deletion = endpoint is Endpoint.DELETION
            with self._lock:
                customer = identifier if deletion else self._customer_of_operation.get(identifier, identifier)
                number = self._requests_of[customer]
                self._requests_of[customer] += 1
                draws = random.Random(f"{self._seed}:{customer}:{number}")
                kind = self._kind(draws.random(), customer, number, deletion)
                self.counts[(endpoint.value, kind)] += 1
                if deletion and kind is FaultKind.SCHEMA_DRIFT:
                    self.drifted_deletion_requests.add(identifier)
            if kind is FaultKind.SERVER_ERROR:
                return self._error(draws.choice(_SERVER_ERRORS))
            if kind is FaultKind.THROTTLED:
                return self._error(429, {"Retry-After": str(draws.randint(*self._rates.retry_after_seconds))})
            reply = handle(method, raw_path, presented_key, idempotency_key)
            if deletion and reply.status == 202:
                with self._lock:
                    self._customer_of_operation[json.loads(reply.body)["operationId"]] = identifier
            if kind is FaultKind.TIMEOUT:
                return replace(reply, delay_seconds=self._late_by_seconds)
            if kind is FaultKind.SCHEMA_DRIFT and 200 <= reply.status < 300:
                renamed = {_RENAMED.get(key, key): value for key, value in json.loads(reply.body).items()}
                return replace(reply, body=json.dumps(renamed).encode())
            return reply

        # The HTTP handler calls `vendor.handle`: an instance attribute shadows the method.
        setattr(vendor, "handle", handle_with_faults)  # noqa: B010

    def injected(self, kind: FaultKind, endpoint: str | None = None) -> int:
        """How many requests (to `endpoint`, or to any) met `kind`."""
        return sum(
            count for (where, met), count in self.counts.items() if met is kind and endpoint in (None, where)
        )

    def _kind(self, draw: float, customer: str, number: int, deletion: bool) -> FaultKind:
        if deletion and customer in self._late_first_deletion and number == 0:
            return FaultKind.TIMEOUT
        bound = 0.0
        for kind, rate in (
            (FaultKind.SERVER_ERROR, self._rates.server_error),
            (FaultKind.THROTTLED, self._rates.throttled),
            (FaultKind.TIMEOUT, self._rates.timeout),
        ):
            bound += rate
            if draw < bound:
                return kind
        drifts = customer in self._drift_after and number >= self._drift_after[customer]
        return FaultKind.SCHEMA_DRIFT if drifts else FaultKind.NONE

    @staticmethod
    def _error(status: int, headers: dict[str, str] | None = None) -> Reply:
        body = json.dumps({"error": "INJECTED_FAULT", "message": f"soak fault: HTTP {status}"}).encode()
        return Reply(status, body, headers=headers or {})
