"""Distributed Map fields against a moto server given as the AWS endpoint: items read from S3."""

from __future__ import annotations

import json
import uuid
from typing import Any

import boto3
import pytest

from local.engine import Engine, MemoryStore, SkipClock
from local.engine.errors import ApiError

from .conftest import START, Starter, output_of

REGION = "us-east-1"


@pytest.fixture
def engine(aws_endpoint: str) -> Engine:
    """An engine whose S3 reads go to the moto server."""
    return Engine(clock=SkipClock(start=START), store=MemoryStore(), aws_endpoint_url=aws_endpoint)


@pytest.fixture
def s3(aws_endpoint: str) -> Any:
    """An S3 client of the moto server."""
    return boto3.client(
        "s3",
        endpoint_url=aws_endpoint,
        region_name=REGION,
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )


@pytest.fixture
def bucket(s3: Any) -> str:
    """A fresh bucket."""
    name = f"items-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=name)
    return name


def _distributed_map(item_reader: dict[str, Any], **fields: Any) -> dict[str, Any]:
    processor = {
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
        "StartAt": "Echo",
        "States": {"Echo": {"Type": "Pass", "End": True}},
    }
    state = {"Type": "Map", "ItemReader": item_reader, "ItemProcessor": processor, "End": True, **fields}
    return {"StartAt": "M", "States": {"M": state}}


def _get_object(bucket: str, key: str, **config: Any) -> dict[str, Any]:
    return {
        "Resource": "arn:aws:states:::s3:getObject",
        "ReaderConfig": config,
        "Parameters": {"Bucket": bucket, "Key.$": "$.key"},
    }


def _run(engine: Engine, start: Starter, definition: dict[str, Any], execution_input: Any) -> Any:
    arn = start(engine, definition, execution_input)
    engine.run_until_idle()
    return output_of(engine, arn)


def test_json_array_items(engine: Engine, start: Starter, s3: Any, bucket: str) -> None:
    # Given a JSON array in S3 and a Map reading it by a key taken from the input
    s3.put_object(Bucket=bucket, Key="orders.json", Body=json.dumps([{"id": 1}, {"id": 2}, {"id": 3}]))
    definition = _distributed_map(
        _get_object(bucket, "orders.json", InputType="JSON"),
        ItemSelector={"order.$": "$$.Map.Item.Value.id", "index.$": "$$.Map.Item.Index"},
    )

    # When it runs
    output = _run(engine, start, definition, {"key": "orders.json"})

    # Then each element of the array is one item, through the ItemSelector
    assert output == [{"order": 1, "index": 0}, {"order": 2, "index": 1}, {"order": 3, "index": 2}]


def test_jsonl_items_with_max_items(engine: Engine, start: Starter, s3: Any, bucket: str) -> None:
    # Given a JSON Lines object of four lines (and a blank one) and MaxItems 3
    s3.put_object(Bucket=bucket, Key="lines.jsonl", Body='{"n": 1}\n{"n": 2}\n\n{"n": 3}\n{"n": 4}\n')
    definition = _distributed_map(_get_object(bucket, "lines.jsonl", InputType="JSONL", MaxItems=3))

    # When it runs, Then the first three lines are the items
    assert _run(engine, start, definition, {"key": "lines.jsonl"}) == [{"n": 1}, {"n": 2}, {"n": 3}]


def test_csv_items_with_first_row_headers(engine: Engine, start: Starter, s3: Any, bucket: str) -> None:
    # Given a CSV whose first row names the columns (one value quoted, holding a comma)
    s3.put_object(Bucket=bucket, Key="r.csv", Body='userId,movieId,rating\n1,307,3.5\n2,"481,b",4\n')
    definition = _distributed_map(
        _get_object(bucket, "r.csv", InputType="CSV", CSVHeaderLocation="FIRST_ROW")
    )

    # When it runs, Then each other row is an item whose values are strings, as AWS gives them
    assert _run(engine, start, definition, {"key": "r.csv"}) == [
        {"userId": "1", "movieId": "307", "rating": "3.5"},
        {"userId": "2", "movieId": "481,b", "rating": "4"},
    ]


