"""Where a bracket or a quoted string ends in JSONPath text, for the path parser and the filter parser.

Both parsers need it: a path's `[...]` may hold a filter with nested brackets and quoted strings, and a
filter's operands may hold bracketed paths and JSON literals.
"""

from __future__ import annotations

from typing import Final

_CLOSING: Final = {"[": "]", "(": ")", "{": "}"}


def matching_close(text: str, start: int) -> int:
    """Index of the bracket closing the one at `start`, skipping quoted strings and nested brackets."""
    stack = [_CLOSING[text[start]]]
    pos = start + 1
    while pos < len(text):
        char = text[pos]
        if char in "'\"":
            pos = skip_quoted(text, pos)
            continue
        if char in _CLOSING:
            stack.append(_CLOSING[char])
        elif char == stack[-1]:
            stack.pop()
            if not stack:
                return pos
        pos += 1
    raise ValueError(f"unbalanced '{text[start]}' in path '{text}'")


def skip_quoted(text: str, start: int) -> int:
    """Index just after the string quoted at `start` (a backslash escapes the next character)."""
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
