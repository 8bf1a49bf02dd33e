"""A Distributed Map's ResultWriter: its declaration and the objects it writes to S3.

Under `{Prefix}/{map run id}/` the writer puts one file of the iterations of each status that has any
(SUCCEEDED_0.json, FAILED_0.json: a JSON array of records shaped like DescribeExecution's answer) and a
manifest.json listing them; the Map state's result is then `{"MapRunArn", "ResultWriterDetails"}`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from local.engine import paths
from local.engine.errors import StatesError
from local.engine.map_runs import MapRun
from local.engine.paths import Evaluator
from local.engine.resources import Resource, parse_resource

WRITER_FAILED = "States.ResultWriterFailed"
PUT_OBJECT = "putObject"
FIELDS = frozenset({"Resource", "Parameters", "Arguments"})


@dataclass(frozen=True)
class ResultWriterSpec:
    """The ResultWriter field of a Map state, parsed from a validated definition."""

    resource: Resource
    parameters: Evaluator | None  # JSONPath: Parameters
    arguments: Any  # JSONata: Arguments (None when absent)

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> ResultWriterSpec:
        """The writer as the Map state runs it."""
        return cls(
            resource=parse_resource(raw["Resource"]),
            parameters=paths.compile_template(raw["Parameters"]) if "Parameters" in raw else None,
            arguments=raw.get("Arguments"),
        )


def problems(writer: Any) -> list[tuple[str, str]]:
    """What the engine cannot run in a ResultWriter field, as (message, field below ResultWriter) pairs."""
    if not isinstance(writer, dict):
        return [("Expected value of type: Object", "")]
    found = [
        ("The local engine does not run this ResultWriter field yet", f"/{name}")
        for name in writer
        if name not in FIELDS
    ]
    resource = parse_resource(writer["Resource"]) if isinstance(writer.get("Resource"), str) else None
    if resource is None or (resource.service, resource.action) != ("s3", PUT_OBJECT):
        found.append(("The local engine writes results with s3:putObject only", "/Resource"))
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


def result_files(prefix: str | None, run: MapRun, records: list[dict[str, Any]]) -> dict[str, str]:
    """The objects to put: each status's file, then the manifest (key -> body)."""
    base = f"{prefix.rstrip('/')}/{run.run_id}" if prefix else run.run_id
    files: dict[str, str] = {}
    for status in ("SUCCEEDED", "FAILED"):
        chosen = [record for record in records if record["Status"] == status]
        if chosen:
            files[f"{base}/{status}_0.json"] = json.dumps(chosen, separators=(",", ":"))
    return files


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
