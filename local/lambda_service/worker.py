"""The process one Lambda function runs in: it imports the handler once and answers invocations.

Started by `worker_pool.py` as `python worker.py CODE_DIR MODULE.FUNCTION`, in CODE_DIR, with the function's
environment. One JSON document per line:

    worker -> pool, once:      {"ready": true}  or  {"ready": false, "error": ERROR}
    pool -> worker:            {"requestId", "event", "invokedFunctionArn", "deadlineMs", "clientContext"?}
    worker -> pool, each:      {"result": VALUE}  or  {"error": ERROR}

ERROR is `{"errorType", "errorMessage", "frames": [[file, line, function, source], ...]}`; the pool turns it
into the runtime's error document (`local.engine.lambda_runtime.error_document`). The protocol has stdout to
itself: the handler's prints go to stderr, and its stdin reads nothing.

This module imports only the standard library and is run as a script, not as part of the `local` package:
a function's own modules (its `handler.py`, its packages) never meet ours, and a worker starts in
milliseconds.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
import traceback
from collections.abc import Callable
from typing import IO, Any

TASK_ROOT = "/var/task"  # where Lambda unpacks the code; stack traces show files under it


class ClientContext:
    """`context.client_context`: what the caller passed as the Invoke API's client context."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.client = document.get("client")
        self.custom = document.get("custom")
        self.env = document.get("env")


class LambdaContext:
    """The context object of the Python runtime: what handlers (and Powertools) read from it."""

    def __init__(self, request: dict[str, Any]) -> None:
        self.function_name = os.environ["AWS_LAMBDA_FUNCTION_NAME"]
        self.function_version = os.environ["AWS_LAMBDA_FUNCTION_VERSION"]
        self.memory_limit_in_mb = int(os.environ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"])
        self.log_group_name = os.environ["AWS_LAMBDA_LOG_GROUP_NAME"]
        self.log_stream_name = os.environ["AWS_LAMBDA_LOG_STREAM_NAME"]
        self.invoked_function_arn: str = request["invokedFunctionArn"]
        self.aws_request_id: str = request["requestId"]
        self.identity = None
        client_context = request.get("clientContext")
        self.client_context = ClientContext(client_context) if client_context is not None else None
        self._deadline_ms: int = request["deadlineMs"]

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before the function times out."""
        return max(0, self._deadline_ms - int(time.time() * 1000))


def main(code_dir: str, handler_name: str) -> int:
    """Serve invocations until the pool closes stdin."""
    requests, answers = _take_standard_streams()
    sys.path[0] = code_dir  # instead of this module's own directory
    handler, init_error = _load_handler(handler_name, code_dir)
    if handler is None:
        _send(answers, {"ready": False, "error": init_error})
        return 0
    _send(answers, {"ready": True})
    for line in requests:
        _send_line(answers, _invoke(handler, json.loads(line), code_dir))
    return 0


def _take_standard_streams() -> tuple[IO[str], IO[str]]:
    """Keep stdin and stdout for the protocol; point the handler's file descriptors 0 and 1 elsewhere."""
    requests = os.fdopen(os.dup(0), "r", encoding="utf-8")
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    nothing = os.open(os.devnull, os.O_RDONLY)
    os.dup2(nothing, 0)
    os.close(nothing)
    return requests, answers


def _load_handler(handler_name: str, code_dir: str) -> tuple[Callable[..., Any] | None, dict[str, Any]]:
    module_name, _, function_name = handler_name.rpartition(".")
    if not module_name or not function_name:
        return None, _error("Runtime.MalformedHandlerName", f"Bad handler '{handler_name}'")
    module_name = module_name.replace("/", ".")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        return None, _error("Runtime.ImportModuleError", f"Unable to import module '{module_name}': {exc}")
    except SyntaxError as exc:
        message = f"Syntax error in module '{module_name}': {exc}"
        return None, _error("Runtime.UserCodeSyntaxError", message)
    except Exception as exc:  # the module's own code failed while importing: reported like a handler error
        return None, _describe(exc, code_dir)
    handler = getattr(module, function_name, None)
    if not callable(handler):
        message = f"Handler '{function_name}' missing on module '{module_name}'"
        return None, _error("Runtime.HandlerNotFound", message)
    return handler, {}


def _invoke(handler: Callable[..., Any], request: dict[str, Any], code_dir: str) -> str:
    try:
        result = handler(request["event"], LambdaContext(request))
    except Exception as exc:  # the runtime reports any handler exception as a function error
        return json.dumps({"error": _describe(exc, code_dir)})
    try:
        return json.dumps({"result": result})
    except (TypeError, ValueError) as exc:
        return json.dumps({"error": _error("Runtime.MarshalError", f"Unable to marshal response: {exc}")})


def _describe(exc: Exception, code_dir: str) -> dict[str, Any]:
    frames = traceback.extract_tb(exc.__traceback__)[1:]  # the first frame is ours
    error = _error(type(exc).__name__, str(exc))
    error["frames"] = [
        [_shown_path(frame.filename, code_dir), frame.lineno, frame.name, frame.line]
        for frame in frames
        if not _is_import_machinery(frame.filename)
    ]
    return error


def _is_import_machinery(path: str) -> bool:
    """importlib's frames, between ours and the module's when the module fails while it loads."""
    return path.startswith("<frozen ") or path == importlib.__file__


def _shown_path(path: str, code_dir: str) -> str:
    if path.startswith(code_dir + os.sep):
        return TASK_ROOT + path[len(code_dir) :]
    return path


def _error(error_type: str, message: str) -> dict[str, Any]:
    return {"errorType": error_type, "errorMessage": message, "frames": []}


def _send(answers: IO[str], document: dict[str, Any]) -> None:
    _send_line(answers, json.dumps(document))


def _send_line(answers: IO[str], line: str) -> None:
    answers.write(line + "\n")
    answers.flush()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
