"""Lambda functions for the engine: a Lambda-like context object, AWS-shaped results and errors, and the
`LambdaInvoker` seam through which a Lambda service outside the engine answers invocations."""

from __future__ import annotations

import json
import time
import traceback
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

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


# A stack frame as the runtime prints it: file, line number, function, source line.
Frame = tuple[str, int | None, str, str | None]


class LambdaInvoker(Protocol):
    """A Lambda service that runs functions the engine has no in-process handler for."""

    def invoke(self, function: str, event: Any) -> LambdaOutcome:
        """Run `function` (a name, or a full or partial ARN) with `event`, as a RequestResponse Invoke does.

        A function error is an outcome (`ok=False`); an error of the service itself (no such function,
        throttled, unreachable) is raised as `LambdaServiceError`.
        """
        ...


class LambdaServiceError(Exception):
    """An error of the Lambda service, not of the function: its AWS error code, message and HTTP status."""

    def __init__(
        self, code: str, message: str, *, status_code: int | None = None, request_id: str = ""
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status_code = status_code
        self.request_id = request_id or str(uuid.uuid4())

    @classmethod
    def function_not_found(cls, function_arn: str) -> LambdaServiceError:
        """What the Invoke API answers for a function that does not exist."""
        return cls("ResourceNotFoundException", f"Function not found: {function_arn}", status_code=404)

    @property
    def cause(self) -> str:
        """The cause Step Functions reports for the error: the SDK's description of the failed call."""
        if self.status_code is None:
            return self.message
        return (
            f"{self.message} (Service: AWSLambda; Status Code: {self.status_code}; Error Code: {self.code}; "
            f"Request ID: {self.request_id}; Proxy: null)"
        )


def error_document(error_type: str, message: str, frames: Iterable[Frame], request_id: str) -> dict[str, Any]:
    """The Python runtime's payload for an unhandled exception (the innermost frames last)."""
    return {
        "errorMessage": message,
        "errorType": error_type,
        "requestId": request_id,
        "stackTrace": [
            f'  File "{file}", line {line}, in {name}\n    {text}\n' for file, line, name, text in frames
        ],
    }


def invoke_handler(handler: Handler, event: Any, context: LambdaContext) -> LambdaOutcome:
    """Call a handler like the Python runtime does; exceptions become the runtime's error document."""
    try:
        result = handler(json.loads(json.dumps(event)), context)
        payload = json.loads(json.dumps(result))
    except Exception as exc:  # the runtime reports any handler exception as a function error
        frames = traceback.extract_tb(exc.__traceback__)[1:]
        error_type = type(exc).__name__
        document = error_document(
            error_type,
            str(exc),
            [(frame.filename, frame.lineno, frame.name, frame.line) for frame in frames],
            context.aws_request_id,
        )
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
