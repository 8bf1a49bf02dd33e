"""The fake vendor's state and decisions, independent of HTTP: what each request is answered."""

from __future__ import annotations

import hmac
import json
import random
import threading
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from email.utils import format_datetime
from typing import Any
from urllib.parse import unquote, urlsplit

from local.third_party_fake.behaviour import (
    Behaviour,
    Endpoint,
    Fault,
    Outcome,
    RetryAfterFormat,
    SchemaDrift,
)

Clock = Callable[[], datetime]

_NOT_JSON_BODY = b"<html><body><h1>Our API has moved</h1></body></html>"


@dataclass(frozen=True)
class Reply:
    """An HTTP answer, to be sent after ``delay_seconds``."""

    status: int
    body: bytes
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    delay_seconds: float = 0.0

    @classmethod
    def json(cls, status: int, payload: object, *, delay_seconds: float = 0.0) -> Reply:
        """A JSON answer."""
        return cls(status, json.dumps(payload).encode(), delay_seconds=delay_seconds)


@dataclass
class _Operation:
    operation_id: str
    customer_id: str
    created_at: datetime
    checks: int = 0
    final_status: str | None = None


@dataclass(frozen=True)
class RecordedRequest:
    """One request to a vendor route, as listed by ``GET /_control/requests``."""

    method: str
    path: str
    endpoint: str | None
    customer_id: str | None
    operation_id: str | None
    api_key_accepted: bool
    status: int
    at: str

    def to_json(self) -> dict[str, Any]:
        """The camelCase form served over HTTP."""
        names = {
            "customer_id": "customerId",
            "operation_id": "operationId",
            "api_key_accepted": "apiKeyAccepted",
        }
        return {names.get(key, key): value for key, value in asdict(self).items()}


class _FaultSelector:
    """Decides, request by request, whether a fault hits; the same sequence gives the same answers."""

    def __init__(self, fault: Fault) -> None:
        self._fault = fault
        self._seen = 0
        self._hit = 0
        self._random = random.Random(fault.seed)

    def hits(self) -> bool:
        self._seen += 1
        if self._fault.probability is not None:
            hit = self._random.random() < self._fault.probability
        else:
            hit = (self._seen - 1) % self._fault.every == 0
        if self._fault.times is not None and self._hit >= self._fault.times:
            return False
        if hit:
            self._hit += 1
        return hit


@dataclass
class _ScopedBehaviour:
    behaviour: Behaviour
    faults: _FaultSelector | None

    @classmethod
    def of(cls, behaviour: Behaviour) -> _ScopedBehaviour:
        return cls(behaviour, _FaultSelector(behaviour.fault) if behaviour.fault else None)


def route(method: str, raw_path: str) -> tuple[Endpoint, str] | None:
    """The vendor route and its (unescaped) id for a request line, or None if it is not a vendor route."""
    segments = urlsplit(raw_path).path.strip("/").split("/")
    if method == "POST" and len(segments) == 3 and segments[0] == "customers" and segments[2] == "deletions":
        identifier, endpoint = segments[1], Endpoint.DELETION
    elif method == "GET" and len(segments) == 2 and segments[0] == "operations":
        identifier, endpoint = segments[1], Endpoint.OPERATION
    else:
        return None
    return (endpoint, unquote(identifier)) if identifier else None


