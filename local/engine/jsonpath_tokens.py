"""A compiled JSONPath: the tokens a path compiles to, each evaluated as Jayway's token of that kind is.

A path is a tuple of tokens (`.name`, `[0]`, `[1:]`, `[*]`, `..`, `[?(...)]`); a `Run` hands each node
to the next token until the last one collects results. `CompiledPath` runs the tokens and decides, as
AWS does, whether an evaluation yields one value, a list, or `JsonPathNotFound`. Inside an evaluation a
miss is a `Miss`, which filters turn into "undefined" and `CompiledPath` into `JsonPathNotFound`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from local.engine.java_compat import JAVA_NULL, JavaNull, JsonValue, jackson_class, to_json_text

_PROVIDER: Final = "com.jayway.jsonpath.spi.json.JacksonJsonNodeJsonProvider"

# A filter expression: whether it holds for an item, given the item and the root document.
Predicate = Callable[[JsonValue, JsonValue], bool]


class JsonPathNotFound(LookupError):
    """A definite path matched nothing. `.path` is the path as written, `.detail` Jayway's message."""

    def __init__(self, path: str, detail: str | None = None) -> None:
        super().__init__(detail or f"No results for path: {path}")
        self.path = path
        self.detail = detail or f"No results for path: {path}"


class Miss(Exception):
    """Raised inside an evaluation; turned into JsonPathNotFound (or UNDEFINED inside filters).

    `invalid` marks what Jayway raises as InvalidPathException (an index, slice or filter applied to a
    value it cannot apply to) rather than PathNotFoundException; AWS answers [] for an indefinite path
    that runs into a PathNotFoundException but fails the state on an InvalidPathException.
    """

    def __init__(self, detail: str, *, invalid: bool = False) -> None:
        super().__init__(detail)
        self.invalid = invalid


class Token:
    """One step of a compiled path. `definite` is Jayway's isTokenDefinite()."""

    __slots__ = ("definite",)

    def __init__(self) -> None:
        self.definite = True

    def fragment(self) -> str:
        raise NotImplementedError

    def scan_matches(self, node: JsonValue, run: Run) -> bool:
        """Whether a deep scan (`..`) evaluates this token at `node` (Jayway's scan predicates)."""
        raise NotImplementedError

    def evaluate(self, run: Run, position: int, node: JsonValue, upstream_definite: bool) -> None:
        raise NotImplementedError


class Run:
    """State of one evaluation: the compiled tokens, the root document and the results so far."""

    __slots__ = ("results", "root", "tokens")

    def __init__(self, tokens: tuple[Token, ...], root: JsonValue) -> None:
        self.tokens = tokens
        self.root = root
        self.results: list[JsonValue] = []

    def step(self, position: int, node: JsonValue, upstream_definite: bool) -> None:
        if position == len(self.tokens):
            self.results.append(None if isinstance(node, JavaNull) else node)
        else:
            self.tokens[position].evaluate(self, position, node, upstream_definite)

    def current_path(self, position: int) -> str:
        return "$" + "".join(token.fragment() for token in self.tokens[:position])

    def remaining_path(self, position: int) -> str:
        return "".join(token.fragment() for token in self.tokens[position:])

    def is_leaf(self, position: int) -> bool:
        return position == len(self.tokens) - 1


def _quote_name(name: str) -> str:
    return "'" + name + "'"


class Property(Token):
    """`.name`, `['name']` or `['a','b']` (a union of names)."""

    __slots__ = ("names",)

    def __init__(self, names: tuple[str, ...]) -> None:
        super().__init__()
        self.names = names

    def fragment(self) -> str:
        return "[" + ",".join(map(_quote_name, self.names)) + "]"

    def scan_matches(self, node: JsonValue, run: Run) -> bool:
        if not isinstance(node, dict):
            return False
        return not self.definite or all(name in node for name in self.names)

    def evaluate(self, run: Run, position: int, node: JsonValue, upstream_definite: bool) -> None:
        if not isinstance(node, dict):
            if upstream_definite:
                raise Miss(
                    f"Expected to find an object with property {self.fragment()} in path "
                    f"{run.current_path(position)} but found '{jackson_class(node)}'. "
                    f"This is not a json object according to the JsonProvider: '{_PROVIDER}'."
                )
            return
        if len(self.names) > 1 and run.is_leaf(position):
            run.results.append({name: node[name] for name in self.names if name in node})
            return
        downstream_definite = upstream_definite and self.definite
        for name in self.names:
            if name in node:
                run.step(position + 1, node[name], downstream_definite)
            elif not run.is_leaf(position) and downstream_definite:
                raise Miss(f"Missing property in path {run.current_path(position)}['{name}']")


