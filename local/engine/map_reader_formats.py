"""How the content of an object an ItemReader reads becomes items: JSON (an array, or the array an
ItemsPointer points to), JSON Lines, delimited text (CSV), an S3 inventory manifest and its CSV files, and an
Athena data manifest (the URIs of the data files). A malformed content fails with States.ItemReaderFailed.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from local.engine.errors import StatesError

READER_FAILED = "States.ItemReaderFailed"
DELIMITERS = {"COMMA": ",", "PIPE": "|", "SEMICOLON": ";", "SPACE": " ", "TAB": "\t"}
HEADER_LOCATIONS = ("FIRST_ROW", "GIVEN")
_S3_ARN = "arn:aws:s3:::"


def failed(cause: str) -> StatesError:
    """The reader's failure with `cause`."""
    return StatesError(READER_FAILED, cause)


def json_items(text: str, pointer: str | None) -> list[Any]:
    """The elements of the JSON array the text holds, or of the array `pointer` (RFC 6901) points to in it."""
    value = _json(text, "The content read is not valid JSON")
    if pointer:
        value = _pointed(value, pointer)
    if not isinstance(value, list):
        raise failed("Attempting to map over non-iterable node.")
    return value


def jsonl_items(text: str) -> list[Any]:
    """One item per non-blank line, each a JSON value."""
    items = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            items.append(_json(line, f"Line {number} of the JSON Lines content read is not valid JSON"))
    return items


def csv_items(
    text: str, *, delimiter: str, header_location: str, headers: tuple[str, ...]
) -> list[dict[str, str]]:
    """One item per row, an object of the row's values (text) by header: the first row's or the given ones."""
    reader = csv.reader(io.StringIO(text), delimiter=DELIMITERS[delimiter], strict=True)
    try:
        rows = [row for row in reader if row]
    except csv.Error as exc:
        raise failed(f"The CSV content read is malformed: {exc}") from exc
    names = list(headers)
    if header_location == "FIRST_ROW":
        if not rows:
            return []
        names, rows = rows[0], rows[1:]
        if not rows:  # AWS fails such a file rather than giving no items
            raise failed("The CSV file read contains only CSV headers and no rows")
    if len(set(names)) < len(names):
        raise failed("The CSV headers are not unique")
    items = []
    for row in rows:
        if len(row) > len(names):
            raise failed("A CSV row has more fields than there are headers")
        items.append(dict(zip(names, row + [""] * (len(names) - len(row)), strict=True)))
    return items


def inventory_files(text: str) -> tuple[str, list[str], list[str]]:
    """An S3 inventory manifest.json: the bucket holding the inventory files, their keys and columns."""
    manifest = _json(text, "The manifest read is not valid JSON")
    if not isinstance(manifest, dict):
        raise failed("The manifest read is not an S3 inventory manifest")
    files, schema = manifest.get("files"), manifest.get("fileSchema")
    destination = manifest.get("destinationBucket")
    if (
        not isinstance(files, list)
        or not isinstance(schema, str)
        or not isinstance(destination, str)
        or not all(isinstance(entry, dict) and isinstance(entry.get("key"), str) for entry in files)
    ):
        raise failed("The manifest read is not an S3 inventory manifest")
    if manifest.get("fileFormat") != "CSV":
        raise failed(f"The S3 inventory's file format {manifest.get('fileFormat')} is not read: only CSV is")
    bucket = destination.removeprefix(_S3_ARN)
    return bucket, [entry["key"] for entry in files], [column.strip() for column in schema.split(",")]


def inventory_items(text: str, columns: list[str]) -> list[dict[str, str]]:
    """The objects an S3 inventory CSV file lists (no header row), each an object of its columns."""
    return csv_items(text, delimiter="COMMA", header_location="GIVEN", headers=tuple(columns))


def athena_files(text: str) -> list[tuple[str, str]]:
    """An Athena data manifest: the (bucket, key) of each data file, one `s3://bucket/key` URI a line."""
    files = []
    for line in text.splitlines():
        uri = line.strip()
        if not uri:
            continue
        bucket, _, key = uri.removeprefix("s3://").partition("/")
        if not uri.startswith("s3://") or not bucket or not key:
            raise failed(f"The Athena manifest names {uri!r}, which is not an S3 URI")
        files.append((bucket, key))
    return files


def _json(text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise failed(f"{what}: {exc}") from exc


def _pointed(value: Any, pointer: str) -> Any:
    for token in pointer.split("/")[1:]:
        name = token.replace("~1", "/").replace("~0", "~")
        if isinstance(value, dict) and name in value:
            value = value[name]
        elif isinstance(value, list) and name.isdigit() and int(name) < len(value):
            value = value[int(name)]
        else:
            raise failed(f"The ItemsPointer {pointer} points to nothing in the JSON content read")
    return value
