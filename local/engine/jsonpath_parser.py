"""JSONPath text compiled into tokens, following Jayway's PathCompiler (the `$` dialect AWS accepts).

`compile_text` does the work uncached; `jsonpath.compile_path` is the cached entry point callers use.
"""

from __future__ import annotations

import re
from typing import Final

from local.engine.jsonpath_filter import parse_filter
from local.engine.jsonpath_text import matching_close, skip_quoted
from local.engine.jsonpath_tokens import CompiledPath, Filter, Index, Property, Scan, Slice, Token, Wildcard


def compile_text(text: str, *, relative: bool = False) -> CompiledPath:
    """Compile `$...` or `$$...`; raises ValueError with the reason when it is not a valid path."""
    if not text.startswith("$"):
        raise ValueError(f"a path must start with '$': '{text}'")
    body = text[2:] if text.startswith("$$") else text[1:]
    return CompiledPath(text, _PathParser(body).parse(), relative=relative)


def _compile_operand(text: str) -> CompiledPath:
    """A filter operand path: `@...` is read against the current item, `$...` against the root."""
    return compile_text("$" + text[1:], relative=text.startswith("@"))


_NAME_STOP: Final = frozenset(".[]()'\" \t\r\n")
_INTEGER: Final = re.compile(r"\s*(-?\d+)\s*$")


class _PathParser:
    """Turns the text after `$` into tokens, following Jayway's PathCompiler."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.tokens: list[Token] = []

    def parse(self) -> list[Token]:
        while self.pos < len(self.text):
            if self.text.startswith("..", self.pos):
                self.pos += 2
                self.tokens.append(Scan())
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
            self.tokens.append(Wildcard())
        elif char == "[" and scan:
            self._bracket()
        else:
            end = self.pos
            while end < len(self.text) and self.text[end] not in _NAME_STOP:
                end += 1
            if end == self.pos:
                raise ValueError(f"expected a property name at '{self.text[self.pos :]}'")
            self.tokens.append(Property((self.text[self.pos : end],)))
            self.pos = end

    def _bracket(self) -> None:
        close = matching_close(self.text, self.pos)
        inner = self.text[self.pos + 1 : close].strip()
        self.pos = close + 1
        if inner == "*":
            self.tokens.append(Wildcard())
        elif inner.startswith("?"):
            body = inner[1:].strip()
            if not (body.startswith("(") and body.endswith(")")):
                raise ValueError(f"a filter must look like [?(...)], got [{inner}]")
            self.tokens.append(Filter(parse_filter(body[1:-1], _compile_operand)))
        elif inner[:1] in ("'", '"'):
            self.tokens.append(Property(_quoted_names(inner)))
        elif ":" in inner:
            self.tokens.append(_slice(inner))
        else:
            parts = [_INTEGER.match(part) for part in inner.split(",")]
            if not inner or not all(parts):
                raise ValueError(f"invalid array index [{inner}]")
            self.tokens.append(Index(tuple(int(match.group(1)) for match in parts if match)))


def _quoted_names(inner: str) -> tuple[str, ...]:
    names: list[str] = []
    pos = 0
    while True:
        while pos < len(inner) and inner[pos].isspace():
            pos += 1
        if pos >= len(inner) or inner[pos] not in "'\"":
            raise ValueError(f"invalid property list [{inner}]")
        end = skip_quoted(inner, pos)
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


def _slice(inner: str) -> Slice:
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
    return Slice(bounds[0], bounds[1])