def test_csv_items_with_given_headers(engine: Engine, start: Starter, s3: Any, bucket: str) -> None:
    # Given a CSV without a header row and the headers in the definition, with MaxItems taken from the input
    s3.put_object(Bucket=bucket, Key="r.csv", Body="1,307\n2,481\n3,1091\n")
    reader = _get_object(
        bucket, "r.csv", InputType="CSV", CSVHeaderLocation="GIVEN", CSVHeaders=["userId", "movieId"]
    )
    reader["ReaderConfig"]["MaxItemsPath"] = "$.limit"

    # When it runs
    output = _run(engine, start, _distributed_map(reader), {"key": "r.csv", "limit": 2})

    # Then every row is an item keyed by the given headers, up to the limit
    assert output == [{"userId": "1", "movieId": "307"}, {"userId": "2", "movieId": "481"}]


def test_object_listing_items(engine: Engine, start: Starter, s3: Any, bucket: str) -> None:
    # Given three objects under a prefix and one outside it
    for key in ("logs/a.txt", "logs/b.txt", "logs/c.txt", "other/d.txt"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"12345")
    reader = {
        "Resource": "arn:aws:states:::s3:listObjectsV2",
        "Parameters": {"Bucket": bucket, "Prefix": "logs/"},
        "ReaderConfig": {"MaxItems": 2},
    }

    # When a Map lists them (at most two)
    output = _run(engine, start, _distributed_map(reader), {})

    # Then each item is a listed object shaped as Step Functions gives it
    expected = s3.list_objects_v2(Bucket=bucket, Prefix="logs/")["Contents"][:2]
    assert output == [
        {
            "Etag": entry["ETag"],
            "Key": entry["Key"],
            "LastModified": int(entry["LastModified"].timestamp()),
            "Size": 5,
            "StorageClass": "STANDARD",
        }
        for entry in expected
    ]
    assert [item["Key"] for item in output] == ["logs/a.txt", "logs/b.txt"]


def test_jsonata_arguments_read_the_object(engine: Engine, start: Starter, s3: Any, bucket: str) -> None:
    # Given a JSONata Map whose reader's Arguments take the key from the input
    s3.put_object(Bucket=bucket, Key="k.json", Body="[1, 2]")
    reader = {
        "Resource": "arn:aws:states:::s3:getObject",
        "ReaderConfig": {"InputType": "JSON"},
        "Arguments": {"Bucket": bucket, "Key": "{% $states.input.key %}"},
    }
    definition = {**_distributed_map(reader), "QueryLanguage": "JSONata"}

    # When it runs, Then the array's elements are the items
    assert _run(engine, start, definition, {"key": "k.json"}) == [1, 2]


def test_missing_object_fails_the_reader(engine: Engine, start: Starter, bucket: str) -> None:
    # Given a Map reading an object that does not exist
    definition = _distributed_map(_get_object(bucket, "missing.json", InputType="JSON"))

    # When it runs
    arn = start(engine, definition, {"key": "missing.json"})
    engine.run_until_idle()

    # Then the execution fails with the reader's error, naming S3's
    described = engine.describe_execution(arn)
    assert (described["status"], described["error"]) == ("FAILED", "States.ItemReaderFailed")
    assert "NoSuchKey" in described["cause"]
    # And the Map Run started before the reader read, and failed with the reader's error
    events = engine.get_execution_history(arn)["events"]
    assert [e["type"] for e in events][2:] == [
        "MapStateStarted",
        "MapRunStarted",
        "MapRunFailed",
        "MapStateFailed",
        "ExecutionFailed",
    ]
    assert events[2]["mapStateStartedEventDetails"] == {"length": 0}
    assert events[4]["mapRunFailedEventDetails"] == {"error": described["error"], "cause": described["cause"]}
    run_arn = events[3]["mapRunStartedEventDetails"]["mapRunArn"]
    assert engine.describe_map_run(run_arn)["status"] == "FAILED"


def test_unsupported_reader_is_refused_at_create(engine: Engine, start: Starter, bucket: str) -> None:
    # Given a reader of a Parquet object (an input type the engine does not read)
    definition = _distributed_map(_get_object(bucket, "p.parquet", InputType="PARQUET"))

    # When it is created, Then it is refused, naming the field
    with pytest.raises(ApiError) as refused:
        start(engine, definition, {"key": "p.parquet"})
    assert refused.value.code == "InvalidDefinition"
    assert "/States/M/ItemReader/ReaderConfig/InputType" in refused.value.message


