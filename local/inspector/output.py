"""Where the inspector writes: rich tables and colours on a terminal, plain aligned text otherwise, so that
what a command prints into a pipe, a file or a test reads the same without escape codes or box lines.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from rich.console import Console
from rich.json import JSON
from rich.table import Table
from rich.text import Text

# Statuses (upper case) and path outcomes (lower case, first word) get a colour on a terminal.
_STYLES = {
    "SUCCEEDED": "green",
    "FAILED": "bold red",
    "TIMED_OUT": "bold red",
    "ABORTED": "yellow",
    "RUNNING": "cyan",
    "PENDING_REDRIVE": "cyan",
    "SCHEDULED": "cyan",
    "succeeded": "green",
    "caught": "yellow",
    "failed": "bold red",
    "running": "cyan",
    "aborted": "yellow",
    "timed": "bold red",
}
_COLUMN_GAP = "  "


@dataclass(frozen=True)
class Column:
    """A table column; `coloured` columns hold statuses or outcomes."""

    header: str
    coloured: bool = False
    justify: Literal["left", "right"] = "left"


def style_of(value: str) -> str | None:
    """The colour of a status (`FAILED`) or an outcome (`caught VendorRejected`), if it has one."""
    words = value.split(maxsplit=1)
    return _STYLES.get(words[0]) if words else None


class Output:
    """Writes lines, fields, tables and JSON documents to standard output."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(highlight=False)

    @property
    def is_terminal(self) -> bool:
        """True when colours and box-drawn tables will be read by a person at a terminal."""
        return self.console.is_terminal

    def line(self, text: str = "", style: str | None = None) -> None:
        """One line of text, never wrapped in plain mode."""
        if self.is_terminal:
            self.console.print(Text(text, style=style or ""), soft_wrap=True)
        else:
            print(text, file=self.console.file, flush=True)

    def heading(self, text: str) -> None:
        """A title above a block of output."""
        self.line(text, style="bold")

    def fields(self, pairs: Sequence[tuple[str, str]]) -> None:
        """`Label:  value` lines with the values aligned; status values coloured on a terminal."""
        width = max((len(label) for label, _ in pairs), default=0) + 1
        for label, value in pairs:
            if self.is_terminal:
                text = Text(f"{label + ':':<{width}}  ", style="bold")
                text.append(value, style=style_of(value) or "")
                self.console.print(text, soft_wrap=True)
            else:
                self.line(f"{label + ':':<{width}}  {value}")

    def table(
        self, columns: Sequence[Column], rows: Sequence[Sequence[str]], title: str | None = None
    ) -> None:
        """A table: box-drawn on a terminal, aligned columns with an upper-case header row otherwise."""
        if self.is_terminal:
            self._rich_table(columns, rows, title)
        else:
            self._plain_table(columns, rows, title)

    def _rich_table(
        self, columns: Sequence[Column], rows: Sequence[Sequence[str]], title: str | None
    ) -> None:
        table = Table(title=title, title_justify="left", title_style="bold")
        for column in columns:
            table.add_column(column.header, justify=column.justify, overflow="fold")
        for row in rows:
            table.add_row(
                *(
                    Text(cell, style=(style_of(cell) if column.coloured else None) or "")
                    for column, cell in zip(columns, row, strict=True)
                )
            )
        self.console.print(table)

    def _plain_table(
        self, columns: Sequence[Column], rows: Sequence[Sequence[str]], title: str | None
    ) -> None:
        if title:
            self.line(title)
        header = [column.header.upper() for column in columns]
        widths = [max(len(cell) for cell in cells) for cells in zip(header, *rows, strict=True)]
        for cells in (header, *rows):
            aligned = (
                cell.rjust(width) if column.justify == "right" else cell.ljust(width)
                for column, cell, width in zip(columns, cells, widths, strict=True)
            )
            self.line(_COLUMN_GAP.join(aligned).rstrip())

    def json_document(self, text: str) -> None:
        """A JSON text, indented (highlighted on a terminal); any other text as it is."""
        try:
            document = json.loads(text)
        except ValueError:
            self.line(text)
            return
        if self.is_terminal:
            self.console.print(JSON.from_data(document, ensure_ascii=False), soft_wrap=True)
        else:
            self.line(json.dumps(document, indent=2, ensure_ascii=False))