class Index(Token):
    """`[n]`, `[-n]` or `[a,b]` (a union of indexes)."""

    __slots__ = ("indexes",)

    def __init__(self, indexes: tuple[int, ...]) -> None:
        super().__init__()
        self.indexes = indexes
        self.definite = len(indexes) == 1

    def fragment(self) -> str:
        return "[" + ",".join(map(str, self.indexes)) + "]"

    def scan_matches(self, node: JsonValue, run: Run) -> bool:
        return isinstance(node, list)

    def evaluate(self, run: Run, position: int, node: JsonValue, upstream_definite: bool) -> None:
        if _check_array(run, position, node, upstream_definite):
            downstream_definite = upstream_definite and self.definite
            for index in self.indexes:
                _step_index(run, position, node, index, downstream_definite)


class Slice(Token):
    """`[start:end]`, `[start:]`, `[:end]` with Jayway's (not Python's) treatment of negatives."""

    __slots__ = ("end", "start")

    def __init__(self, start: int | None, end: int | None) -> None:
        super().__init__()
        self.start = start
        self.end = end
        self.definite = False

    def fragment(self) -> str:
        start = "" if self.start is None else str(self.start)
        end = "" if self.end is None else str(self.end)
        return f"[{start}:{end}]"

    def scan_matches(self, node: JsonValue, run: Run) -> bool:
        return isinstance(node, list)

    def evaluate(self, run: Run, position: int, node: JsonValue, upstream_definite: bool) -> None:
        if not _check_array(run, position, node, upstream_definite):
            return
        for index in self._indexes(len(node)):
            _step_index(run, position, node, index, False)

    def _indexes(self, length: int) -> range:
        if length == 0:
            return range(0)
        if self.end is None:  # [from:]
            start = self.start or 0
            start = max(0, length + start if start < 0 else start)
            return range(start, length)
        if self.start is None:  # [:to]
            end = length + self.end if self.end < 0 else self.end
            return range(0, min(length, end))
        return range(self.start, min(length, self.end))  # [from:to]: Jayway does not wrap negatives here


class Wildcard(Token):
    """`.*` or `[*]`: every member value of an object, every element of an array."""

    __slots__ = ()

    def __init__(self) -> None:
        super().__init__()
        self.definite = False

    def fragment(self) -> str:
        return "[*]"

    def scan_matches(self, node: JsonValue, run: Run) -> bool:
        return True

    def evaluate(self, run: Run, position: int, node: JsonValue, upstream_definite: bool) -> None:
        if isinstance(node, dict):
            for value in node.values():
                run.step(position + 1, value, False)
        elif isinstance(node, list):
            for value in node:
                run.step(position + 1, value, False)


class Scan(Token):
    """`..`: the next token applied at every level of the document (Jayway's ScanPathToken walk)."""

    __slots__ = ()

    def __init__(self) -> None:
        super().__init__()
        self.definite = False

    def fragment(self) -> str:
        return ".."

    def scan_matches(self, node: JsonValue, run: Run) -> bool:
        return True

    def evaluate(self, run: Run, position: int, node: JsonValue, upstream_definite: bool) -> None:
        self._walk(run, position + 1, node)

    def _walk(self, run: Run, target: int, node: JsonValue) -> None:
        token = run.tokens[target]
        if isinstance(node, dict):
            if token.scan_matches(node, run):
                token.evaluate(run, target, node, False)
            for value in node.values():
                self._walk(run, target, value)
        elif isinstance(node, list):
            if token.scan_matches(node, run):
                if run.is_leaf(target):
                    token.evaluate(run, target, node, False)
                else:  # Jayway hands each element straight to the token after the matched one
                    for value in node:
                        run.step(target + 1, value, False)
            for value in node:
                self._walk(run, target, value)