def _batching_map(**fields: Any) -> dict[str, Any]:
    processor = {
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
        "StartAt": "Echo",
        "States": {"Echo": {"Type": "Pass", "End": True}},
    }
    state = {"Type": "Map", "ItemProcessor": processor, "End": True, **fields}
    return {"StartAt": "M", "States": {"M": state}}


def test_batches_of_selected_items_with_batch_input(engine: Engine, start: Starter) -> None:
    # Given five items, an ItemSelector, batches of at most two and a BatchInput taken from the input
    definition = _batching_map(
        ItemsPath="$.numbers",
        ItemSelector={"n.$": "$$.Map.Item.Value"},
        ItemBatcher={"MaxItemsPerBatch": 2, "BatchInput": {"run.$": "$.run"}},
    )

    # When it runs
    output = _run(engine, start, definition, {"numbers": [1, 2, 3, 4, 5], "run": "r1"})

    # Then each child got a batch of selected items with the batch input
    assert output == [
        {"Items": [{"n": 1}, {"n": 2}], "BatchInput": {"run": "r1"}},
        {"Items": [{"n": 3}, {"n": 4}], "BatchInput": {"run": "r1"}},
        {"Items": [{"n": 5}], "BatchInput": {"run": "r1"}},
    ]


def test_batches_bounded_by_bytes(engine: Engine, start: Starter) -> None:
    # Given items of ten characters and a batch size in bytes taken from the input
    # ({"Items":["aaaaaaaaaa"]} is 24 bytes of compact JSON, two items 37)
    words = ["aaaaaaaaaa", "bbbbbbbbbb", "cccccccccc"]
    definition = _batching_map(ItemsPath="$.words", ItemBatcher={"MaxInputBytesPerBatchPath": "$.bytes"})

    # When it runs with 30 bytes, then with 37
    narrow = _run(engine, start, definition, {"words": words, "bytes": 30})
    wide = _run(engine, start, definition, {"words": words, "bytes": 37})

    # Then one item fits a batch of 30 bytes and two fit one of 37
    assert narrow == [{"Items": [word]} for word in words]
    assert wide == [{"Items": words[:2]}, {"Items": words[2:]}]


def test_batches_of_items_read_from_s3_in_jsonata(
    engine: Engine, start: Starter, s3: Any, bucket: str
) -> None:
    # Given a JSONata Map reading a CSV and batching three rows at a time, with a BatchInput expression
    s3.put_object(Bucket=bucket, Key="r.csv", Body="id\n1\n2\n3\n4\n")
    reader = {
        "Resource": "arn:aws:states:::s3:getObject",
        "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"},
        "Arguments": {"Bucket": bucket, "Key": "r.csv"},
    }
    batcher = {
        "MaxItemsPerBatch": "{% $states.input.size %}",
        "BatchInput": {"size": "{% $states.input.size %}"},
    }
    definition = {**_distributed_map(reader, ItemBatcher=batcher), "QueryLanguage": "JSONata"}

    # When it runs
    output = _run(engine, start, definition, {"size": 3})

    # Then the rows come in batches of three, each with the evaluated BatchInput
    assert output == [
        {"Items": [{"id": "1"}, {"id": "2"}, {"id": "3"}], "BatchInput": {"size": 3}},
        {"Items": [{"id": "4"}], "BatchInput": {"size": 3}},
    ]


def test_batcher_without_a_limit_is_refused_at_create(engine: Engine, start: Starter) -> None:
    # Given an ItemBatcher with neither MaxItemsPerBatch nor MaxInputBytesPerBatch
    definition = _batching_map(ItemBatcher={"BatchInput": {}})

    # When it is created, Then it is refused, naming the field
    with pytest.raises(ApiError) as refused:
        start(engine, definition, [])
    assert refused.value.code == "InvalidDefinition"
    assert "at /States/M/ItemBatcher" in refused.value.message


def _read_json(s3: Any, bucket: str, key: str) -> Any:
    return json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())


def failing_processor(rule: dict[str, Any], error: str, cause: str) -> dict[str, Any]:
    """A Distributed Map's item processor echoing its item, or failing with `error` when `rule` (a Choice
    rule on the item) matches."""
    return {
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
        "StartAt": "Check",
        "States": {
            "Check": {
                "Type": "Choice",
                "Choices": [{"Variable": "$", **rule, "Next": "Bad"}],
                "Default": "Ok",
            },
            "Bad": {"Type": "Fail", "Error": error, "Cause": cause},
            "Ok": {"Type": "Pass", "End": True},
        },
    }


