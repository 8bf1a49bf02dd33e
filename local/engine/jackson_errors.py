"""What Jackson, the JSON parser AWS runs, says of a text that is not JSON, for the mistakes AWS recorded.

Python's parser words its errors its own way ("Expecting value: line 1 column 1 (char 0)"); AWS answers
with Jackson's words and Jackson's location, where the column is the one after what Jackson had read.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_SOURCE_SHOWN = 500  # Jackson quotes at most this many characters of the text
_EXPECTED_VALUE = "was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')"
_WHITESPACE = " \t\r\n"


@dataclass(frozen=True)
class JacksonError:
    """Jackson's message for a text, and where in the text it stopped (1-based line and column)."""

    message: str
    source: str
    line: int
    column: int

    @property
    def location(self) -> str:
        """Where, as Jackson writes it: `[Source: (String)"..."; line: 1, column: 4]`."""
        shown = self.source[:MAX_SOURCE_SHOWN]
        cut = len(self.source) - len(shown)
        truncated = f"[truncated {cut} chars]" if cut else ""
        return f'[Source: (String)"{shown}"{truncated}; line: {self.line}, column: {self.column}]'

    @property
    def located_message(self) -> str:
        """The message followed by its location, as Jackson's exceptions print."""
        return f"{self.message}\n at {self.location}"


def describe(text: str) -> JacksonError | None:
    """Jackson's error for `text`, which Python could not parse; None for a mistake not modelled here
    (an unquoted word where a value belongs, or a field name without double quotes)."""
    start = _skip_whitespace(text, 0)
    if start == len(text):
        return None
    first = text[start]
    if first == "{":
        name_at = _skip_whitespace(text, start + 1)
        if name_at < len(text) and text[name_at] not in '"}':
            character = text[name_at]
            message = (
                f"Unexpected character ('{character}' (code {ord(character)})): "
                "was expecting double-quote to start field name"
            )
            return _error(message, text, name_at + 1)
        return None
    token_end = start
    while token_end < len(text) and _is_identifier_part(text[token_end]):
        token_end += 1
    token = text[start:token_end]
    if not token or token in ("true", "false", "null") or first.isdigit():
        return None
    return _error(f"Unrecognized token '{token}': {_EXPECTED_VALUE}", text, token_end)


def _error(message: str, text: str, read: int) -> JacksonError:
    """The error with the position after the `read` characters Jackson consumed."""
    line = text.count("\n", 0, read) + 1
    column = read - (text.rfind("\n", 0, read) + 1) + 1
    return JacksonError(message, text, line, column)


def _skip_whitespace(text: str, position: int) -> int:
    while position < len(text) and text[position] in _WHITESPACE:
        position += 1
    return position


def _is_identifier_part(character: str) -> bool:
    """Java's Character.isJavaIdentifierPart, for the characters a mistyped word is made of."""
    return character.isalnum() or character in "_$"
