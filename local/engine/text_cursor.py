"""A position in an expression's text, shared by the hand-written parsers (intrinsics, JSONPath filters)."""

from __future__ import annotations

import re
from typing import Final

# A JSON number literal as both expression languages write it.
JSON_NUMBER: Final = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")


class TextCursor:
    """The text being parsed and how far a recursive-descent parser has read it."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def _skip(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def _take(self, symbol: str) -> bool:
        self._skip()
        if self.text.startswith(symbol, self.pos):
            self.pos += len(symbol)
            return True
        return False
