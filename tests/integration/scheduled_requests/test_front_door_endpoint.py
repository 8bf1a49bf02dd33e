"""The front door reaches Step Functions at a configured endpoint, as it will reach the local engine."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from functions.scheduled_requests.front_door import handler as front_door
from functions.scheduled_requests.front_door.adapters import stepfunctions_client
from functions.scheduled_requests.front_door.logic import schedule_id_for_key
from tests.integration.scheduled_requests.conftest import PROCESSOR_ARN, ScheduleApi


class RecordingStepFunctions(BaseHTTPRequestHandler):
    """Answers every Step Functions call with ExecutionDoesNotExist and records the operation."""

    operations: list[str]

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.operations.append(self.headers.get("X-Amz-Target", ""))
        body = json.dumps({"__type": "ExecutionDoesNotExist", "message": "no such execution"}).encode()
        self.send_response(400)
        self.send_header("Content-Type", "application/x-amz-json-1.0")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def local_engine() -> Iterator[tuple[str, list[str]]]:
    operations: list[str] = []
    handler = type("Handler", (RecordingStepFunctions,), {"operations": operations})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", operations
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("variable", ["AWS_ENDPOINT_URL_STEPFUNCTIONS", "AWS_ENDPOINT_URL_SFN"])
def test_the_front_door_calls_the_configured_endpoint(
    local_engine: tuple[str, list[str]], monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    # Given the project's endpoint variable, or boto3's own, points at a Step Functions endpoint on 127.0.0.1
    url, operations = local_engine
    monkeypatch.setenv(variable, url)
    monkeypatch.setenv(
        "STATE_MACHINE_ARN", "arn:aws:states:us-east-1:123456789012:stateMachine:ScheduledRequest"
    )
    monkeypatch.setenv("TARGET_FUNCTIONS", json.dumps({"example-processor": PROCESSOR_ARN}))
    front_door.schedule_service.cache_clear()
    stepfunctions_client.cache_clear()
    try:
        # When a schedule is read
        answer = ScheduleApi().get(schedule_id_for_key("k"))
    finally:
        front_door.schedule_service.cache_clear()
        stepfunctions_client.cache_clear()

    # Then the call went to that endpoint, and its "does not exist" answer became a 404
    assert operations == ["AWSStepFunctions.DescribeExecution"]
    assert answer.status == 404