class Filter(Token):
    """`[?(expression)]`: array elements (or the object itself) for which the expression holds."""

    __slots__ = ("predicate",)

    def __init__(self, predicate: Predicate) -> None:
        super().__init__()
        self.predicate = predicate
        self.definite = False

    def fragment(self) -> str:
        return "[?]"

    def scan_matches(self, node: JsonValue, run: Run) -> bool:
        return self.predicate(node, run.root)

    def evaluate(self, run: Run, position: int, node: JsonValue, upstream_definite: bool) -> None:
        if isinstance(node, dict):
            if self.predicate(node, run.root):
                run.step(position + 1, node, False)
        elif isinstance(node, list):
            for item in node:
                if self.predicate(item, run.root):
                    run.step(position + 1, item, False)
        elif upstream_definite:
            raise Miss(
                f"Filter: {run.remaining_path(position)} can not be applied to primitives. "
                f"Current context is: {to_json_text(node)}",
                invalid=True,
            )


def _check_array(run: Run, position: int, node: JsonValue, upstream_definite: bool) -> bool:
    if isinstance(node, list):
        return True
    if upstream_definite:
        if isinstance(node, JavaNull):
            raise Miss(f"The path {run.current_path(position)} is null")
        raise Miss(
            f"Filter: {run.remaining_path(position)} can only be applied to arrays. "
            f"Current context is: {to_json_text(node)}",
            invalid=True,
        )
    return False


def _step_index(run: Run, position: int, array: list[Any], index: int, downstream_definite: bool) -> None:
    effective = len(array) + index if index < 0 else index
    value = array[effective] if 0 <= effective < len(array) else JAVA_NULL
    run.step(position + 1, value, downstream_definite)


# ------------------------------------------------------------------------------------------ compiled path


class CompiledPath:
    """A compiled path; `select` answers the way AWS does for this path."""

    __slots__ = ("definite", "normalized", "relative", "simple", "text", "tokens")

    def __init__(self, text: str, tokens: list[Token], *, relative: bool) -> None:
        self.text = text
        self.relative = relative
        if len(tokens) >= 1 and isinstance(tokens[-1], Scan):
            raise ValueError("a path must not end with '..'")
        for position, token in enumerate(tokens):
            if isinstance(token, Property) and len(token.names) > 1:
                token.definite = position == len(tokens) - 1  # a union of names is definite as the leaf
        self.tokens = tuple(tokens)
        self.definite = all(token.definite for token in tokens)
        self.normalized = "$" + "".join(token.fragment() for token in tokens)
        self.simple = self._simple_keys()

    def _simple_keys(self) -> tuple[str | int, ...] | None:
        keys: list[str | int] = []
        for token in self.tokens:
            if isinstance(token, Property) and len(token.names) == 1:
                keys.append(token.names[0])
            elif isinstance(token, Index) and token.definite:
                keys.append(token.indexes[0])
            else:
                return None
        return tuple(keys)

    def evaluate(self, document: JsonValue, root: JsonValue) -> list[JsonValue]:
        run = Run(self.tokens, root)
        run.step(0, document, True)
        return run.results

    def select(self, document: JsonValue) -> JsonValue:
        keys = self.simple
        if keys is not None:
            node = document
            for key in keys:
                if isinstance(key, str):
                    if isinstance(node, dict) and key in node:
                        node = node[key]
                        continue
                elif isinstance(node, list) and -len(node) <= key < len(node):
                    node = node[key]
                    continue
                break
            else:
                return node
        return self._select_general(document)

    def _select_general(self, document: JsonValue) -> JsonValue:
        try:
            results = self.evaluate(document, document)
        except Miss as miss:
            if not self.definite and not miss.invalid:
                return []
            raise JsonPathNotFound(self.text, str(miss)) from None
        if not self.definite:
            return results
        if not results:
            raise JsonPathNotFound(self.text, f"No results for path: {self.normalized}")
        return results[0]
