"""Opaque nextToken pagination for list operations."""

from __future__ import annotations

import base64
import json
from typing import TypeVar

from local.engine.errors import ApiError

Item = TypeVar("Item")
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


def page(items: list[Item], max_results: int | None, next_token: str | None) -> tuple[list[Item], str | None]:
    """One page of `items` and the token for the next page (None on the last page)."""
    size = max_results or DEFAULT_PAGE_SIZE
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise ApiError("ValidationException", f"maxResults must be between 1 and {MAX_PAGE_SIZE}")
    start = _decode(next_token) if next_token else 0
    end = start + size
    token = _encode(end) if end < len(items) else None
    return items[start:end], token


def _encode(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"offset": offset}).encode()).decode()


def _decode(token: str) -> int:
    try:
        offset = json.loads(base64.urlsafe_b64decode(token.encode()))["offset"]
    except (ValueError, KeyError, TypeError) as exc:
        raise ApiError("InvalidToken", f"Invalid Token: '{token}'") from exc
    if not isinstance(offset, int) or offset < 0:
        raise ApiError("InvalidToken", f"Invalid Token: '{token}'")
    return offset
