"""JSONPath filters, `[?( ... )]`: the expression parsed into a predicate, as Jayway's FilterCompiler does.

Operators follow Jayway's: `==` and `!=` compare as its ValueNodes do (a number equals a numeric string),
`<`, `<=`, `>`, `>=` order only two numbers or two strings, `=~` matches a `/regex/flags` against the whole
text, and the word operators (`in`, `nin`, `size`, `empty`, `contains`, `subsetof`, `anyof`, `noneof`)
hold only for operands of the types they name. An operand path that matches nothing is "undefined",
which equals nothing; a bare `@.x` holds exactly when it is defined.

Operand paths are compiled by the caller (the path parser passes its own compiler), because an operand
is a path that may hold filters itself.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any, Final

from local.engine.java_compat import JsonValue, java_number_text, json_equal
from local.engine.jsonpath_text import matching_close
from local.engine.jsonpath_tokens import CompiledPath, Miss, Predicate
from local.engine.text_cursor import JSON_NUMBER, TextCursor

# Compiles an operand path: `@...` is read against the current item, `$...` against the root.
OperandCompiler = Callable[[str], CompiledPath]
_Operand = Callable[[JsonValue, JsonValue], Any]


class _Undefined:
    """Jayway's UNDEFINED: a filter operand whose path matched nothing."""

    __slots__ = ()


_UNDEFINED: Final = _Undefined()


def parse_filter(text: str, compile_operand: OperandCompiler) -> Predicate:
    """The predicate for the expression between `[?(` and `)]`; raises ValueError when it is not valid."""
    return _FilterParser(text, compile_operand).parse()


# ------------------------------------------------------------------------------------------ relations


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _value_equal(left: Any, right: Any) -> bool:
    """Jayway's ValueNode equality (a number equals a numeric string, as Jayway's nodes do)."""
    if left is _UNDEFINED or right is _UNDEFINED:
        return False
    if _is_number(left):
        return _number_equals(left, right)
    if isinstance(left, str):
        return left == (java_number_text(right) if _is_number(right) else right)
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
        return bool(len(left) == right)
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
        return java_number_text(value)
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


# ------------------------------------------------------------------------------------------ parser

_WORD_OPERATORS: Final = ("subsetof", "contains", "noneof", "anyof", "empty", "size", "nin", "in")
_SYMBOL_OPERATORS: Final = ("==", "!=", "<=", ">=", "=~", "<", ">")
_FILTER_PATH_STOP: Final = frozenset(" \t\r\n)<>=~!&|,")


class _FilterParser(TextCursor):
    """Recursive-descent parser for the expression inside `[?( ... )]`, after Jayway's FilterCompiler."""

    def __init__(self, text: str, compile_operand: OperandCompiler) -> None:
        super().__init__(text)
        self._compile_operand = compile_operand

    def parse(self) -> Predicate:
        predicate = self._or()
        self._skip()
        if self.pos != len(self.text):
            raise ValueError(f"unexpected '{self.text[self.pos :]}' in filter '{self.text}'")
        return predicate

    def _or(self) -> Predicate:
        terms = [self._and()]
        while self._take("||"):
            terms.append(self._and())
        if len(terms) == 1:
            return terms[0]
        return lambda item, root: any(term(item, root) for term in terms)

    def _and(self) -> Predicate:
        terms = [self._unary()]
        while self._take("&&"):
            terms.append(self._unary())
        if len(terms) == 1:
            return terms[0]
        return lambda item, root: all(term(item, root) for term in terms)

    def _unary(self) -> Predicate:
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

    def _relation(self) -> Predicate:
        self._skip()
        start = self.pos
        left = self._operand()
        end = self.pos
        operator = self._operator()
        if operator is None:
            if not self.text.startswith(("@", "$"), start):
                raise ValueError(f"expected a relational operator in filter '{self.text}'")
            path = self._compile_operand(self.text[start:end])
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
        end = matching_close(self.text, self.pos)
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
                pos = matching_close(self.text, pos) + 1
                continue
            if char in _FILTER_PATH_STOP:
                break
            pos += 1
        self.pos = pos
        return self._compile_operand(self.text[start:pos])


def _operand_value(path: CompiledPath, item: JsonValue, root: JsonValue) -> Any:
    try:
        results = path.evaluate(item if path.relative else root, root)
    except Miss:
        return _UNDEFINED
    if path.definite:
        return results[0] if results else _UNDEFINED
    return results


def _exists(path: CompiledPath, item: JsonValue, root: JsonValue) -> bool:
    return _operand_value(path, item, root) is not _UNDEFINED


def _regex_match(pattern: re.Pattern[str], value: Any) -> bool:
    text = _regex_input(value)
    return text is not None and pattern.fullmatch(text) is not None
