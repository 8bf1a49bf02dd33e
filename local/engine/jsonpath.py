"""AWS Step Functions' JSONPath dialect: compile, select, assign (ResultPath) and validate paths.

AWS evaluates JSONPath with Jayway JsonPath over Jackson nodes; the error texts it reports ("No results
for path: $['a']", "Missing property in path $['a']") are Jayway's. This module re-implements that
subset by hand instead of using jsonpath-ng, because jsonpath-ng differs from AWS where histories show
it: it has no notion of definite paths (`$.a[0]` comes back as a list), it rejects or misreads Jayway
filters (`[?(@.x)]`, `=~`, `in`), it has none of Jayway's rules for when a miss is an error and when it
is silently skipped, and it is several times slower. The hand-written compiler is small, follows
Jayway's evaluation token by token, and is fast: compiled paths are cached (`lru_cache`) and the common
case, a definite path of names and indexes, runs as a tight loop without building any result list.

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

import json
import re
from collections.abc import Callable
from decimal import Decimal
from functools import lru_cache
from typing import Any, Final

from local.engine.text_cursor import JSON_NUMBER, TextCursor

JsonValue = Any

_PROVIDER: Final = "com.jayway.jsonpath.spi.json.JacksonJsonNodeJsonProvider"


class JsonPathNotFound(LookupError):
    """A definite path matched nothing. `.path` is the path as written, `.detail` Jayway's message."""

    def __init__(self, path: str, detail: str | None = None) -> None:
        super().__init__(detail or f"No results for path: {path}")
        self.path = path
        self.detail = detail or f"No results for path: {path}"


class ResultPathMatchFailure(ValueError):
    """ResultPath cannot be applied: the input (or a value on the way) is not an object/array."""

    def __init__(self, path: str, document: JsonValue) -> None:
        super().__init__(f"Unable to apply ReferencePath {path} to input {to_json_text(document)}")
        self.path = path
        self.document = document


class _Undefined:
    """Jayway's UNDEFINED: a filter operand whose path matched nothing."""

    __slots__ = ()


class _JavaNull:
    """The Java null Jackson returns for an index past the end, distinct from a JSON null."""

    __slots__ = ()


_UNDEFINED: Final = _Undefined()
_JAVA_NULL: Final = _JavaNull()


# ------------------------------------------------------------------------------------------ JSON text