def test_results_written_to_s3(engine: Engine, start: Starter, s3: Any, bucket: str) -> None:
    # Given a Map of three items whose second iteration fails (one failure tolerated), writing its results
    processor = failing_processor({"NumericEquals": 2}, "Two", "two is bad")
    writer = {"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": bucket, "Prefix": "runs"}}
    state = {
        "Type": "Map",
        "ItemProcessor": processor,
        "ToleratedFailureCount": 1,
        "ResultWriter": writer,
        "Label": "Each",
        "End": True,
    }

    # When it runs
    arn = start(engine, {"StartAt": "M", "States": {"M": state}}, [1, 2, 3])
    engine.run_until_idle()
    output = output_of(engine, arn)

    # Then the state's output names the Map Run and the manifest it wrote
    machine_arn = engine.describe_execution(arn)["stateMachineArn"]
    run_id = output["MapRunArn"].rsplit(":", 1)[-1]
    assert output == {
        "MapRunArn": machine_arn.replace(":stateMachine:", ":mapRun:") + f"/Each:{run_id}",
        "ResultWriterDetails": {"Bucket": bucket, "Key": f"runs/{run_id}/manifest.json"},
    }
    # And the manifest lists one file of successes and one of failures
    manifest = _read_json(s3, bucket, f"runs/{run_id}/manifest.json")
    succeeded_key, failed_key = f"runs/{run_id}/SUCCEEDED_0.json", f"runs/{run_id}/FAILED_0.json"
    sizes = {
        key: s3.head_object(Bucket=bucket, Key=key)["ContentLength"] for key in (succeeded_key, failed_key)
    }
    assert manifest == {
        "DestinationBucket": bucket,
        "MapRunArn": output["MapRunArn"],
        "ResultFiles": {
            "FAILED": [{"Key": failed_key, "Size": sizes[failed_key]}],
            "PENDING": [],
            "SUCCEEDED": [{"Key": succeeded_key, "Size": sizes[succeeded_key]}],
        },
    }
    # And each file holds its iterations with their input, and their output or error, as JSON text
    succeeded = _read_json(s3, bucket, succeeded_key)
    assert [(r["Input"], r["Output"], r["Status"]) for r in succeeded] == [
        ("1", "1", "SUCCEEDED"),
        ("3", "3", "SUCCEEDED"),
    ]
    (failed,) = _read_json(s3, bucket, failed_key)
    assert (failed["Input"], failed["Error"], failed["Cause"], failed["Status"]) == (
        "2",
        "Two",
        "two is bad",
        "FAILED",
    )
    assert failed["ExecutionArn"].startswith(machine_arn.replace(":stateMachine:", ":execution:") + "/Each:")
    assert set(succeeded[0]) == {
        "ExecutionArn",
        "Input",
        "InputDetails",
        "Name",
        "Output",
        "OutputDetails",
        "RedriveCount",
        "RedriveStatus",
        "RedriveStatusReason",
        "StartDate",
        "StateMachineArn",
        "Status",
        "StopDate",
    }
    assert succeeded[0]["StartDate"].endswith("Z")
    # And the Map Run ARN is the run's, and each record names a child execution of that run
    assert engine.describe_map_run(output["MapRunArn"])["status"] == "SUCCEEDED"
    failed_child = engine.describe_execution(failed["ExecutionArn"])
    assert (failed_child["status"], failed_child["error"]) == ("FAILED", "Two")
    assert failed_child["mapRunArn"] == output["MapRunArn"]


def test_writing_to_a_missing_bucket_fails_the_state(engine: Engine, start: Starter) -> None:
    # Given a Map writing its results to a bucket that does not exist
    writer = {
        "Resource": "arn:aws:states:::s3:putObject",
        "Parameters": {"Bucket": "no-such-bucket-x", "Prefix": "p"},
    }
    definition = _batching_map(ResultWriter=writer)

    # When it runs
    arn = start(engine, definition, [1])
    engine.run_until_idle()

    # Then the execution fails with the writer's error
    described = engine.describe_execution(arn)
    assert (described["status"], described["error"]) == ("FAILED", "States.ResultWriterFailed")
