"""AWS Step Functions' JSONPath dialect: compile, select, assign (ResultPath) and validate paths.

AWS evaluates JSONPath with Jayway JsonPath over Jackson nodes; the error texts it reports ("No results
for path: $['a']", "Missing property in path $['a']") are Jayway's. These modules re-implement that
subset by hand instead of using jsonpath-ng, because jsonpath-ng differs from AWS where histories show
it: it has no notion of definite paths (`$.a[0]` comes back as a list), it rejects or misreads Jayway
filters (`[?(@.x)]`, `=~`, `in`), it has none of Jayway's rules for when a miss is an error and when it
is silently skipped, and it is several times slower. The hand-written compiler is small, follows
Jayway's evaluation token by token, and is fast: compiled paths are cached (`lru_cache`) and the common
case, a definite path of names and indexes, runs as a tight loop without building any result list.

This module is the entry point; the work is done by
- `jsonpath_parser`: path text into tokens (Jayway's PathCompiler),
- `jsonpath_filter`: the expression of a `[?(...)]` filter into a predicate (Jayway's FilterCompiler),
- `jsonpath_tokens`: the tokens, how each one evaluates, and `CompiledPath`, which runs them,
- `java_compat`: Jackson's JSON text, node classes and equality, which messages and filters follow.

Semantics worth knowing (all as AWS does):
- A definite path (only single names and single indexes) yields one value; an indefinite path (`..`,
  `*`, filters, slices, unions of indexes) yields a list, possibly empty.
- In a definite path a missing name raises `JsonPathNotFound`; an index past the end yields null
  (Jackson's `ArrayNode.get` returns null there, so AWS does the same).
- An indefinite path whose names are missing yields [] (`$.items[*]` on {}), but an index, slice or
  filter applied, on its definite part, to a value that is not an array raises (`$[1:]` on {}).
- In `['name']` only the escaped delimiter (`\\'`) is unescaped; other backslashes stay as written.
- `$$...` is accepted and read against whatever document is passed (the caller passes the context
  object); `$name...` variable references are resolved by the caller.
- Values are returned as they are, not copied: callers must not mutate what `select` returns.
"""

from __future__ import annotations

from functools import lru_cache

from local.engine.java_compat import JsonValue, to_json_text
from local.engine.jsonpath_parser import compile_text
from local.engine.jsonpath_tokens import CompiledPath, JsonPathNotFound

__all__ = [
    "CompiledPath",
    "JsonPathNotFound",
    "ResultPathMatchFailure",
    "assign",
    "compile_path",
    "is_definite",
    "is_reference_path",
    "is_valid_path",
    "select",
    "validate",
]


class ResultPathMatchFailure(ValueError):
    """ResultPath cannot be applied: the input (or a value on the way) is not an object/array."""

    def __init__(self, path: str, document: JsonValue) -> None:
        super().__init__(f"Unable to apply ReferencePath {path} to input {to_json_text(document)}")
        self.path = path
        self.document = document


@lru_cache(maxsize=4096)
def compile_path(path: str) -> CompiledPath:
    """Compile (and cache) a path; raises ValueError with the reason when it is not valid."""
    text = path.strip()
    try:
        return compile_text(text)
    except ValueError as exc:
        raise ValueError(f"Invalid JSONPath '{path}': {exc}") from None


# ------------------------------------------------------------------------------------------ public API


def select(path: str, data: JsonValue) -> JsonValue:
    """Evaluate `path` against `data`: one value for a definite path, a list for an indefinite one.

    Raises JsonPathNotFound when a definite path matches nothing, ValueError when the path is invalid.

    Example:
        select("$.items[0].id", {"items": [{"id": 7}]})  -> 7
        select("$.items[*].id", {"items": [{"id": 7}]})  -> [7]
    """
    return compile_path(path).select(data)


def is_definite(path: str) -> bool:
    """Whether the path can match at most one value (Jayway's definite paths)."""
    return compile_path(path).definite


def validate(path: str) -> None:
    """Raise ValueError with the reason when `path` is not a valid JSONPath of the AWS dialect."""
    compile_path(path)


def is_valid_path(path: str) -> bool:
    """Whether `path` is a valid JSONPath of the AWS dialect (`$...` or `$$...`)."""
    try:
        compile_path(path)
    except ValueError:
        return False
    return True


def is_reference_path(path: str) -> bool:
    """Whether `path` is a Reference Path (names and indexes only), as ResultPath requires."""
    try:
        compiled = compile_path(path)
    except ValueError:
        return False
    return compiled.simple is not None and not compiled.text.startswith("$$")


def assign(path: str, data: JsonValue, value: JsonValue) -> JsonValue:
    """Apply ResultPath: return `data` with `value` placed at `path` (`data` itself is not modified).

    "$" replaces the whole document; missing objects on the way are created ("$.a.b" on {} gives
    {"a": {"b": value}}). Raises ResultPathMatchFailure when the document, or a value on the way,
    is not an object (or, for an index, not an array long enough), and ValueError when `path` is not a
    Reference Path.
    """
    if not is_reference_path(path):
        raise ValueError(f"Invalid ResultPath '{path}': only names and array indexes are allowed")
    keys = compile_path(path).simple
    assert keys is not None

    def placed(node: JsonValue, position: int) -> JsonValue:
        if position == len(keys):
            return value
        key = keys[position]
        if isinstance(key, str):
            if not isinstance(node, dict):
                raise ResultPathMatchFailure(path, data)
            updated = dict(node)
            updated[key] = placed(node.get(key, {}) if position + 1 < len(keys) else None, position + 1)
            return updated
        if not isinstance(node, list) or not -len(node) <= key < len(node):
            raise ResultPathMatchFailure(path, data)
        items = list(node)
        items[key] = placed(node[key], position + 1)
        return items

    return placed(data, 0)