_ESCAPES: Final = {0x22: '\\"', 0x5C: "\\\\", 0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r"}
_ESCAPE_TABLE: Final = {code: _ESCAPES.get(code, f"\\u{code:04X}") for code in [*range(0x20), 0x22, 0x5C]}


def java_double_text(number: float) -> str:
    """A double as Java's Double.toString writes it (1.0, 1.5E7, 1.0E-4), which Jackson and AWS use."""
    if number == 0:
        return "-0.0" if str(number).startswith("-") else "0.0"
    sign, digits, exponent = Decimal(repr(number)).as_tuple()
    assert isinstance(exponent, int)
    text = "".join(map(str, digits)).rstrip("0") or "0"
    scientific = len(digits) - 1 + exponent  # position of the first significant digit
    prefix = "-" if sign else ""
    if -3 <= scientific < 7:
        if scientific >= 0:
            whole, fraction = text[: scientific + 1].ljust(scientific + 1, "0"), text[scientific + 1 :]
        else:
            whole, fraction = "0", "0" * (-scientific - 1) + text
        return f"{prefix}{whole}.{fraction or '0'}"
    return f"{prefix}{text[0]}.{text[1:] or '0'}E{scientific}"


def to_json_text(value: JsonValue) -> str:
    """Compact JSON text as AWS (Jackson) writes it: no spaces, raw non-ASCII, Java number format."""
    parts: list[str] = []
    _write_json(value, parts)
    return "".join(parts)


def _write_json(value: JsonValue, out: list[str]) -> None:
    if isinstance(value, str):
        out.append('"' + value.translate(_ESCAPE_TABLE) + '"')
    elif value is None or isinstance(value, _JavaNull):
        out.append("null")
    elif value is True or value is False:
        out.append("true" if value else "false")
    elif isinstance(value, int):
        out.append(str(value))
    elif isinstance(value, float):
        out.append(java_double_text(value))
    elif isinstance(value, dict):
        out.append("{")
        for position, (key, item) in enumerate(value.items()):
            if position:
                out.append(",")
            out.append('"' + str(key).translate(_ESCAPE_TABLE) + '":')
            _write_json(item, out)
        out.append("}")
    elif isinstance(value, list | tuple):
        out.append("[")
        for position, item in enumerate(value):
            if position:
                out.append(",")
            _write_json(item, out)
        out.append("]")
    else:
        raise TypeError(f"not a JSON value: {type(value).__name__}")


def _jackson_class(value: JsonValue) -> str:
    """The Jackson node class Jayway names in its "found '...'" messages."""
    if isinstance(value, _JavaNull):
        return "null"
    if isinstance(value, bool):
        return "com.fasterxml.jackson.databind.node.BooleanNode"
    if isinstance(value, int):
        if -(2**31) <= value < 2**31:
            return "com.fasterxml.jackson.databind.node.IntNode"
        return (
            "com.fasterxml.jackson.databind.node.LongNode"
            if -(2**63) <= value < 2**63
            else ("com.fasterxml.jackson.databind.node.BigIntegerNode")
        )
    names = {
        str: "TextNode",
        float: "DoubleNode",
        list: "ArrayNode",
        dict: "ObjectNode",
        type(None): "NullNode",
    }
    return "com.fasterxml.jackson.databind.node." + names.get(type(value), "ObjectNode")


# ------------------------------------------------------------------------------------------ equality


def json_equal(left: JsonValue, right: JsonValue) -> bool:
    """Type-strict JSON equality as Jackson compares nodes: 1, 1.0 and true are all different."""
    if type(left) is not type(right):
        return False
    if isinstance(left, dict):
        return left.keys() == right.keys() and all(json_equal(left[key], right[key]) for key in left)
    if isinstance(left, list):
        return len(left) == len(right) and all(map(json_equal, left, right))
    return bool(left == right)


# ------------------------------------------------------------------------------------------ tokens


class _Token:
    """One step of a compiled path. `definite` is Jayway's isTokenDefinite()."""

    __slots__ = ("definite",)

    def __init__(self) -> None:
        self.definite = True

    def fragment(self) -> str:
        raise NotImplementedError

    def scan_matches(self, node: JsonValue, run: _Run) -> bool:
        """Whether a deep scan (`..`) evaluates this token at `node` (Jayway's scan predicates)."""
        raise NotImplementedError

    def evaluate(self, run: _Run, position: int, node: JsonValue, upstream_definite: bool) -> None:
        raise NotImplementedError


class _Run:
    """State of one evaluation: the compiled tokens, the root document and the results so far."""

    __slots__ = ("results", "root", "tokens")

    def __init__(self, tokens: tuple[_Token, ...], root: JsonValue) -> None:
        self.tokens = tokens
        self.root = root
        self.results: list[JsonValue] = []

    def step(self, position: int, node: JsonValue, upstream_definite: bool) -> None:
        if position == len(self.tokens):
            self.results.append(None if isinstance(node, _JavaNull) else node)
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


class _Property(_Token):
    """`.name`, `['name']` or `['a','b']` (a union of names)."""

    __slots__ = ("names",)

    def __init__(self, names: tuple[str, ...]) -> None:
        super().__init__()
        self.names = names

    def fragment(self) -> str:
        return "[" + ",".join(map(_quote_name, self.names)) + "]"

    def scan_matches(self, node: JsonValue, run: _Run) -> bool:
        if not isinstance(node, dict):
            return False
        return not self.definite or all(name in node for name in self.names)

    def evaluate(self, run: _Run, position: int, node: JsonValue, upstream_definite: bool) -> None:
        if not isinstance(node, dict):
            if upstream_definite:
                raise _Miss(
                    f"Expected to find an object with property {self.fragment()} in path "
                    f"{run.current_path(position)} but found '{_jackson_class(node)}'. "
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
                raise _Miss(f"Missing property in path {run.current_path(position)}['{name}']")


class _Index(_Token):
    """`[n]`, `[-n]` or `[a,b]` (a union of indexes)."""

    __slots__ = ("indexes",)

    def __init__(self, indexes: tuple[int, ...]) -> None:
        super().__init__()
        self.indexes = indexes
        self.definite = len(indexes) == 1

    def fragment(self) -> str:
        return "[" + ",".join(map(str, self.indexes)) + "]"

    def scan_matches(self, node: JsonValue, run: _Run) -> bool:
        return isinstance(node, list)

    def evaluate(self, run: _Run, position: int, node: JsonValue, upstream_definite: bool) -> None:
        if _check_array(run, position, node, upstream_definite):
            downstream_definite = upstream_definite and self.definite
            for index in self.indexes:
                _step_index(run, position, node, index, downstream_definite)


class _Slice(_Token):
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

    def scan_matches(self, node: JsonValue, run: _Run) -> bool:
        return isinstance(node, list)

    def evaluate(self, run: _Run, position: int, node: JsonValue, upstream_definite: bool) -> None:
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


class _Wildcard(_Token):
    """`.*` or `[*]`: every member value of an object, every element of an array."""

    __slots__ = ()

    def __init__(self) -> None:
        super().__init__()
        self.definite = False

    def fragment(self) -> str:
        return "[*]"

    def scan_matches(self, node: JsonValue, run: _Run) -> bool:
        return True

    def evaluate(self, run: _Run, position: int, node: JsonValue, upstream_definite: bool) -> None:
        if isinstance(node, dict):
            for value in node.values():
                run.step(position + 1, value, False)
        elif isinstance(node, list):
            for value in node:
                run.step(position + 1, value, False)


class _Scan(_Token):
    """`..`: the next token applied at every level of the document (Jayway's ScanPathToken walk)."""

    __slots__ = ()

    def __init__(self) -> None:
        super().__init__()
        self.definite = False

    def fragment(self) -> str:
        return ".."

    def scan_matches(self, node: JsonValue, run: _Run) -> bool:
        return True

    def evaluate(self, run: _Run, position: int, node: JsonValue, upstream_definite: bool) -> None:
        self._walk(run, position + 1, node)

    def _walk(self, run: _Run, target: int, node: JsonValue) -> None:
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


class _Filter(_Token):
    """`[?(expression)]`: array elements (or the object itself) for which the expression holds."""

    __slots__ = ("predicate",)

    def __init__(self, predicate: _Predicate) -> None:
        super().__init__()
        self.predicate = predicate
        self.definite = False

    def fragment(self) -> str:
        return "[?]"

    def scan_matches(self, node: JsonValue, run: _Run) -> bool:
        return self.predicate(node, run.root)

    def evaluate(self, run: _Run, position: int, node: JsonValue, upstream_definite: bool) -> None:
        if isinstance(node, dict):
            if self.predicate(node, run.root):
                run.step(position + 1, node, False)
        elif isinstance(node, list):
            for item in node:
                if self.predicate(item, run.root):
                    run.step(position + 1, item, False)
        elif upstream_definite:
            raise _Miss(
                f"Filter: {run.remaining_path(position)} can not be applied to primitives. "
                f"Current context is: {to_json_text(node)}",
                invalid=True,
            )


class _Miss(Exception):
    """Raised inside an evaluation; turned into JsonPathNotFound (or UNDEFINED inside filters).

    `invalid` marks what Jayway raises as InvalidPathException (an index, slice or filter applied to a
    value it cannot apply to) rather than PathNotFoundException; AWS answers [] for an indefinite path
    that runs into a PathNotFoundException but fails the state on an InvalidPathException.
    """

    def __init__(self, detail: str, *, invalid: bool = False) -> None:
        super().__init__(detail)
        self.invalid = invalid


def _check_array(run: _Run, position: int, node: JsonValue, upstream_definite: bool) -> bool:
    if isinstance(node, list):
        return True
    if upstream_definite:
        if isinstance(node, _JavaNull):
            raise _Miss(f"The path {run.current_path(position)} is null")
        raise _Miss(
            f"Filter: {run.remaining_path(position)} can only be applied to arrays. "
            f"Current context is: {to_json_text(node)}",
            invalid=True,
        )
    return False


def _step_index(run: _Run, position: int, array: list[Any], index: int, downstream_definite: bool) -> None:
    effective = len(array) + index if index < 0 else index
    value = array[effective] if 0 <= effective < len(array) else _JAVA_NULL
    run.step(position + 1, value, downstream_definite)


# ------------------------------------------------------------------------------------------ filters

_Predicate = Callable[[JsonValue, JsonValue], bool]
_Operand = Callable[[JsonValue, JsonValue], Any]


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _number_text(value: int | float) -> str:
    return java_double_text(value) if isinstance(value, float) else str(value)


def _value_equal(left: Any, right: Any) -> bool:
    """Jayway's ValueNode equality (a number equals a numeric string, as Jayway's nodes do)."""
    if left is _UNDEFINED or right is _UNDEFINED:
        return False
    if _is_number(left):
        return _number_equals(left, right)
    if isinstance(left, str):
        return left == (_number_text(right) if _is_number(right) else right)
    if isinstance(left, dict | list):
        return json_equal(left, right)
    return (isinstance(left, bool) or left is None) and type(left) is type(right) and left == right


def _number_equals(number: int | float, other: Any) -> bool:
    if isinstance(other, str):
        try:
            return bool(Decimal(other) == Decimal(repr(number)))
        except ArithmeticError:
            return False
    return _is_number(other) and number == other


def _ordered(left: Any, right: Any, test: Callable[[int], bool]) -> bool:
    if _is_number(left) and _is_number(right):
        return test((left > right) - (left < right))
    if isinstance(left, str) and isinstance(right, str):
        return test((left > right) - (left < right))
    return False


def _in(left: Any, right: Any) -> bool:
    return isinstance(right, list) and any(_value_equal(left, item) for item in right)


def _size(left: Any, right: Any) -> bool:
    if not _is_number(right):
        return False
    if isinstance(left, str | list):
        return len(left) == right
    return False


def _empty(left: Any, right: Any) -> bool:
    if not isinstance(right, bool):
        return False
    if isinstance(left, str | list | dict):
        return (len(left) == 0) == right
    return False


def _contains(left: Any, right: Any) -> bool:
    if isinstance(left, str) and isinstance(right, str):
        return right in left
    return isinstance(left, list) and any(_value_equal(right, item) for item in left)


def _all_in(left: Any, right: Any) -> bool:
    return isinstance(left, list) and isinstance(right, list) and all(_in(item, right) for item in left)


def _any_in(left: Any, right: Any) -> bool:
    return isinstance(left, list) and isinstance(right, list) and any(_in(item, right) for item in left)


def _none_in(left: Any, right: Any) -> bool:
    return isinstance(left, list) and isinstance(right, list) and not any(_in(item, right) for item in left)


def _regex_input(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if _is_number(value):
        return _number_text(value)
    return None


_RELATIONS: Final[dict[str, Callable[[Any, Any], bool]]] = {
    "==": _value_equal,
    "!=": lambda left, right: not _value_equal(left, right),
    "<": lambda left, right: _ordered(left, right, lambda order: order < 0),
    "<=": lambda left, right: _ordered(left, right, lambda order: order <= 0),
    ">": lambda left, right: _ordered(left, right, lambda order: order > 0),
    ">=": lambda left, right: _ordered(left, right, lambda order: order >= 0),
    "in": _in,
    "nin": lambda left, right: isinstance(right, list) and not _in(left, right),
    "size": _size,
    "empty": _empty,
    "contains": _contains,
    "subsetof": _all_in,
    "anyof": _any_in,
    "noneof": _none_in,
}
_WORD_OPERATORS: Final = ("subsetof", "contains", "noneof", "anyof", "empty", "size", "nin", "in")
_SYMBOL_OPERATORS: Final = ("==", "!=", "<=", ">=", "=~", "<", ">")
_FILTER_PATH_STOP: Final = frozenset(" \t\r\n)<>=~!&|,")


class _FilterParser(TextCursor):
    """Recursive-descent parser for the expression inside `[?( ... )]`, after Jayway's FilterCompiler."""

    def parse(self) -> _Predicate:
        predicate = self._or()
        self._skip()
        if self.pos != len(self.text):
            raise ValueError(f"unexpected '{self.text[self.pos :]}' in filter '{self.text}'")
        return predicate

    def _or(self) -> _Predicate:
        terms = [self._and()]
        while self._take("||"):
            terms.append(self._and())
        if len(terms) == 1:
            return terms[0]
        return lambda item, root: any(term(item, root) for term in terms)

    def _and(self) -> _Predicate:
        terms = [self._unary()]
        while self._take("&&"):
            terms.append(self._unary())
        if len(terms) == 1:
            return terms[0]
        return lambda item, root: all(term(item, root) for term in terms)

    def _unary(self) -> _Predicate:
        self._skip()
        if self.text.startswith("!", self.pos) and not self.text.startswith("!=", self.pos):
            self.pos += 1
            self._skip()
            if self.text.startswith("(", self.pos):
                inner = self._unary()
                return lambda item, root: not inner(item, root)
            path = self._path_operand()
            return lambda item, root: not _exists(path, item, root)
        if self._take("("):
            inner = self._or()
            if not self._take(")"):
                raise ValueError(f"unbalanced parentheses in filter '{self.text}'")
            return inner
        return self._relation()

    def _relation(self) -> _Predicate:
        self._skip()
        start = self.pos
        left = self._operand()
        end = self.pos
        operator = self._operator()
        if operator is None:
            if not self.text.startswith(("@", "$"), start):
                raise ValueError(f"expected a relational operator in filter '{self.text}'")
            path = _compile_relative(self.text[start:end])
            return lambda item, root: _exists(path, item, root)
        if operator == "=~":
            pattern = self._regex()
            return lambda item, root: _regex_match(pattern, left(item, root))
        right = self._operand()
        relation = _RELATIONS[operator]
        return lambda item, root: relation(left(item, root), right(item, root))

    def _operator(self) -> str | None:
        self._skip()
        for symbol in _SYMBOL_OPERATORS:
            if self.text.startswith(symbol, self.pos):
                self.pos += len(symbol)
                return symbol
        for word in _WORD_OPERATORS:
            end = self.pos + len(word)
            if self.text.startswith(word, self.pos) and (
                end == len(self.text) or not self.text[end].isalnum()
            ):
                self.pos = end
                return word
        return None

    def _regex(self) -> re.Pattern[str]:
        self._skip()
        match = re.compile(r"/((?:\\.|[^/\\])*)/([a-zA-Z]*)").match(self.text, self.pos)
        if match is None:
            raise ValueError(f"expected a /regular expression/ in filter '{self.text}'")
        self.pos = match.end()
        flags = re.IGNORECASE if "i" in match.group(2) else 0
        flags |= re.MULTILINE if "m" in match.group(2) else 0
        flags |= re.DOTALL if "s" in match.group(2) else 0
        return re.compile(match.group(1), flags)

    def _operand(self) -> _Operand:
        self._skip()
        text, pos = self.text, self.pos
        if pos >= len(text):
            raise ValueError(f"unexpected end of filter '{text}'")
        char = text[pos]
        if char in "@$":
            path = self._path_operand()
            return lambda item, root: _operand_value(path, item, root)
        if char in "'\"":
            value: Any = self._string(char)
        elif char in "[{":
            value = self._json_literal()
        else:
            value = self._scalar()
        return lambda item, root: value

    def _scalar(self) -> Any:
        for word, value in (("true", True), ("false", False), ("null", None)):
            if self.text.startswith(word, self.pos):
                self.pos += len(word)
                return value
        match = JSON_NUMBER.match(self.text, self.pos)
        if match is None:
            raise ValueError(f"unexpected '{self.text[self.pos :]}' in filter '{self.text}'")
        self.pos = match.end()
        number = match.group(0)
        return float(number) if any(mark in number for mark in ".eE") else int(number)

    def _string(self, quote: str) -> str:
        chars: list[str] = []
        pos = self.pos + 1
        while pos < len(self.text) and self.text[pos] != quote:
            if self.text[pos] == "\\" and pos + 1 < len(self.text):
                pos += 1
            chars.append(self.text[pos])
            pos += 1
        if pos >= len(self.text):
            raise ValueError(f"unterminated string in filter '{self.text}'")
        self.pos = pos + 1
        return "".join(chars)

    def _json_literal(self) -> Any:
        end = _matching_close(self.text, self.pos)
        literal = self.text[self.pos : end + 1]
        self.pos = end + 1
        try:
            return json.loads(literal)
        except ValueError:
            try:  # Jayway's default provider also reads single-quoted JSON
                return json.loads(re.sub(r"'((?:\\.|[^'\\])*)'", lambda m: json.dumps(m.group(1)), literal))
            except ValueError as exc:
                raise ValueError(f"invalid JSON literal {literal} in filter '{self.text}'") from exc

    def _path_operand(self) -> CompiledPath:
        self._skip()
        start = pos = self.pos
        pos += 1
        while pos < len(self.text):
            char = self.text[pos]
            if char == "[":
                pos = _matching_close(self.text, pos) + 1
                continue
            if char in _FILTER_PATH_STOP:
                break
            pos += 1
        self.pos = pos
        return _compile_relative(self.text[start:pos])


def _compile_relative(text: str) -> CompiledPath:
    """A filter operand path: `@...` is read against the current item, `$...` against the root."""
    return _compile("$" + text[1:], relative=text.startswith("@"))


def _operand_value(path: CompiledPath, item: JsonValue, root: JsonValue) -> Any:
    try:
        results = path.evaluate(item if path.relative else root, root)
    except _Miss:
        return _UNDEFINED
    if path.definite:
        return results[0] if results else _UNDEFINED
    return results


def _exists(path: CompiledPath, item: JsonValue, root: JsonValue) -> bool:
    return _operand_value(path, item, root) is not _UNDEFINED


def _regex_match(pattern: re.Pattern[str], value: Any) -> bool:
    text = _regex_input(value)
    return text is not None and pattern.fullmatch(text) is not None


# ------------------------------------------------------------------------------------------ compiler


def _matching_close(text: str, start: int) -> int:
    """Index of the bracket closing the one at `start`, skipping quoted strings and nested brackets."""
    pairs = {"[": "]", "(": ")", "{": "}"}
    stack = [pairs[text[start]]]
    pos = start + 1
    while pos < len(text):
        char = text[pos]
        if char in "'\"":
            pos = _skip_quoted(text, pos)
            continue
        if char in pairs:
            stack.append(pairs[char])
        elif char == stack[-1]:
            stack.pop()
            if not stack:
                return pos
        pos += 1
    raise ValueError(f"unbalanced '{text[start]}' in path '{text}'")


def _skip_quoted(text: str, start: int) -> int:
    quote = text[start]
    pos = start + 1
    while pos < len(text):
        if text[pos] == "\\":
            pos += 2
            continue
        if text[pos] == quote:
            return pos + 1
        pos += 1
    raise ValueError(f"unterminated string in path '{text}'")


_NAME_STOP: Final = frozenset(".[]()'\" \t\r\n")
_INTEGER: Final = re.compile(r"\s*(-?\d+)\s*$")


class _PathParser:
    """Turns the text after `$` into tokens, following Jayway's PathCompiler."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.tokens: list[_Token] = []

    def parse(self) -> list[_Token]:
        while self.pos < len(self.text):
            if self.text.startswith("..", self.pos):
                self.pos += 2
                self.tokens.append(_Scan())
                self._after_dot(scan=True)
            elif self.text[self.pos] == ".":
                self.pos += 1
                self._after_dot(scan=False)
            elif self.text[self.pos] == "[":
                self._bracket()
            else:
                raise ValueError(f"unexpected '{self.text[self.pos :]}'")
        return self.tokens

    def _after_dot(self, *, scan: bool) -> None:
        if self.pos >= len(self.text):
            raise ValueError("a path must not end with '.' or '..'")
        char = self.text[self.pos]
        if char == "*":
            self.pos += 1
            self.tokens.append(_Wildcard())
        elif char == "[" and scan:
            self._bracket()
        else:
            end = self.pos
            while end < len(self.text) and self.text[end] not in _NAME_STOP:
                end += 1
            if end == self.pos:
                raise ValueError(f"expected a property name at '{self.text[self.pos :]}'")
            self.tokens.append(_Property((self.text[self.pos : end],)))
            self.pos = end

    def _bracket(self) -> None:
        close = _matching_close(self.text, self.pos)
        inner = self.text[self.pos + 1 : close].strip()
        self.pos = close + 1
        if inner == "*":
            self.tokens.append(_Wildcard())
        elif inner.startswith("?"):
            body = inner[1:].strip()
            if not (body.startswith("(") and body.endswith(")")):
                raise ValueError(f"a filter must look like [?(...)], got [{inner}]")
            self.tokens.append(_Filter(_FilterParser(body[1:-1]).parse()))
        elif inner[:1] in ("'", '"'):
            self.tokens.append(_Property(_quoted_names(inner)))
        elif ":" in inner:
            self.tokens.append(_slice(inner))
        else:
            parts = [_INTEGER.match(part) for part in inner.split(",")]
            if not inner or not all(parts):
                raise ValueError(f"invalid array index [{inner}]")
            self.tokens.append(_Index(tuple(int(match.group(1)) for match in parts if match)))


def _quoted_names(inner: str) -> tuple[str, ...]:
    names: list[str] = []
    pos = 0
    while True:
        while pos < len(inner) and inner[pos].isspace():
            pos += 1
        if pos >= len(inner) or inner[pos] not in "'\"":
            raise ValueError(f"invalid property list [{inner}]")
        end = _skip_quoted(inner, pos)
        quote = inner[pos]
        # Only the escaped delimiter is unescaped; AWS keeps any other backslash as it is.
        names.append(inner[pos + 1 : end - 1].replace("\\" + quote, quote))
        pos = end
        while pos < len(inner) and inner[pos].isspace():
            pos += 1
        if pos == len(inner):
            return tuple(names)
        if inner[pos] != ",":
            raise ValueError(f"invalid property list [{inner}]")
        pos += 1


def _slice(inner: str) -> _Slice:
    parts = inner.split(":")
    if len(parts) != 2:
        raise ValueError(f"array slices take [start:end], got [{inner}]")
    bounds: list[int | None] = []
    for part in parts:
        if not part.strip():
            bounds.append(None)
            continue
        match = _INTEGER.match(part)
        if match is None:
            raise ValueError(f"invalid array slice [{inner}]")
        bounds.append(int(match.group(1)))
    return _Slice(bounds[0], bounds[1])


class CompiledPath:
    """A compiled path; `select` answers the way AWS does for this path."""

    __slots__ = ("definite", "normalized", "relative", "simple", "text", "tokens")

    def __init__(self, text: str, tokens: list[_Token], *, relative: bool) -> None:
        self.text = text
        self.relative = relative
        if len(tokens) >= 1 and isinstance(tokens[-1], _Scan):
            raise ValueError("a path must not end with '..'")
        for position, token in enumerate(tokens):
            if isinstance(token, _Property) and len(token.names) > 1:
                token.definite = position == len(tokens) - 1  # a union of names is definite as the leaf
        self.tokens = tuple(tokens)
        self.definite = all(token.definite for token in tokens)
        self.normalized = "$" + "".join(token.fragment() for token in tokens)
        self.simple = self._simple_keys()

    def _simple_keys(self) -> tuple[str | int, ...] | None:
        keys: list[str | int] = []
        for token in self.tokens:
            if isinstance(token, _Property) and len(token.names) == 1:
                keys.append(token.names[0])
            elif isinstance(token, _Index) and token.definite:
                keys.append(token.indexes[0])
            else:
                return None
        return tuple(keys)

    def evaluate(self, document: JsonValue, root: JsonValue) -> list[JsonValue]:
        run = _Run(self.tokens, root)
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
        except _Miss as miss:
            if not self.definite and not miss.invalid:
                return []
            raise JsonPathNotFound(self.text, str(miss)) from None
        if not self.definite:
            return results
        if not results:
            raise JsonPathNotFound(self.text, f"No results for path: {self.normalized}")
        return results[0]


def _compile(text: str, *, relative: bool = False) -> CompiledPath:
    if not text.startswith("$"):
        raise ValueError(f"a path must start with '$': '{text}'")
    body = text[2:] if text.startswith("$$") else text[1:]
    return CompiledPath(text, _PathParser(body).parse(), relative=relative)


@lru_cache(maxsize=4096)
def compile_path(path: str) -> CompiledPath:
    """Compile (and cache) a path; raises ValueError with the reason when it is not valid."""
    text = path.strip()
    try:
        return _compile(text)
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
