"""The syntax of an intrinsic function call (`States.Format('{}', $.x)`): text into a syntax tree.

A call's arguments are string literals in single quotes (escapes `\\'`, `\\{`, `\\}`, `\\\\`), numbers,
`true`, `false`, `null`, JSONPaths on the state input (`$.x`) or the context object (`$$.Execution.Id`),
variables (`$name`, `$name.x[0]`) and nested calls. Path arguments are compiled here, so a call that
parses holds only valid paths; whether its functions exist and take that many arguments is checked by
`intrinsics_functions.check_call`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final

from local.engine.jsonpath import CompiledPath, compile_path
from local.engine.text_cursor import JSON_NUMBER, TextCursor


def parse_call(expression: str) -> Call:
    """The syntax tree of one call; raises ValueError with the reason when `expression` is not one."""
    return _CallParser(expression).parse()


@dataclass(frozen=True, slots=True)
class Literal:
    """A number, `true`, `false` or `null`."""

    value: Any


@dataclass(frozen=True, slots=True)
class Text:
    """A string literal; `raw` keeps the escapes, which States.Format needs to tell `\\{` from `{`."""

    value: str
    raw: str


@dataclass(frozen=True, slots=True)
class PathArgument:
    """`$.x` read from the state input, `$$.x` from the context object, `$name...` from a variable."""

    text: str
    source: str  # "input", "context" or "variable"
    variable: str | None
    path: CompiledPath | None  # None for a bare variable


@dataclass(frozen=True, slots=True)
class Call:
    """`States.Name(argument, ...)`; `text` is the call as written."""

    name: str
    arguments: tuple[Node, ...]
    text: str


Node = Literal | Text | PathArgument | Call

_FUNCTION_NAME: Final = re.compile(r"States\.([A-Za-z0-9]+)")
_VARIABLE: Final = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_KEYWORDS: Final = {"true": True, "false": False, "null": None}
# What a backslash escapes in a string literal (and in a States.Format template); others stay as written.
ESCAPABLE: Final = "'{}\\"


class _CallParser(TextCursor):
    """Recursive-descent parser for one intrinsic function call."""

    def parse(self) -> Call:
        self._skip()
        call = self._call()
        self._skip()
        if self.pos != len(self.text):
            raise ValueError(f"unexpected '{self.text[self.pos :]}' after {call.name}(...)")
        return call

    def _call(self) -> Call:
        start = self.pos
        match = _FUNCTION_NAME.match(self.text, self.pos)
        if match is None:
            raise ValueError(
                f"expected an intrinsic function such as States.Format(...) at '{self.text[start:]}'"
            )
        name = match.group(0)
        self.pos = match.end()
        if not self._take("("):
            raise ValueError(f"expected '(' after {name}")
        arguments: list[Node] = []
        if not self._take(")"):
            while True:
                self._skip()
                arguments.append(self._argument())
                if self._take(")"):
                    break
                if not self._take(","):
                    raise ValueError(f"expected ',' or ')' in the arguments of {name}")
        return Call(name, tuple(arguments), self.text[start : self.pos])

    def _argument(self) -> Node:
        if self.pos >= len(self.text):
            raise ValueError("unexpected end of the expression")
        char = self.text[self.pos]
        if char == "'":
            return self._string()
        if self.text.startswith("States.", self.pos):
            return self._call()
        if char == "$":
            return self._path()
        match = JSON_NUMBER.match(self.text, self.pos)
        if match is not None and self._ends_argument(match.end()):
            self.pos = match.end()
            number = match.group(0)
            return Literal(float(number) if any(mark in number for mark in ".eE") else int(number))
        for word, value in _KEYWORDS.items():
            if self.text.startswith(word, self.pos) and self._ends_argument(self.pos + len(word)):
                self.pos += len(word)
                return Literal(value)
        raise ValueError(f"invalid argument at '{self.text[self.pos :]}'")

    def _ends_argument(self, pos: int) -> bool:
        return pos == len(self.text) or self.text[pos] in ",)" or self.text[pos].isspace()

    def _string(self) -> Text:
        value: list[str] = []
        pos = self.pos + 1
        while pos < len(self.text) and self.text[pos] != "'":
            char = self.text[pos]
            if char == "\\" and pos + 1 < len(self.text):
                escaped = self.text[pos + 1]
                value.append(escaped if escaped in ESCAPABLE else char + escaped)
                pos += 2
                continue
            value.append(char)
            pos += 1
        if pos >= len(self.text):
            raise ValueError("unterminated string literal")
        raw = self.text[self.pos + 1 : pos]
        self.pos = pos + 1
        return Text("".join(value), raw)

    def _path(self) -> PathArgument:
        start = self.pos
        depth = 0
        pos = start
        while pos < len(self.text):
            char = self.text[pos]
            if char in "'\"" and depth:
                pos = _after_quoted(self.text, pos)
                continue
            if char in "[(":
                depth += 1
            elif char in "])" and depth:
                depth -= 1
            elif depth == 0 and (char in ",)" or char.isspace()):
                break
            pos += 1
        self.pos = pos
        return _compile_path_argument(self.text[start:pos])


def _after_quoted(text: str, start: int) -> int:
    pos = start + 1
    while pos < len(text) and text[pos] != text[start]:
        pos += 2 if text[pos] == "\\" else 1
    return pos + 1


def _compile_path_argument(text: str) -> PathArgument:
    if text.startswith("$$"):
        return PathArgument(text, "context", None, compile_path(text[1:]))
    match = _VARIABLE.match(text)
    if match is not None:
        rest = text[match.end() :]
        compiled = compile_path("$" + rest) if rest else None
        return PathArgument(text, "variable", match.group(1), compiled)
    return PathArgument(text, "input", None, compile_path(text))
