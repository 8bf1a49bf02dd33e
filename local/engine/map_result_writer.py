"""A Distributed Map's ResultWriter: its declaration, how it shapes the iterations' results and the objects it
writes to S3.

With a Resource (s3:putObject), under `{Prefix}/{map run id}/` the writer puts one file of the iterations of
each status that has any (SUCCEEDED_0.json, FAILED_0.json) and a manifest.json listing them; the Map state's
result is then `{"MapRunArn", "ResultWriterDetails"}`. WriterConfig.Transformation shapes the succeeded
iterations: NONE (the default with a Resource) writes records shaped like DescribeExecution's answer, COMPACT
their outputs, FLATTEN their outputs with arrays flattened; a failed iteration's record stays whole.
WriterConfig.OutputType JSONL writes one JSON value a line instead of a JSON array. Without a Resource the
shaped results are the Map state's result and nothing is written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from local.engine import paths
from local.engine.errors import StatesError
from local.engine.frame import StateData
from local.engine.map_runs import MapRun
from local.engine.paths import Evaluator
from local.engine.resources import Resource, parse_resource

WRITER_FAILED = "States.ResultWriterFailed"
PUT_OBJECT = "putObject"
FIELDS = frozenset({"Resource", "Parameters", "Arguments", "WriterConfig"})
TRANSFORMATIONS = ("NONE", "COMPACT", "FLATTEN")
OUTPUT_TYPES = ("JSON", "JSONL")
_STATUSES = ("SUCCEEDED", "FAILED")


@dataclass(frozen=True)
class ResultWriterSpec:
    """The ResultWriter field of a Map state, parsed from a validated definition."""

    resource: Resource | None  # None: the shaped results are the state's result, written nowhere
    parameters: Evaluator | None  # JSONPath: Parameters
    arguments: Any  # JSONata: Arguments (None when absent)
    transformation: str
    output_type: str

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> ResultWriterSpec:
        """The writer as the Map state runs it."""
        config = raw.get("WriterConfig") or {}
        return cls(
            resource=parse_resource(raw["Resource"]) if "Resource" in raw else None,
            parameters=paths.compile_template(raw["Parameters"]) if "Parameters" in raw else None,
            arguments=raw.get("Arguments"),
            transformation=config.get("Transformation", "NONE"),
            output_type=config.get("OutputType", "JSON"),
        )


def problems(writer: Any) -> list[tuple[str, str]]:
    """What is wrong with a ResultWriter field, as (message, field below ResultWriter) pairs."""
    if not isinstance(writer, dict):
        return [("Expected value of type: Object", "")]
    found = [("Field is not supported", f"/{name}") for name in writer if name not in FIELDS]
    if "Resource" not in writer and "WriterConfig" not in writer:
        found.append(("ResultWriter must specify Resource or WriterConfig", ""))
    if "Resource" in writer:
        resource = parse_resource(writer["Resource"]) if isinstance(writer["Resource"], str) else None
        if resource is None or (resource.service, resource.action) != ("s3", PUT_OBJECT):
            found.append(("The local engine writes results with s3:putObject only", "/Resource"))
        if "Parameters" not in writer and "Arguments" not in writer:
            found.append(
                ("A Resource needs Parameters (JSONPath) or Arguments (JSONata) naming the Bucket", "")
            )
    else:
        found += [
            ("Field is allowed with a Resource only", f"/{name}")
            for name in ("Parameters", "Arguments")
            if name in writer
        ]
    if "WriterConfig" in writer:
        found += [
            (message, f"/WriterConfig{below}") for message, below in _config_problems(writer["WriterConfig"])
        ]
    return found


def _config_problems(config: Any) -> list[tuple[str, str]]:
    if not isinstance(config, dict):
        return [("Expected value of type: Object", "")]
    found = [
        ("Field is not supported", f"/{name}")
        for name in config
        if name not in ("Transformation", "OutputType")
    ]
    for name, allowed in (("Transformation", TRANSFORMATIONS), ("OutputType", OUTPUT_TYPES)):
        if name not in config:
            found.append(("Field is required", f"/{name}"))
        elif config[name] not in allowed:
            found.append((f"Value is not one of: {', '.join(allowed)}", f"/{name}"))
    return found


def put(client: Any, parameters: Any) -> dict[str, Any]:
    """Put one object the writer makes (Bucket, Key, Body)."""
    arguments = dict(parameters) if isinstance(parameters, dict) else {}
    try:
        client.put_object(**arguments)
    except ClientError as exc:
        error = exc.response.get("Error", {})
        cause = f"{error.get('Code', 'S3Exception')}: {error.get('Message', exc)}"
        raise StatesError(WRITER_FAILED, cause) from exc
    except (BotoCoreError, ValueError, TypeError) as exc:
        raise StatesError(WRITER_FAILED, str(exc)) from exc
    return {}


def shaped(writer: ResultWriterSpec, entries: list[dict[str, Any]]) -> list[Any]:
    """The records as WriterConfig.Transformation shapes them: a succeeded iteration's record (NONE), its
    output (COMPACT) or its output's elements when an array (FLATTEN); a failed iteration's record stays."""
    if writer.transformation == "NONE":
        return list(entries)
    values: list[Any] = []
    for entry in entries:
        if entry["Status"] != "SUCCEEDED":
            values.append(entry)
            continue
        output = json.loads(entry["Output"])
        if writer.transformation == "FLATTEN" and isinstance(output, list):
            values.extend(output)
        else:
            values.append(output)
    return values


def result_files(
    writer: ResultWriterSpec, prefix: str | None, run: MapRun, entries: list[dict[str, Any]]
) -> dict[str, str]:
    """The objects to put: each status's file (key -> body), shaped and encoded as WriterConfig says."""
    base = f"{prefix.rstrip('/')}/{run.run_id}" if prefix else run.run_id
    files: dict[str, str] = {}
    for status in _STATUSES:
        chosen = [entry for entry in entries if entry["Status"] == status]
        if chosen:
            files[f"{base}/{status}_0.json"] = _encoded(writer, shaped(writer, chosen))
    return files


