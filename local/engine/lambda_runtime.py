"""In-process Lambda functions: a Lambda-like context object and AWS-shaped results and errors."""

from __future__ import annotations

import json
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Handler = Callable[[Any, Any], Any]


@dataclass
class LambdaContext:
    """The attributes of the Python runtime's context object that handlers and Powertools read."""

    function_name: str
    invoked_function_arn: str
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    memory_limit_in_mb: int = 128
    function_version: str = "$LATEST"
    timeout_seconds: float = 60.0
    identity: Any = None
    client_context: Any = None
    _started: float = field(default_factory=time.monotonic, repr=False)

    @property
    def log_group_name(self) -> str:
        """CloudWatch log group a real function would write to."""
        return f"/aws/lambda/{self.function_name}"

    @property
    def log_stream_name(self) -> str:
        """A log stream name in the runtime's format."""
        return f"{time.strftime('%Y/%m/%d')}/[{self.function_version}]{self.aws_request_id.replace('-', '')}"

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before the function's timeout."""
        elapsed = time.monotonic() - self._started
        return max(0, int((self.timeout_seconds - elapsed) * 1000))


@dataclass
class LambdaOutcome:
    """What one invocation produced: a JSON result or an error in the runtime's format."""

    ok: bool
    payload: Any = None
    error_type: str | None = None
    error_payload: dict[str, Any] | None = None
    request_id: str = ""


def invoke_handler(handler: Handler, event: Any, context: LambdaContext) -> LambdaOutcome:
    """Call a handler like the Python runtime does; exceptions become the runtime's error document."""
    try:
        result = handler(json.loads(json.dumps(event)), context)
        payload = json.loads(json.dumps(result))
    except Exception as exc:  # the runtime reports any handler exception as a function error
        frames = traceback.extract_tb(exc.__traceback__)[1:]
        error_type = type(exc).__name__
        document = {
            "errorMessage": str(exc),
            "errorType": error_type,
            "requestId": context.aws_request_id,
            "stackTrace": [
                f'  File "{frame.filename}", line {frame.lineno}, in {frame.name}\n    {frame.line}\n'
                for frame in frames
            ],
        }
        return LambdaOutcome(
            ok=False, error_type=error_type, error_payload=document, request_id=context.aws_request_id
        )
    return LambdaOutcome(ok=True, payload=payload, request_id=context.aws_request_id)


def invoke_response(payload: Any, request_id: str) -> dict[str, Any]:
    """The output of `arn:aws:states:::lambda:invoke`: the Invoke API response as Step Functions shows it."""
    body_length = str(len(json.dumps(payload)))
    return {
        "ExecutedVersion": "$LATEST",
        "Payload": payload,
        "SdkHttpMetadata": {
            "AllHttpHeaders": {
                "X-Amz-Executed-Version": ["$LATEST"],
                "x-amzn-Remapped-Content-Length": ["0"],
                "Connection": ["keep-alive"],
                "x-amzn-RequestId": [request_id],
                "Content-Length": [body_length],
                "Date": [time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime())],
                "Content-Type": ["application/json"],
            },
            "HttpHeaders": {
                "Connection": "keep-alive",
                "Content-Length": body_length,
                "Content-Type": "application/json",
                "Date": time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime()),
                "X-Amz-Executed-Version": "$LATEST",
                "x-amzn-Remapped-Content-Length": "0",
                "x-amzn-RequestId": request_id,
            },
            "HttpStatusCode": 200,
        },
        "SdkResponseMetadata": {"RequestId": request_id},
        "StatusCode": 200,
    }