class FakeVendor:
    """In-memory vendor: operations, behaviours, and a log of requests. Safe to call from many threads."""

    def __init__(self, *, api_key: str, clock: Clock) -> None:
        self._initial_api_key = api_key
        self._clock = clock
        self._lock = threading.Lock()
        self._reset_state()

    def _reset_state(self) -> None:
        self._api_key = self._initial_api_key
        self._default = _ScopedBehaviour.of(Behaviour())
        self._per_customer: dict[str, _ScopedBehaviour] = {}
        self._operations: dict[str, _Operation] = {}
        self._requests: list[RecordedRequest] = []

    def reset(self) -> None:
        """Forget operations, behaviours and requests; restore the initial API key."""
        with self._lock:
            self._reset_state()

    def set_behaviour(self, behaviour: Behaviour, customer_id: str | None = None) -> None:
        """Set the behaviour for one customer, or the default for all (fault counters start afresh)."""
        with self._lock:
            if customer_id is None:
                self._default = _ScopedBehaviour.of(behaviour)
            else:
                self._per_customer[customer_id] = _ScopedBehaviour.of(behaviour)

    def set_api_key(self, api_key: str) -> None:
        """Accept only ``api_key`` from now on (a key rotation)."""
        with self._lock:
            self._api_key = api_key

    def behaviours(self) -> dict[str, Any]:
        """The default behaviour and the per-customer ones, JSON-ready."""
        with self._lock:
            return {
                "default": self._default.behaviour.model_dump(mode="json"),
                "customers": {
                    customer: scoped.behaviour.model_dump(mode="json")
                    for customer, scoped in self._per_customer.items()
                },
            }

    def requests(self) -> list[dict[str, Any]]:
        """Every request to a vendor route so far, oldest first."""
        with self._lock:
            return [request.to_json() for request in self._requests]

    def operations(self) -> list[dict[str, Any]]:
        """Every operation created so far, oldest first."""
        with self._lock:
            return [
                self._describe(operation, operation.final_status) for operation in self._operations.values()
            ]

    def handle(self, method: str, raw_path: str, presented_key: str | None) -> Reply:
        """Answer one request to the vendor API and record it."""
        matched = route(method, raw_path)
        endpoint, identifier = matched if matched else (None, None)
        with self._lock:
            operation = self._operations.get(identifier or "") if endpoint is Endpoint.OPERATION else None
            customer_id = (
                operation.customer_id if operation else identifier if endpoint is Endpoint.DELETION else None
            )
            key_accepted = presented_key is not None and hmac.compare_digest(
                presented_key.encode(), self._api_key.encode()
            )
            if endpoint is None or identifier is None:
                reply = Reply.json(
                    404, {"error": "NOT_FOUND", "message": f"no route for {method} {raw_path}"}
                )
            elif presented_key is None:
                reply = Reply.json(401, {"error": "MISSING_API_KEY"})
            elif not key_accepted:
                reply = Reply.json(403, {"error": "INVALID_API_KEY"})
            else:
                reply = self._answer(endpoint, identifier, customer_id, operation)
            self._requests.append(
                RecordedRequest(
                    method=method,
                    path=raw_path,
                    endpoint=endpoint.value if endpoint else None,
                    customer_id=customer_id,
                    operation_id=identifier if endpoint is Endpoint.OPERATION else None,
                    api_key_accepted=key_accepted,
                    status=reply.status,
                    at=self._clock().isoformat(),
                )
            )
        return reply

    def _answer(
        self, endpoint: Endpoint, identifier: str, customer_id: str | None, operation: _Operation | None
    ) -> Reply:
        scoped = self._per_customer.get(customer_id, self._default) if customer_id else self._default
        behaviour = scoped.behaviour
        if (
            behaviour.fault
            and endpoint in behaviour.fault.endpoints
            and scoped.faults
            and scoped.faults.hits()
        ):
            return self._fault_reply(behaviour.fault, behaviour.delay_seconds)
        if endpoint is Endpoint.DELETION:
            return self._request_deletion(identifier, behaviour)
        if operation is None:
            return Reply.json(404, {"error": "OPERATION_NOT_FOUND"}, delay_seconds=behaviour.delay_seconds)
        return self._check(operation, behaviour)

    def _fault_reply(self, fault: Fault, delay_seconds: float) -> Reply:
        headers: dict[str, str] = {}
        if fault.retry_after_seconds is not None:
            headers["Retry-After"] = (
                format_datetime(self._clock() + timedelta(seconds=fault.retry_after_seconds), usegmt=True)
                if fault.retry_after_format is RetryAfterFormat.HTTP_DATE
                else str(fault.retry_after_seconds)
            )
        body = json.dumps({"error": "INJECTED_FAULT", "message": f"fake vendor answers {fault.status}"})
        return Reply(fault.status, body.encode(), headers=headers, delay_seconds=delay_seconds)

    def _request_deletion(self, customer_id: str, behaviour: Behaviour) -> Reply:
        if behaviour.unknown_customer:
            return Reply.json(404, {"error": "CUSTOMER_NOT_FOUND"}, delay_seconds=behaviour.delay_seconds)
        operation = _Operation(f"op-{uuid.uuid4().hex}", customer_id, self._clock())
        self._operations[operation.operation_id] = operation
        payload = {"operationId": operation.operation_id, "customerId": customer_id}
        return self._success(202, payload, behaviour)

    def _check(self, operation: _Operation, behaviour: Behaviour) -> Reply:
        operation.checks += 1
        elapsed = (self._clock() - operation.created_at).total_seconds()
        if operation.final_status is None and behaviour.finishes(
            checks=operation.checks, elapsed_seconds=elapsed
        ):
            operation.final_status = behaviour.outcome.value
        status = operation.final_status or ("PENDING" if operation.checks == 1 else "RUNNING")
        return self._success(200, self._describe(operation, status), behaviour)

    def _describe(self, operation: _Operation, status: str | None) -> dict[str, Any]:
        description: dict[str, Any] = {
            "operationId": operation.operation_id,
            "status": status or "PENDING",
            "customerId": operation.customer_id,
            "createdAt": operation.created_at.isoformat(),
            "checks": operation.checks,
        }
        if status == Outcome.FAILED:
            description["reason"] = "the fake vendor was told to fail this deletion"
        return description

    def _success(self, status: int, payload: dict[str, Any], behaviour: Behaviour) -> Reply:
        if behaviour.schema_drift is SchemaDrift.NOT_JSON:
            return Reply(
                status, _NOT_JSON_BODY, content_type="text/html", delay_seconds=behaviour.delay_seconds
            )
        if behaviour.schema_drift is SchemaDrift.RENAMED_FIELD:
            renames = {"operationId": "id", "status": "state"}
            payload = {renames.get(key, key): value for key, value in payload.items()}
        return Reply.json(status, payload, delay_seconds=behaviour.delay_seconds)