def _encoded(writer: ResultWriterSpec, values: list[Any]) -> str:
    if writer.output_type == "JSONL":
        return "".join(json.dumps(value, separators=(",", ":")) + "\n" for value in values)
    return json.dumps(values, separators=(",", ":"))


def records(run: MapRun, child_machine_arn: str, data: StateData) -> list[dict[str, Any]]:
    """The records of the iterations that ended, in item order (an iteration never started, or stopped when
    the run failed, has none)."""
    succeeded = set(data["succeeded"])
    runs = data.get("iteration_runs", {})
    return [
        record(
            run,
            child_machine_arn,
            run.child_name(index),
            run_facts=runs.get(str(index), {}),
            result=result,
            succeeded=index in succeeded,
        )
        for index, result in enumerate(data["results"])
        if index in succeeded or result is not None
    ]


def manifest(bucket: str, run: MapRun, files: dict[str, str]) -> str:
    """manifest.json: where each status's files are."""
    result_files: dict[str, list[dict[str, Any]]] = {"FAILED": [], "PENDING": [], "SUCCEEDED": []}
    for key, body in files.items():
        status = key.rsplit("/", 1)[-1].split("_", 1)[0]
        result_files[status].append({"Key": key, "Size": len(body.encode())})
    return json.dumps({"DestinationBucket": bucket, "MapRunArn": run.arn, "ResultFiles": result_files})


def manifest_key(prefix: str | None, run: MapRun) -> str:
    """Where manifest.json goes."""
    return f"{prefix.rstrip('/')}/{run.run_id}/manifest.json" if prefix else f"{run.run_id}/manifest.json"


def record(
    run: MapRun, child_machine_arn: str, name: str, *, run_facts: dict[str, Any], result: Any, succeeded: bool
) -> dict[str, Any]:
    """One child's entry in a result file."""
    entry: dict[str, Any] = {
        "ExecutionArn": run.child_prefix + name,
        "Input": json.dumps(run_facts.get("Input"), separators=(",", ":")),
        "InputDetails": {"Included": True},
        "Name": name,
    }
    if succeeded:
        entry["Output"] = json.dumps(result, separators=(",", ":"))
        entry["OutputDetails"] = {"Included": True}
        entry["RedriveCount"] = 0
        entry["RedriveStatus"] = "NOT_REDRIVABLE"
        entry["RedriveStatusReason"] = "Execution is SUCCEEDED and cannot be redriven"
    else:
        failure = result if isinstance(result, dict) else {}
        entry["Error"] = failure.get("Error")
        entry["Cause"] = failure.get("Cause")
        entry["RedriveCount"] = 0
        entry["RedriveStatus"] = "REDRIVABLE_BY_MAP_RUN"
    entry.update(
        {
            "StartDate": run_facts.get("StartDate"),
            "StateMachineArn": child_machine_arn,
            "Status": "SUCCEEDED" if succeeded else "FAILED",
            "StopDate": run_facts.get("StopDate"),
        }
    )
    return entry
