"""The fake vendor's state and decisions, independent of HTTP: what each request is answered.

Given a state directory, the vendor keeps its operations (with their progress), the idempotency keys
that started them, its configured behaviours and its API key in `vendor-state.json`, replaced whole
after every change, and appends each request it answered to `vendor-requests.jsonl`; both are written
before the answer leaves, so a restarted vendor knows every operation it ever acknowledged.
"""

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
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from local.durable_file import read_json, write_json_atomically
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

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "created_at": self.created_at.isoformat()}

    @classmethod
    def from_json(cls, document: dict[str, Any]) -> _Operation:
        return cls(**{**document, "created_at": datetime.fromisoformat(document["created_at"])})


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
    idempotency_key: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The camelCase form served over HTTP."""
        return {_CAMEL_CASE.get(key, key): value for key, value in asdict(self).items()}

    @classmethod
    def from_json(cls, document: dict[str, Any]) -> RecordedRequest:
        """The inverse of `to_json`."""
        snake_case = {camel: snake for snake, camel in _CAMEL_CASE.items()}
        return cls(**{snake_case.get(key, key): value for key, value in document.items()})


_CAMEL_CASE = {
    "customer_id": "customerId",
    "operation_id": "operationId",
    "api_key_accepted": "apiKeyAccepted",
    "idempotency_key": "idempotencyKey",
}


class _FaultSelector:
    """Decides, request by request, whether a fault hits; the same sequence gives the same answers."""

    def __init__(self, fault: Fault, *, seen: int = 0, hit: int = 0) -> None:
        self._fault = fault
        self._seen = 0
        self._hit = 0
        self._random = random.Random(fault.seed)
        # Replaying the draws gives a restarted vendor the same sequence from where it stopped.
        while self._seen < seen:
            self.hits()
        self._hit = hit

    @property
    def counters(self) -> dict[str, int]:
        """How many requests the fault has seen and hit (enough to resume its sequence)."""
        return {"seen": self._seen, "hit": self._hit}

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
    def of(cls, behaviour: Behaviour, counters: dict[str, int] | None = None) -> _ScopedBehaviour:
        faults = _FaultSelector(behaviour.fault, **(counters or {})) if behaviour.fault else None
        return cls(behaviour, faults)

    def to_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {"behaviour": self.behaviour.model_dump(mode="json")}
        if self.faults is not None:
            document["faultCounters"] = self.faults.counters
        return document

    @classmethod
    def from_json(cls, document: dict[str, Any]) -> _ScopedBehaviour:
        return cls.of(Behaviour.model_validate(document["behaviour"]), document.get("faultCounters"))


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


_STATE_FILE = "vendor-state.json"
_REQUESTS_FILE = "vendor-requests.jsonl"


class FakeVendor:
    """The vendor: operations, behaviours, and a log of requests, in memory and, given `state_dir`, on
    disk (see the module docstring). Safe to call from many threads."""

    def __init__(self, *, api_key: str, clock: Clock, state_dir: Path | None = None) -> None:
        self._initial_api_key = api_key
        self._clock = clock
        self._lock = threading.Lock()
        self._state_dir = state_dir
        self._reset_state()
        if state_dir is not None:
            self._load(state_dir)

    def _reset_state(self) -> None:
        self._api_key = self._initial_api_key
        self._default = _ScopedBehaviour.of(Behaviour())
        self._per_customer: dict[str, _ScopedBehaviour] = {}
        self._operations: dict[str, _Operation] = {}
        # Idempotency-Key of a deletion request -> the operation it started.
        self._idempotency_keys: dict[str, str] = {}
        self._requests: list[RecordedRequest] = []

    def reset(self) -> None:
        """Forget operations, idempotency keys, behaviours and requests; restore the initial API key."""
        with self._lock:
            self._reset_state()
            if self._state_dir is not None:
                (self._state_dir / _REQUESTS_FILE).unlink(missing_ok=True)
            self._save()

    def set_behaviour(self, behaviour: Behaviour, customer_id: str | None = None) -> None:
        """Set the behaviour for one customer, or the default for all (fault counters start afresh)."""
        with self._lock:
            if customer_id is None:
                self._default = _ScopedBehaviour.of(behaviour)
            else:
                self._per_customer[customer_id] = _ScopedBehaviour.of(behaviour)
            self._save()

    def set_api_key(self, api_key: str) -> None:
        """Accept only ``api_key`` from now on (a key rotation)."""
        with self._lock:
            self._api_key = api_key
            self._save()

    def _save(self) -> None:
        """Keep the state on disk (called under the lock, before the answer leaves)."""
        if self._state_dir is None:
            return
        document = {
            "apiKey": self._api_key,
            "default": self._default.to_json(),
            "customers": {customer: scoped.to_json() for customer, scoped in self._per_customer.items()},
            "operations": [operation.to_json() for operation in self._operations.values()],
            "idempotencyKeys": self._idempotency_keys,
        }
        write_json_atomically(self._state_dir / _STATE_FILE, document)

    def _record(self, request: RecordedRequest) -> None:
        self._requests.append(request)
        if self._state_dir is not None:
            with (self._state_dir / _REQUESTS_FILE).open("a") as log:
                log.write(json.dumps(request.to_json()) + "\n")

    def _load(self, state_dir: Path) -> None:
        document = read_json(state_dir / _STATE_FILE)
        if document is not None:
            self._api_key = document["apiKey"]
            self._default = _ScopedBehaviour.from_json(document["default"])
            self._per_customer = {
                customer: _ScopedBehaviour.from_json(scoped)
                for customer, scoped in document["customers"].items()
            }
            operations = (_Operation.from_json(operation) for operation in document["operations"])
            self._operations = {operation.operation_id: operation for operation in operations}
            self._idempotency_keys = dict(document.get("idempotencyKeys", {}))
        requests_log = state_dir / _REQUESTS_FILE
        if requests_log.exists():
            for line in requests_log.read_text().splitlines():
                try:
                    self._requests.append(RecordedRequest.from_json(json.loads(line)))
                except ValueError:
                    continue  # a line cut short by a crash: its request got no answer

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

    def handle(
        self, method: str, raw_path: str, presented_key: str | None, idempotency_key: str | None = None
    ) -> Reply:
        """Answer one request to the vendor API and record it.

        A deletion request with an ``idempotency_key`` seen before is answered with the operation that
        key started (for the same customer; for another one it is refused with 422), as real deletion
        APIs do, so a client that timed out can repeat its request without starting a second operation.
        """
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
                reply = self._answer(endpoint, identifier, customer_id, operation, idempotency_key)
            self._record(
                RecordedRequest(
                    method=method,
                    path=raw_path,
                    endpoint=endpoint.value if endpoint else None,
                    customer_id=customer_id,
                    operation_id=identifier if endpoint is Endpoint.OPERATION else None,
                    api_key_accepted=key_accepted,
                    status=reply.status,
                    at=self._clock().isoformat(),
                    idempotency_key=idempotency_key if endpoint is Endpoint.DELETION else None,
                )
            )
            if endpoint is not None and key_accepted:
                self._save()  # an operation created or checked, a fault counted
        return reply

    def _answer(
        self,
        endpoint: Endpoint,
        identifier: str,
        customer_id: str | None,
        operation: _Operation | None,
        idempotency_key: str | None,
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
            return self._request_deletion(identifier, behaviour, idempotency_key)
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

    def _request_deletion(self, customer_id: str, behaviour: Behaviour, idempotency_key: str | None) -> Reply:
        if behaviour.unknown_customer:
            return Reply.json(404, {"error": "CUSTOMER_NOT_FOUND"}, delay_seconds=behaviour.delay_seconds)
        started_id = self._idempotency_keys.get(idempotency_key) if idempotency_key else None
        started = self._operations[started_id] if started_id else None
        if started is not None and started.customer_id != customer_id:
            return Reply.json(
                422,
                {"error": "IDEMPOTENCY_KEY_REUSED", "message": "the key was used for another customer"},
                delay_seconds=behaviour.delay_seconds,
            )
        operation = started or _Operation(f"op-{uuid.uuid4().hex}", customer_id, self._clock())
        if started is None:
            self._operations[operation.operation_id] = operation
            if idempotency_key:
                self._idempotency_keys[idempotency_key] = operation.operation_id
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
