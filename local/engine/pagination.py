"""Opaque nextToken pagination for list operations, stable while the list changes.

A token holds the sort key of the last item a page returned, never an offset: the next page starts after
that key, so items added or removed between two calls (an execution started, one that left a status filter)
neither repeat an item already returned nor skip one that was there. Each list sorts its items by a key that
no two items share (e.g. an execution's start date and the store's sequence number), and a token names the
list it was issued for, so a token of another list is refused as AWS refuses it (InvalidToken).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Sequence
from typing import TypeVar

from local.engine.errors import ApiError

Item = TypeVar("Item")
Key = tuple[int | float | str, ...]
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
MAX_TOKEN_LENGTH = 1024


def page(
    items: Sequence[Item],
    key: Callable[[Item], Key],
    max_results: int | None,
    next_token: str | None,
    *,
    scope: str,
    descending: bool = False,
    max_token_length: int = MAX_TOKEN_LENGTH,
) -> tuple[list[Item], str | None]:
    """One page of `items` (sorted by `key`, ascending or `descending`) after the item `next_token` names,
    and the token for the page after it (None on the last page).

    `scope` names the list (the operation and what it lists), so that a token is only good for that list.
    `max_token_length` is the longest nextToken the operation takes (ListExecutions takes longer ones).

    Example:
        page(events, key=lambda e: (e["id"],), max_results=100, next_token=None, scope=f"history:{arn}")
    """
    _check_request(max_results, next_token, max_token_length)
    size = max_results or DEFAULT_PAGE_SIZE  # 0 asks for the default, as on AWS
    remaining = list(items)
    if next_token:
        after = _decode(next_token, _scope_digest(scope))
        try:
            remaining = [item for item in items if (key(item) < after if descending else key(item) > after)]
        except TypeError as exc:  # a key of another shape: not a token of this list
            raise ApiError("InvalidToken", f"Invalid Token: '{next_token}'") from exc
    chosen = remaining[:size]
    token = _encode(key(chosen[-1]), _scope_digest(scope)) if len(remaining) > size else None
    return chosen, token


def member_constraint_error(value: object, member: str, constraint: str) -> ApiError:
    """AWS's refusal of a request member that breaks a constraint of the API's model, e.g.
    `member_constraint_error(1001, "maxResults", "have value less than or equal to 1000")`."""
    return ApiError(
        "ValidationException",
        f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: "
        f"Member must {constraint}",
    )


def _check_request(max_results: int | None, next_token: str | None, max_token_length: int) -> None:
    if max_results is not None and max_results > MAX_PAGE_SIZE:
        raise member_constraint_error(
            max_results, "maxResults", f"have value less than or equal to {MAX_PAGE_SIZE}"
        )
    if max_results is not None and max_results < 0:
        raise member_constraint_error(max_results, "maxResults", "have value greater than or equal to 0")
    if next_token is not None and len(next_token) > max_token_length:
        raise member_constraint_error(
            next_token, "nextToken", f"have length less than or equal to {max_token_length}"
        )


def _scope_digest(scope: str) -> str:
    return hashlib.sha256(scope.encode()).hexdigest()[:16]


def _encode(after: Key, scope: str) -> str:
    document = json.dumps({"list": scope, "after": list(after)}, separators=(",", ":"))
    return base64.urlsafe_b64encode(document.encode()).decode()


def _decode(token: str, scope: str) -> Key:
    try:
        document = json.loads(base64.urlsafe_b64decode(token.encode()))
        after = document["after"]
        issued_for = document["list"]
    except (ValueError, KeyError, TypeError) as exc:
        raise ApiError("InvalidToken", f"Invalid Token: '{token}'") from exc
    parts_ok = isinstance(after, list) and all(
        isinstance(part, int | float | str) and not isinstance(part, bool) for part in after
    )
    if issued_for != scope or not parts_ok or not after:
        raise ApiError("InvalidToken", f"Invalid Token: '{token}'")
    return tuple(after)
