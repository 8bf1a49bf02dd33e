"""A Distributed Map's ItemReader: its declaration, the S3 reads it makes and how their content becomes items.

`arn:aws:states:::s3:getObject` reads one object whose content (ReaderConfig.InputType JSON, JSONL, CSV, or
MANIFEST: an S3 inventory manifest whose CSV inventory files list the items) is the items; with
ManifestType ATHENA_DATA the object is an Athena data manifest and the files it names (of InputType CSV or
JSONL) hold the items. `arn:aws:states:::s3:listObjectsV2` lists the objects under a prefix, each listed
object being an item shaped as Step Functions gives it (Etag, Key, LastModified in epoch seconds, Size,
StorageClass), or, with Transformation LOAD_AND_FLATTEN, reads each listed object and flattens their items.
ReaderConfig.MaxItems keeps the first items only. Parquet is not read: it is refused at create.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from local.engine import map_reader_formats as formats
from local.engine import paths
from local.engine.errors import StatesError
from local.engine.paths import Evaluator
from local.engine.resources import Resource, parse_resource

READER_FAILED = formats.READER_FAILED
GET_OBJECT = "getObject"
LIST_OBJECTS = "listObjectsV2"
READ_ACTIONS = (GET_OBJECT, LIST_OBJECTS)
CONTENT_TYPES = ("JSON", "JSONL", "CSV")
INPUT_TYPES = (*CONTENT_TYPES, "PARQUET", "MANIFEST")
MANIFEST_TYPES = ("S3_INVENTORY", "ATHENA_DATA")
TRANSFORMATIONS = ("NONE", "LOAD_AND_FLATTEN")
MAX_ITEMS_LIMIT = 100_000_000
FIELDS = frozenset({"Resource", "Parameters", "Arguments", "ReaderConfig"})
CONFIG_FIELDS = frozenset(
    {
        "InputType",
        "CSVHeaderLocation",
        "CSVHeaders",
        "CSVDelimiter",
        "MaxItems",
        "MaxItemsPath",
        "ManifestType",
        "ItemsPointer",
        "Transformation",
    }
)

# Reads one more object (bucket, key) and gives its text: the files a manifest names, the objects listed.
ObjectReader = Callable[[str, str], Any]


@dataclass(frozen=True)
class ItemReaderSpec:
    """The ItemReader field of a Map state, parsed from a validated definition."""

    resource: Resource
    parameters: Evaluator | None  # JSONPath: Parameters
    arguments: Any  # JSONata: Arguments (None when absent)
    input_type: str
    header_location: str
    headers: tuple[str, ...]
    delimiter: str
    manifest_type: str | None
    items_pointer: str | None
    transformation: str
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
            delimiter=config.get("CSVDelimiter", "COMMA"),
            manifest_type=config.get("ManifestType"),
            items_pointer=config.get("ItemsPointer"),
            transformation=config.get("Transformation", "NONE"),
            max_items=config.get("MaxItems"),
            max_items_path=config.get("MaxItemsPath"),
        )


def problems(reader: Any) -> list[tuple[str, str]]:
    """What is wrong with an ItemReader field, or what the engine cannot run in it, as (message, field below
    ItemReader) pairs."""
    if not isinstance(reader, dict):
        return [("Expected value of type: Object", "")]
    found = [("Field is not supported", f"/{name}") for name in reader if name not in FIELDS]
    resource = parse_resource(reader["Resource"]) if isinstance(reader.get("Resource"), str) else None
    if resource is None or resource.service != "s3" or resource.action not in READ_ACTIONS:
        found.append(("The local engine reads items with s3:getObject or s3:listObjectsV2 only", "/Resource"))
    config = reader.get("ReaderConfig") or {}
    if not isinstance(config, dict):
        return [*found, ("Expected value of type: Object", "/ReaderConfig")]
    unknown = [name for name in config if name not in CONFIG_FIELDS]
    found += [("Field is not supported", f"/ReaderConfig/{name}") for name in unknown]
    below = [*_value_problems(config), *_max_items_problems(config), *_combination_problems(config, resource)]
    return found + [(message, f"/ReaderConfig{field}") for message, field in below]


def _value_problems(config: dict[str, Any]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    choices = {
        "InputType": INPUT_TYPES,
        "CSVHeaderLocation": formats.HEADER_LOCATIONS,
        "CSVDelimiter": tuple(formats.DELIMITERS),
        "ManifestType": MANIFEST_TYPES,
        "Transformation": TRANSFORMATIONS,
    }
    for name, allowed in choices.items():
        if name in config and config[name] not in allowed:
            found.append((f"Value is not one of: {', '.join(allowed)}", f"/{name}"))
    if config.get("InputType") == "PARQUET":
        found.append(("The local engine does not read Parquet (InputType PARQUET)", "/InputType"))
    headers = config.get("CSVHeaders")
    if config.get("CSVHeaderLocation") == "GIVEN" and (
        not isinstance(headers, list) or not headers or not all(isinstance(h, str) for h in headers)
    ):
        found.append(("CSVHeaders must be a non-empty array of strings", "/CSVHeaders"))
    return found


def _combination_problems(config: dict[str, Any], resource: Resource | None) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    input_type = config.get("InputType", "JSON")
    pointer = config.get("ItemsPointer")
    if pointer is not None and (not isinstance(pointer, str) or (pointer and not pointer.startswith("/"))):
        found.append(("ItemsPointer must be a JSON Pointer (empty, or starting with /)", "/ItemsPointer"))
    elif pointer is not None and input_type != "JSON":
        found.append(("ItemsPointer applies to InputType JSON only", "/ItemsPointer"))
    manifest_type = config.get("ManifestType")
    if manifest_type == "ATHENA_DATA" and input_type not in ("CSV", "JSONL", "PARQUET"):
        found.append(("ManifestType ATHENA_DATA reads InputType CSV, JSONL or PARQUET", "/InputType"))
    if manifest_type == "S3_INVENTORY" and input_type != "MANIFEST":
        found.append(("ManifestType S3_INVENTORY reads InputType MANIFEST", "/InputType"))
    action = resource.action if resource is not None else None
    if action == LIST_OBJECTS and manifest_type is not None:
        found.append(("ManifestType applies to s3:getObject only", "/ManifestType"))
    if config.get("Transformation", "NONE") != "NONE":
        if action != LIST_OBJECTS:
            found.append(("LOAD_AND_FLATTEN applies to s3:listObjectsV2 only", "/Transformation"))
        elif input_type not in CONTENT_TYPES:
            found.append(("Transformation LOAD_AND_FLATTEN reads InputType JSON, JSONL or CSV", "/InputType"))
    return found


def _max_items_problems(config: dict[str, Any]) -> list[tuple[str, str]]:
    if "MaxItems" in config and "MaxItemsPath" in config:
        return [("MaxItems and MaxItemsPath cannot both be given", "/MaxItems")]
    value = config.get("MaxItems")
    if isinstance(value, str) or value is None:
        return []  # absent, or a JSONata expression (checked with the other expressions)
    number = isinstance(value, int | float) and not isinstance(value, bool) and int(value) == value
    if not number or not 0 <= value <= MAX_ITEMS_LIMIT:
        return [(f"MaxItems must be an integer from 0 to {MAX_ITEMS_LIMIT}", "/MaxItems")]
    return []


def fetch(client: Any, action: str, parameters: Any) -> Any:
    """Make an ItemReader's S3 read: an object's text (uncompressed when gzip-compressed, as S3 inventory
    files are), or every listed object shaped as an item."""
    arguments = dict(parameters) if isinstance(parameters, dict) else {}
    try:
        if action == GET_OBJECT:
            body: bytes = client.get_object(**arguments)["Body"].read()
            if body[:2] == b"\x1f\x8b":
                body = gzip.decompress(body)
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
    except (BotoCoreError, ValueError, TypeError, OSError) as exc:
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


def items_of(
    reader: ItemReaderSpec, fetched: Any, max_items: int | None, *, bucket: Any, read: ObjectReader
) -> list[Any]:
    """The items a read gave (reading the files a manifest names, or the objects a listing gives, with
    `read`), at most `max_items` of them (None or 0: all). `bucket` is the bucket the reader read."""
    if reader.resource.action == LIST_OBJECTS:
        listed = list(fetched) if isinstance(fetched, list) else []
        if reader.transformation != "LOAD_AND_FLATTEN":
            return listed[:max_items] if max_items else listed
        items = [item for entry in listed for item in _content_items(reader, read(str(bucket), entry["Key"]))]
    elif reader.manifest_type == "ATHENA_DATA":
        files = formats.athena_files(_text(fetched))
        items = [item for where in files for item in _content_items(reader, read(*where))]
    elif reader.input_type == "MANIFEST":
        inventory, keys, columns = formats.inventory_files(_text(fetched))
        texts = [_text(read(inventory, key)) for key in keys]
        items = [item for text in texts for item in formats.inventory_items(text, columns)]
    else:
        items = _content_items(reader, fetched)
    return items[:max_items] if max_items else items


def _content_items(reader: ItemReaderSpec, content: Any) -> list[Any]:
    text = _text(content)
    if reader.input_type == "CSV":
        return formats.csv_items(
            text, delimiter=reader.delimiter, header_location=reader.header_location, headers=reader.headers
        )
    if reader.input_type == "JSONL":
        return formats.jsonl_items(text)
    return formats.json_items(text, reader.items_pointer)


def _text(content: Any) -> str:
    if not isinstance(content, str):
        raise formats.failed("The object read has no text content")
    return content
