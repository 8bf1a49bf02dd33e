"""The text of an HTML e-mail, line by line, for a terminal: block elements become lines and a table row
becomes `heading: value`."""

from __future__ import annotations

from html.parser import HTMLParser

_LINE_BREAKING_TAGS = frozenset(
    {"p", "div", "br", "tr", "li", "table", "h1", "h2", "h3", "h4", "h5", "h6", "title", "body", "html"}
)
_CELL_TAGS = frozenset({"td", "th"})
_INVISIBLE_TAGS = frozenset({"style", "script", "head"})


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self._line: list[str] = []
        self._cells: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _INVISIBLE_TAGS:
            self._hidden += 1
        elif tag in _LINE_BREAKING_TAGS:
            self._end_line()
        elif tag in _CELL_TAGS:
            self._end_cell()

    def handle_endtag(self, tag: str) -> None:
        if tag in _INVISIBLE_TAGS:
            self._hidden = max(0, self._hidden - 1)
        elif tag in _CELL_TAGS:
            self._end_cell()
        elif tag in _LINE_BREAKING_TAGS:
            self._end_line()

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self._line.append(data)

    def _end_cell(self) -> None:
        cell = " ".join("".join(self._line).split())
        if cell:
            self._cells.append(cell)
        self._line = []

    def _end_line(self) -> None:
        self._end_cell()
        if self._cells:
            self.lines.append(": ".join(self._cells))
        self._cells = []

    def close(self) -> None:
        super().close()
        self._end_line()


def email_text_lines(body: str) -> list[str]:
    """The non-empty lines a person reads in `body` (HTML or plain text).

    Example: `<tr><th>Customer id</th><td>C-1002</td></tr>` is the line `Customer id: C-1002`.
    """
    if "<" not in body:
        return [line.strip() for line in body.splitlines() if line.strip()]
    collector = _TextCollector()
    collector.feed(body)
    collector.close()
    return collector.lines
