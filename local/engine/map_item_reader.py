"""A Distributed Map's ItemReader: its declaration, the S3 reads it makes and how their content becomes items.

`arn:aws:states:::s3:getObject` reads one object whose content (ReaderConfig.InputType JSON, JSONL or
CSV) is the items; `arn:aws:states:::s3:listObjectsV2` lists the objects under a prefix, each listed
object being an item shaped as Step Functions gives it (Etag, Key, LastModified in epoch seconds, Size,
StorageClass). ReaderConfig.MaxItems keeps the first items only.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from local.engine import paths
from local.engine.errors import StatesError
from local.engine.paths import Evaluator
from local.engine.resources import Resource, parse_resource

READER_FAILED = "States.ItemReaderFailed"
GET_OBJECT = "getObject"
LIST_OBJECTS = "listObjectsV2"
READ_ACTIONS = (GET_OBJECT, LIST_OBJECTS)
INPUT_TYPES = ("JSON", "JSONL", "CSV")
HEADER_LOCATIONS = ("FIRST_ROW", "GIVEN")


@dataclass(frozen=True)
class ItemReaderSpec:
    """The ItemReader field of a Map state, parsed from a validated definition."""

    resource: Resource
    parameters: Evaluator | None  # JSONPath: Parameters
    arguments: Any  # JSONata: Arguments (None when absent)
    input_type: str
    header_location: str
    headers: tuple[str, ...]
    max_items: Any  # a number, or (JSONata) an expression
    max_items_path: str | None

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> ItemReaderSpec:
        """The reader as the Map state runs it."""
        config = raw.get("ReaderConfig") or {}
        return cls(
            resource=parse_resource(raw["Resource"]),
            parameters=paths.compile_template(raw["Parameters"]) if "Parameters" in raw else None,
            arguments=raw.get("Arguments"),
            input_type=config.get("InputType", "JSON"),
            header_location=config.get("CSVHeaderLocation", "FIRST_ROW"),
            headers=tuple(config.get("CSVHeaders") or ()),
            max_items=config.get("MaxItems"),
            max_items_path=config.get("MaxItemsPath"),
        )


def problems(reader: Any) -> list[tuple[str, str]]:
    """What the engine cannot run in an ItemReader field, as (message, field below ItemReader) pairs."""
    if not isinstance(reader, dict):
        return [("Expected value of type: Object", "")]
    found: list[tuple[str, str]] = []
    resource = parse_resource(reader["Resource"]) if isinstance(reader.get("Resource"), str) else None
    if resource is None or resource.service != "s3" or resource.action not in READ_ACTIONS:
        found.append(("The local engine reads items with s3:getObject or s3:listObjectsV2 only", "/Resource"))
    config = reader.get("ReaderConfig") or {}
    if not isinstance(config, dict):
        return [*found, ("Expected value of type: Object", "/ReaderConfig")]
    if (
        resource is not None
        and resource.action == GET_OBJECT
        and config.get("InputType", "JSON") not in INPUT_TYPES
    ):
        found.append(("The local engine reads InputType JSON, JSONL or CSV only", "/ReaderConfig/InputType"))
    if config.get("CSVHeaderLocation", "FIRST_ROW") not in HEADER_LOCATIONS:
        found.append(("Value is not a valid CSV header location", "/ReaderConfig/CSVHeaderLocation"))
    headers = config.get("CSVHeaders")
    if config.get("CSVHeaderLocation") == "GIVEN" and (
        not isinstance(headers, list) or not headers or not all(isinstance(h, str) for h in headers)
    ):
        found.append(("CSVHeaders must be a non-empty array of strings", "/ReaderConfig/CSVHeaders"))
    return found


def fetch(client: Any, action: str, parameters: Any) -> Any:
    """Make an ItemReader's S3 read: an object's text, or every listed object shaped as an item."""
    arguments = dict(parameters) if isinstance(parameters, dict) else {}
    try:
        if action == GET_OBJECT:
            body = client.get_object(**arguments)["Body"].read()
            return body.decode("utf-8-sig")
        listed: list[dict[str, Any]] = []
        for page in client.get_paginator("list_objects_v2").paginate(**arguments):
            listed.extend(_listed_item(entry) for entry in page.get("Contents", []))
        return listed
    except ClientError as exc:
        error = exc.response.get("Error", {})
        raise StatesError(
            READER_FAILED, f"{error.get('Code', 'S3Exception')}: {error.get('Message', exc)}"
        ) from exc
    except (BotoCoreError, ValueError, TypeError) as exc:
        raise StatesError(READER_FAILED, str(exc)) from exc


def _listed_item(entry: dict[str, Any]) -> dict[str, Any]:
    modified: Any = entry.get("LastModified")
    return {
        "Etag": entry.get("ETag"),
        "Key": entry.get("Key"),
        "LastModified": int(modified.timestamp()) if isinstance(modified, datetime) else modified,
        "Size": entry.get("Size"),
        "StorageClass": entry.get("StorageClass"),
    }


def items_of(reader: ItemReaderSpec, fetched: Any, max_items: int | None) -> list[Any]:
    """The items a read gave, at most `max_items` of them (None or 0: all)."""
    if reader.resource.action == LIST_OBJECTS:
        items = list(fetched) if isinstance(fetched, list) else []
    elif not isinstance(fetched, str):
        raise StatesError(READER_FAILED, "The object read has no text content")
    elif reader.input_type == "CSV":
        items = _csv_items(fetched, reader)
    elif reader.input_type == "JSONL":
        items = [_json(line) for line in fetched.splitlines() if line.strip()]
    else:
        items = _json(fetched)
        if not isinstance(items, list):
            raise StatesError(READER_FAILED, "Attempting to map over non-iterable node.")
    return items[:max_items] if max_items else items


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise StatesError(READER_FAILED, f"The content read is not valid JSON: {exc}") from exc


def _csv_items(text: str, reader: ItemReaderSpec) -> list[dict[str, str]]:
    rows = [row for row in csv.reader(io.StringIO(text)) if row]
    headers = list(reader.headers)
    if reader.header_location == "FIRST_ROW":
        if not rows:
            return []
        headers, rows = rows[0], rows[1:]
    items = []
    for row in rows:
        if len(row) > len(headers):
            raise StatesError(READER_FAILED, "A CSV row has more fields than there are headers")
        items.append(dict(zip(headers, row + [""] * (len(headers) - len(row)), strict=True)))
    return items
