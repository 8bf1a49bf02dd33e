"""A Distributed Map's ReaderConfig against a moto server given as the AWS endpoint: delimiters, pointers,
manifests, listed objects loaded, and the content that fails the reader."""

from __future__ import annotations

import gzip
import json
from typing import Any

import pytest

from local.engine import Engine
from local.engine.errors import ApiError

from .conftest import Starter
from .test_distributed_map import _distributed_map, _get_object, _run, bucket, engine, s3

__all__ = ["bucket", "engine", "s3"]


def _failure(
    engine: Engine, start: Starter, definition: dict[str, Any], execution_input: Any
) -> tuple[str, str]:
    arn = start(engine, definition, execution_input)
    engine.run_until_idle()
    described = engine.describe_execution(arn)
    assert described["status"] == "FAILED"
    return described["error"], described["cause"]


@pytest.mark.parametrize(
    ("delimiter", "text"),
    [
        ("PIPE", "a|b\n1|x y\n"),
        ("SEMICOLON", "a;b\n1;x y\n"),
        ("TAB", "a\tb\n1\tx y\n"),
        ("COMMA", "a,b\n1,x y\n"),
    ],
)
def test_csv_delimiters(
    engine: Engine, start: Starter, s3: Any, bucket: str, *, delimiter: str, text: str
) -> None:
    # Given a CSV object whose fields are separated by the declared delimiter
    s3.put_object(Bucket=bucket, Key="d.csv", Body=text.encode())
    reader = _get_object(bucket, "d.csv", InputType="CSV", CSVDelimiter=delimiter)

    # When it runs, Then each row is an item of text values by header
    assert _run(engine, start, _distributed_map(reader), {"key": "d.csv"}) == [{"a": "1", "b": "x y"}]


def test_csv_space_delimiter_with_given_headers(engine: Engine, start: Starter, s3: Any, bucket: str) -> None:
    # Given a space-separated object without a header row, and the headers given
    s3.put_object(Bucket=bucket, Key="s.csv", Body=b"1 2\n3 4\n")
    reader = _get_object(
        bucket,
        "s.csv",
        InputType="CSV",
        CSVDelimiter="SPACE",
        CSVHeaderLocation="GIVEN",
        CSVHeaders=["x", "y"],
    )

    # When it runs, Then every row is an item
    assert _run(engine, start, _distributed_map(reader), {"key": "s.csv"}) == [
        {"x": "1", "y": "2"},
        {"x": "3", "y": "4"},
    ]


def test_items_pointer_selects_a_nested_array(engine: Engine, start: Starter, s3: Any, bucket: str) -> None:
    # Given a JSON object whose items are an array inside it
    s3.put_object(
        Bucket=bucket, Key="o.json", Body=json.dumps({"data": {"rows": [{"n": 1}, {"n": 2}]}}).encode()
    )
    reader = _get_object(bucket, "o.json", InputType="JSON", ItemsPointer="/data/rows")

    # When it runs, Then the pointed array's elements are the items
    assert _run(engine, start, _distributed_map(reader), {"key": "o.json"}) == [{"n": 1}, {"n": 2}]


def test_s3_inventory_manifest(engine: Engine, start: Starter, s3: Any, bucket: str) -> None:
    # Given an S3 inventory manifest naming two gzip-compressed CSV inventory files
    files = {"inv/data/1.csv.gz": '"src","a.txt","10"\n', "inv/data/2.csv.gz": '"src","b.txt","20"\n'}
    for key, text in files.items():
        s3.put_object(Bucket=bucket, Key=key, Body=gzip.compress(text.encode()))
    manifest = {
        "sourceBucket": "src",
        "destinationBucket": f"arn:aws:s3:::{bucket}",
        "fileFormat": "CSV",
        "fileSchema": "Bucket, Key, Size",
        "files": [{"key": key, "size": 1, "MD5checksum": "x"} for key in files],
    }
    s3.put_object(Bucket=bucket, Key="inv/manifest.json", Body=json.dumps(manifest).encode())
    reader = _get_object(bucket, "inv/manifest.json", InputType="MANIFEST", MaxItems=2)

    # When it runs, Then each listed object is an item of the inventory's columns
    assert _run(engine, start, _distributed_map(reader), {"key": "inv/manifest.json"}) == [
        {"Bucket": "src", "Key": "a.txt", "Size": "10"},
        {"Bucket": "src", "Key": "b.txt", "Size": "20"},
    ]


def test_athena_data_manifest(engine: Engine, start: Starter, s3: Any, bucket: str) -> None:
    # Given an Athena manifest naming two JSON Lines data files
    s3.put_object(Bucket=bucket, Key="q/1", Body=b'{"id": 1}\n')
    s3.put_object(Bucket=bucket, Key="q/2", Body=b'{"id": 2}\n{"id": 3}\n')
    s3.put_object(
        Bucket=bucket, Key="q/manifest.csv", Body=f"s3://{bucket}/q/1\ns3://{bucket}/q/2\n".encode()
    )
    reader = _get_object(bucket, "q/manifest.csv", InputType="JSONL", ManifestType="ATHENA_DATA")

    # When it runs, Then the data files' lines are the items
    assert _run(engine, start, _distributed_map(reader), {"key": "q/manifest.csv"}) == [
        {"id": 1},
        {"id": 2},
        {"id": 3},
    ]


