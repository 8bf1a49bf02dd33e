"""A Distributed Map's ResultWriter against a moto server given as the AWS endpoint: results shaped (NONE,
COMPACT, FLATTEN) and encoded (JSON, JSONL), returned without S3, and written when the run fails."""

from __future__ import annotations

import json
from typing import Any

import pytest

from local.engine import Engine
from local.engine.errors import ApiError

from .conftest import Starter
from .test_distributed_map import _batching_map, _read_json, _run, bucket, engine, failing_processor, s3

__all__ = ["bucket", "engine", "s3"]

PUT = "arn:aws:states:::s3:putObject"


def _failing_map(**fields: Any) -> dict[str, Any]:
    """A Distributed Map whose iterations echo their item, failing on an item that is text."""
    processor = failing_processor({"IsString": True}, "Bad", "a bad item")
    state = {"Type": "Map", "ItemProcessor": processor, "End": True, **fields}
    return {"StartAt": "M", "States": {"M": state}}


def _files(s3: Any, bucket: str, output: dict[str, Any]) -> dict[str, str]:
    manifest = _read_json(s3, bucket, output["ResultWriterDetails"]["Key"])
    keys = [entry["Key"] for status in ("SUCCEEDED", "FAILED") for entry in manifest["ResultFiles"][status]]
    return {
        key.rsplit("/", 1)[-1]: s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode() for key in keys
    }


def test_flatten_as_json_lines(engine: Engine, start: Starter, s3: Any, bucket: str) -> None:
    # Given iterations returning arrays (one failing, tolerated), written FLATTEN as JSON Lines
    writer = {
        "Resource": PUT,
        "Parameters": {"Bucket": bucket, "Prefix": "out"},
        "WriterConfig": {"Transformation": "FLATTEN", "OutputType": "JSONL"},
    }
    definition = _failing_map(ResultWriter=writer, ToleratedFailureCount=1)

    # When it runs
    output = _run(engine, start, definition, [[1, 2], "bad", [3], {"a": 4}])

    # Then the successes' outputs are flattened, one JSON value a line
    files = _files(s3, bucket, output)
    assert files["SUCCEEDED_0.json"] == '1\n2\n3\n{"a":4}\n'
    # And the failure's record stays whole
    (failed,) = [json.loads(line) for line in files["FAILED_0.json"].splitlines()]
    assert (failed["Status"], failed["Error"], failed["Input"]) == ("FAILED", "Bad", '"bad"')


def test_compact_as_json(engine: Engine, start: Starter, s3: Any, bucket: str) -> None:
    # Given iterations written COMPACT as a JSON array
    writer = {
        "Resource": PUT,
        "Parameters": {"Bucket": bucket},
        "WriterConfig": {"Transformation": "COMPACT", "OutputType": "JSON"},
    }

    # When it runs, Then the file holds the iterations' outputs only, unflattened
    output = _run(engine, start, _batching_map(ResultWriter=writer), [[1, 2], {"a": 3}])
    assert json.loads(_files(s3, bucket, output)["SUCCEEDED_0.json"]) == [[1, 2], {"a": 3}]


@pytest.mark.parametrize(
    ("transformation", "expected"),
    [("COMPACT", [[1, 2], [3], 4]), ("FLATTEN", [1, 2, 3, 4])],
)
def test_writer_config_alone_returns_the_shaped_results(
    engine: Engine, start: Starter, *, transformation: str, expected: list[Any]
) -> None:
    # Given a ResultWriter with a WriterConfig only (nothing written to S3)
    writer = {"WriterConfig": {"Transformation": transformation, "OutputType": "JSON"}}

    # When it runs, Then the Map's result is the shaped outputs, in item order
    assert _run(engine, start, _batching_map(ResultWriter=writer), [[1, 2], [3], 4]) == expected


def test_writer_config_alone_with_none_returns_the_records(engine: Engine, start: Starter) -> None:
    # Given a ResultWriter with a WriterConfig only, Transformation NONE
    writer = {"WriterConfig": {"Transformation": "NONE", "OutputType": "JSON"}}

    # When it runs, Then the Map's result is each iteration's record
    output = _run(engine, start, _batching_map(ResultWriter=writer), [5, 6])
    assert [(r["Status"], r["Input"], r["Output"]) for r in output] == [
        ("SUCCEEDED", "5", "5"),
        ("SUCCEEDED", "6", "6"),
    ]


def test_results_written_when_the_run_fails(engine: Engine, start: Starter, s3: Any, bucket: str) -> None:
    # Given a Map whose only iteration fails, no failure tolerated, writing its results
    writer = {"Resource": PUT, "Parameters": {"Bucket": bucket, "Prefix": "f"}}
    arn = start(engine, _failing_map(ResultWriter=writer, MaxConcurrency=1), ["bad"])

    # When it runs
    engine.run_until_idle()

    # Then the state fails with the threshold error
    described = engine.describe_execution(arn)
    assert (described["status"], described["error"]) == ("FAILED", "States.ExceedToleratedFailureThreshold")
    # And the failed iteration's record and the manifest were written
    listed = s3.list_objects_v2(Bucket=bucket, Prefix="f/")["Contents"]
    keys = sorted(entry["Key"].rsplit("/", 1)[-1] for entry in listed)
    assert keys == ["FAILED_0.json", "manifest.json"]
    failed_key = next(entry["Key"] for entry in listed if entry["Key"].endswith("FAILED_0.json"))
    (failed,) = _read_json(s3, bucket, failed_key)
    assert (failed["Status"], failed["Error"], failed["Cause"]) == ("FAILED", "Bad", "a bad item")


@pytest.mark.parametrize(
    ("writer", "field"),
    [
        ({}, ""),
        (
            {"WriterConfig": {"Transformation": "SQUASH", "OutputType": "JSON"}},
            "/WriterConfig/Transformation",
        ),
        ({"WriterConfig": {"Transformation": "NONE", "OutputType": "CSV"}}, "/WriterConfig/OutputType"),
        ({"WriterConfig": {"Transformation": "NONE"}}, "/WriterConfig/OutputType"),
        ({"WriterConfig": {"OutputType": "JSON"}}, "/WriterConfig/Transformation"),
        ({"WriterConfig": "FLATTEN"}, "/WriterConfig"),
        (
            {"Parameters": {"Bucket": "b"}, "WriterConfig": {"Transformation": "NONE", "OutputType": "JSON"}},
            "/Parameters",
        ),
        ({"Resource": PUT}, ""),
        ({"Resource": "arn:aws:states:::s3:copyObject", "Parameters": {"Bucket": "b"}}, "/Resource"),
        ({"Resource": PUT, "Parameters": {"Bucket": "b"}, "Format": "x"}, "/Format"),
    ],
)
def test_invalid_result_writer_refused_at_create_and_by_validation(
    engine: Engine, start: Starter, *, writer: dict[str, Any], field: str
) -> None:
    # Given a ResultWriter that is wrong
    definition = _batching_map(ResultWriter=writer)
    where = f"/States/M/ResultWriter{field}"

    # When it is created, Then it is refused, naming the field
    with pytest.raises(ApiError) as refused:
        start(engine, definition, [1])
    assert refused.value.code == "InvalidDefinition"
    assert where in refused.value.message
    # And ValidateStateMachineDefinition reports the same field
    answer = engine.validate_state_machine_definition(json.dumps(definition))
    assert answer["result"] == "FAIL"
    assert any(d["location"] == where for d in answer["diagnostics"])
