"""JSON text from untrusted clients: nesting bounded before parsing, duplicate keys refused.

Python's json module and pydantic-core recurse once per level of nesting: a few kilobytes of `[[[[...`
raise RecursionError in one and a serialisation error in the other. `check_nesting` measures the depth
with a flat scan of the text, so a document is refused by name before anything recurses into it.
json.loads also keeps the last of repeated keys without a word; `loads_strict` refuses them instead.
"""

from __future__ import annotations

import json
import re
from typing import Any

# A JSON string (escapes included), or one structural character.
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}:]')
_OPENING = frozenset("[{")
_CLOSING = frozenset("]}")


class NestingTooDeep(ValueError):
    """Objects and arrays nest deeper than allowed; `member` is the top-level key where it happens."""

    def __init__(self, member: str | None, max_depth: int) -> None:
        where = f"member {member!r}" if member is not None else "document"
        super().__init__(f"the {where} nests objects and arrays deeper than {max_depth} levels")
        self.member = member
        self.max_depth = max_depth


class DuplicateKey(ValueError):
    """An object repeats a key; `path` names it, e.g. `payload.items.0.id`."""

    def __init__(self, path: str) -> None:
        super().__init__(f"the key {path!r} appears more than once in its object")
        self.path = path


def check_nesting(text: str, max_depth: int) -> None:
    """Raise NestingTooDeep when objects and arrays in `text` nest deeper than `max_depth` (the outermost
    is level 1). Runs in one pass without recursion; text that is not JSON is left to the parser."""
    if text.count("[") + text.count("{") <= max_depth:
        return
    depth = 0
    root_is_object = False
    last_string: str | None = None
    member: str | None = None
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token in _OPENING:
            depth += 1
            if depth == 1:
                root_is_object = token == "{"
            if depth > max_depth:
                raise NestingTooDeep(member if root_is_object and depth > 1 else None, max_depth)
        elif token in _CLOSING:
            depth -= 1
        elif token == ":":
            if depth == 1:
                member = _string_value(last_string)
        elif depth == 1:
            last_string = token


def loads_strict(text: str, *, max_depth: int) -> Any:
    """json.loads, after check_nesting, refusing repeated keys with DuplicateKey.

    Invalid JSON still raises json.JSONDecodeError.
    """
    check_nesting(text, max_depth)
    repeated: list[bool] = []

    def build_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        built = dict(pairs)
        if len(built) == len(pairs):
            return built
        repeated.append(True)
        return _WithRepeatedKey(built, _first_repeated(pairs))

    document = json.loads(text, object_pairs_hook=build_object)
    if repeated:
        raise DuplicateKey(_path_of_repeated_key(document))
    return document


class _WithRepeatedKey(dict[str, Any]):
    def __init__(self, items: dict[str, Any], repeated_key: str) -> None:
        super().__init__(items)
        self.repeated_key = repeated_key


def _first_repeated(pairs: list[tuple[str, Any]]) -> str:
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            return key
        seen.add(key)
    raise AssertionError("called only when a key repeats")


def _path_of_repeated_key(document: Any) -> str:
    # Iterative, in document order; the depth is bounded by check_nesting anyway.
    pending: list[tuple[Any, tuple[str, ...]]] = [(document, ())]
    while pending:
        node, path = pending.pop()
        if isinstance(node, _WithRepeatedKey):
            return ".".join((*path, node.repeated_key))
        if isinstance(node, dict):
            children = list(node.items())
        elif isinstance(node, list):
            children = list(enumerate(node))
        else:
            continue
        pending.extend(reversed([(child, (*path, str(key))) for key, child in children]))
    raise AssertionError("called only when a key repeats")


def _string_value(token: str | None) -> str | None:
    if token is None:
        return None
    try:
        value = json.loads(token)
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, str) else None
