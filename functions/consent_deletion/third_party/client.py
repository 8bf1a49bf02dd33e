"""HTTP client of the vendor's asynchronous deletion API (contract in DESIGN.md).

Uses urllib3, which the Lambda Python runtime already ships with botocore.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar
from urllib.parse import quote

import urllib3
from pydantic import BaseModel, ValidationError
from urllib3.exceptions import HTTPError, LocationValueError

from functions.common.clock import Clock, utc_now
from functions.consent_deletion.third_party.api_key import ApiKeySource, SecretsManagerApiKey
from functions.consent_deletion.third_party.errors import (
    ThirdPartyConfigurationError,
    ThirdPartyContractError,
    ThirdPartyRejected,
    ThirdPartyUnavailable,
)
from functions.consent_deletion.third_party.models import (
    DeletionAccepted,
    DeletionOutcome,
    DeletionRequested,
    OperationStatus,
)
from functions.consent_deletion.third_party.retry_after import parse_retry_after
from functions.consent_deletion.third_party.settings import ThirdPartySettings

logger = logging.getLogger(__name__)

_ResponseModel = TypeVar("_ResponseModel", bound=BaseModel)

_UNAUTHORISED = frozenset({401, 403})
_TRANSIENT_CLIENT_ERRORS = frozenset({408, 429})
# Statuses whose Retry-After means "not processed, come back then": repeating even a POST is safe.
_THROTTLED = frozenset({429, 503})
_NOT_FOUND = 404
_BODY_EXCERPT_CHARS = 200
IDEMPOTENCY_KEY_HEADER = "Idempotency-Key"


def _path_segment(value: str) -> str:
    # safe="" so "/", "?", "#" and "%" in an id cannot change the path or the query.
    return quote(value, safe="")


def _excerpt(body: bytes) -> str:
    return body[:_BODY_EXCERPT_CHARS].decode("utf-8", errors="replace")


class DeletionApiClient:
    """Calls the vendor's deletion API and turns every answer into a model or a named error.

    Waiting out an outage is the state machine's job, not the client's: the client raises
    ``ThirdPartyUnavailable`` carrying the vendor's ``Retry-After`` and the Task's ``Retry`` waits,
    which costs nothing while it waits and leaves every attempt in the execution history. The
    client retries in process only where that is brief and safe, at most once each:

    - after a 429/503 whose ``Retry-After`` is at most ``max_in_process_wait_seconds``. The vendor
      says it did not process the request, so even the POST may be repeated, and a fixed
      Step Functions backoff could not honour so short and precise a wait anyway;
    - after a 401/403, with a freshly read key, if the key in Secrets Manager has changed since it
      was cached, so rotating the key does not fail deletions for the lifetime of the key cache.

    Timeouts and connection errors are never retried here, and the Lambda timeout then only has to
    cover two attempts and one short wait. A POST that timed out may already have reached the vendor:
    the caller passes an ``idempotency_key``, so the Task's retry gets the operation the first attempt
    started instead of starting a second one.

    Example:
        >>> client = DeletionApiClient("https://vendor.example/v1", StaticApiKey("k"))
        >>> requested = client.request_deletion("customer-42", idempotency_key="execution-name")
        >>> client.get_operation(requested.operation_id).status
    """

    def __init__(
        self,
        base_url: str,
        api_key: ApiKeySource,
        *,
        api_key_header: str = "x-api-key",
        connect_timeout_seconds: float = 3.0,
        read_timeout_seconds: float = 10.0,
        max_in_process_retries: int = 1,
        max_in_process_wait_seconds: float = 1.0,
        pool: urllib3.PoolManager | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Clock = utc_now,
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._api_key = api_key
        self._api_key_header = api_key_header
        self._timeout = urllib3.Timeout(connect=connect_timeout_seconds, read=read_timeout_seconds)
        self._max_in_process_retries = max_in_process_retries
        self._max_in_process_wait_seconds = max_in_process_wait_seconds
        self._pool = pool or urllib3.PoolManager()
        self._sleep = sleep
        self._clock = clock

    @classmethod
    def from_settings(
        cls, settings: ThirdPartySettings, api_key: ApiKeySource | None = None
    ) -> DeletionApiClient:
        """Build the client from environment settings; the key comes from Secrets Manager unless given."""
        return cls(
            str(settings.base_url),
            api_key or SecretsManagerApiKey(settings.api_key_secret, settings.api_key_max_age_seconds),
            api_key_header=settings.api_key_header,
            connect_timeout_seconds=settings.connect_timeout_seconds,
            read_timeout_seconds=settings.read_timeout_seconds,
        )

    def request_deletion(self, customer_id: str, *, idempotency_key: str | None = None) -> DeletionRequested:
        """Ask the vendor to delete everything it holds about ``customer_id``.

        Returns ACCEPTED with the vendor's operation id, or NOTHING_TO_DELETE when the vendor answers
        404 (it does not know the customer, so the deletion is complete with nothing deleted).
        ``idempotency_key`` goes in the ``Idempotency-Key`` header: the vendor answers a repeated request
        with the same key with the operation it started for the first one.

        Raises:
            ThirdPartyUnavailable: transient failure; ``retry_after`` is set when the vendor sent one.
            ThirdPartyRejected: any other 4xx.
            ThirdPartyContractError: the answer does not match the contract.
        """
        if not customer_id:
            raise ValueError("customer_id must not be empty")
        if idempotency_key == "":
            raise ValueError("idempotency_key must not be empty")
        response = self._exchange(
            "POST",
            f"/customers/{_path_segment(customer_id)}/deletions",
            {IDEMPOTENCY_KEY_HEADER: idempotency_key} if idempotency_key is not None else {},
        )
        if response.status == _NOT_FOUND:
            return DeletionRequested(customer_id=customer_id, outcome=DeletionOutcome.NOTHING_TO_DELETE)
        accepted = self._parse(response, DeletionAccepted)
        return DeletionRequested(
            customer_id=customer_id, outcome=DeletionOutcome.ACCEPTED, operation_id=accepted.operation_id
        )

    def get_operation(self, operation_id: str) -> OperationStatus:
        """Return the vendor's current status of a deletion operation.

        Raises the same errors as ``request_deletion``; a 404 (unknown operation) is a rejection.
        """
        if not operation_id:
            raise ValueError("operation_id must not be empty")
        response = self._exchange("GET", f"/operations/{_path_segment(operation_id)}")
        status = self._parse(response, OperationStatus)
        if status.operation_id != operation_id:
            raise ThirdPartyContractError(
                f"asked for operation {operation_id!r}, the vendor answered for {status.operation_id!r}"
            )
        return status

    def _exchange(
        self, method: str, path: str, headers: dict[str, str] | None = None
    ) -> urllib3.BaseHTTPResponse:
        api_key = self._api_key.get()
        key_refreshed = False
        retries_left = self._max_in_process_retries
        while True:
            response = self._send(method, path, api_key, headers or {})
            if response.status in _UNAUTHORISED and not key_refreshed:
                key_refreshed = True
                fresh_key = self._api_key.get(refresh=True)
                if fresh_key != api_key:
                    logger.info("vendor refused the cached API key; retrying with the rotated key")
                    api_key = fresh_key
                    continue
            wait = self._short_retry_after(response)
            if wait is not None and retries_left > 0:
                retries_left -= 1
                logger.info(
                    "vendor answered %s %s with %d; retrying in %.2f s", method, path, response.status, wait
                )
                self._sleep(wait)
                continue
            return response

    def _send(
        self, method: str, path: str, api_key: str, headers: dict[str, str]
    ) -> urllib3.BaseHTTPResponse:
        try:
            return self._pool.request(
                method,
                self._base_url + path,
                headers={**headers, self._api_key_header: api_key, "Accept": "application/json"},
                timeout=self._timeout,
                retries=False,
                redirect=False,
            )
        except LocationValueError as error:
            raise ThirdPartyConfigurationError(f"invalid vendor URL {self._base_url!r}: {error}") from error
        except HTTPError as error:
            raise ThirdPartyUnavailable(f"{method} {path} failed: {type(error).__name__}: {error}") from error

    def _short_retry_after(self, response: urllib3.BaseHTTPResponse) -> float | None:
        if response.status not in _THROTTLED:
            return None
        wait = self._retry_after(response)
        return wait if wait is not None and wait <= self._max_in_process_wait_seconds else None

    def _retry_after(self, response: urllib3.BaseHTTPResponse) -> float | None:
        return parse_retry_after(response.headers.get("Retry-After"), now=self._clock())

    def _parse(self, response: urllib3.BaseHTTPResponse, model: type[_ResponseModel]) -> _ResponseModel:
        self._raise_for_status(response, model.__name__)
        try:
            return model.model_validate_json(response.data)
        except ValidationError as error:
            problems = "; ".join(
                f"{'.'.join(str(part) for part in problem['loc']) or 'body'}: {problem['msg']}"
                for problem in error.errors(include_url=False, include_input=False)
            )
            body = _excerpt(response.data)
            raise ThirdPartyContractError(
                f"{model.__name__} does not match the contract ({problems}); body: {body!r}"
            ) from error

    def _raise_for_status(self, response: urllib3.BaseHTTPResponse, expected: str) -> None:
        status = response.status
        if 200 <= status < 300:
            return
        detail = f"vendor answered HTTP {status} instead of {expected}: {_excerpt(response.data)!r}"
        if status >= 500 or status in _TRANSIENT_CLIENT_ERRORS:
            raise ThirdPartyUnavailable(detail, status_code=status, retry_after=self._retry_after(response))
        if 400 <= status < 500:
            raise ThirdPartyRejected(detail, status_code=status)
        # Redirects are not followed: a moved API is a change of contract, not something to chase.
        raise ThirdPartyContractError(detail)