def test_listed_objects_loaded_and_flattened(engine: Engine, start: Starter, s3: Any, bucket: str) -> None:
    # Given two JSON objects under a prefix, listed with LOAD_AND_FLATTEN
    s3.put_object(Bucket=bucket, Key="parts/a.json", Body=b"[1, 2]")
    s3.put_object(Bucket=bucket, Key="parts/b.json", Body=b"[3]")
    reader = {
        "Resource": "arn:aws:states:::s3:listObjectsV2",
        "ReaderConfig": {"InputType": "JSON", "Transformation": "LOAD_AND_FLATTEN"},
        "Parameters": {"Bucket": bucket, "Prefix": "parts/"},
    }

    # When it runs, Then the items of every listed object are the items
    assert _run(engine, start, _distributed_map(reader), {}) == [1, 2, 3]


@pytest.mark.parametrize(
    ("config", "body", "cause"),
    [
        ({"InputType": "JSON"}, b"[1,", "is not valid JSON"),
        ({"InputType": "JSONL"}, b'{"a": 1}\nnot json\n', "Line 2"),
        ({"InputType": "CSV"}, b"a,a\n1,2\n", "not unique"),
        ({"InputType": "CSV"}, b"a,b\n", "only CSV headers"),
        ({"InputType": "CSV"}, b'a,b\n"1,2\n', "malformed"),
        ({"InputType": "JSON", "ItemsPointer": "/missing"}, b'{"rows": []}', "points to nothing"),
        ({"InputType": "MANIFEST"}, b'{"files": 3}', "not an S3 inventory manifest"),
    ],
)
def test_malformed_content_fails_the_reader(
    engine: Engine, start: Starter, s3: Any, bucket: str, *, config: dict[str, Any], body: bytes, cause: str
) -> None:
    # Given an object whose content is not what the reader declares
    s3.put_object(Bucket=bucket, Key="bad", Body=body)

    # When it runs, Then the reader fails, saying why
    error, said = _failure(
        engine, start, _distributed_map(_get_object(bucket, "bad", **config)), {"key": "bad"}
    )
    assert error == "States.ItemReaderFailed"
    assert cause in said


@pytest.mark.parametrize(
    ("config", "field"),
    [
        ({"InputType": "XML"}, "ReaderConfig/InputType"),
        ({"InputType": "PARQUET"}, "ReaderConfig/InputType"),
        ({"InputType": "CSV", "CSVDelimiter": "COLON"}, "ReaderConfig/CSVDelimiter"),
        ({"InputType": "CSV", "CSVHeaderLocation": "LAST_ROW"}, "ReaderConfig/CSVHeaderLocation"),
        ({"InputType": "CSV", "CSVHeaderLocation": "GIVEN"}, "ReaderConfig/CSVHeaders"),
        ({"InputType": "MANIFEST", "ManifestType": "ORC"}, "ReaderConfig/ManifestType"),
        ({"InputType": "MANIFEST", "ManifestType": "ATHENA_DATA"}, "ReaderConfig/InputType"),
        ({"InputType": "JSONL", "ItemsPointer": "/a"}, "ReaderConfig/ItemsPointer"),
        ({"InputType": "JSON", "ItemsPointer": "a"}, "ReaderConfig/ItemsPointer"),
        ({"MaxItems": -1}, "ReaderConfig/MaxItems"),
        ({"MaxItems": 1.5}, "ReaderConfig/MaxItems"),
        ({"MaxItems": 1, "MaxItemsPath": "$.n"}, "ReaderConfig/MaxItems"),
        ({"Transformation": "LOAD_AND_FLATTEN"}, "ReaderConfig/Transformation"),
        ({"Sheet": 1}, "ReaderConfig/Sheet"),
    ],
)
def test_invalid_reader_config_refused_at_create_and_by_validation(
    engine: Engine, start: Starter, config: dict[str, Any], field: str
) -> None:
    # Given a reader whose ReaderConfig is wrong (or asks for what the engine does not read)
    definition = _distributed_map(_get_object("b", "k", **config))
    where = f"/States/M/ItemReader/{field}"

    # When it is created, Then it is refused, naming the field
    with pytest.raises(ApiError) as refused:
        start(engine, definition, {"key": "k"})
    assert refused.value.code == "InvalidDefinition"
    assert where in refused.value.message
    # And ValidateStateMachineDefinition reports the same field
    answer = engine.validate_state_machine_definition(json.dumps(definition))
    assert answer["result"] == "FAIL"
    assert any(d["location"] == where for d in answer["diagnostics"])
