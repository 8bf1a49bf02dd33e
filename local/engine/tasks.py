"""Task integrations: in-process Lambda handlers (else a `LambdaInvoker`), SNS/SQS, DynamoDB, EventBridge
and generic aws-sdk calls through boto3, activity tasks queued for workers, child executions started on
this engine, and MockConfigFile responses.

Every call returns a `TaskResult` (output, or an error named as Step Functions names it); exceptions
never escape to the interpreter.
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from local.engine import (
    events,
    integration_dynamodb,
    integration_eventbridge,
    integration_states,
    lambda_runtime,
    map_item_reader,
    map_result_writer,
)
from local.engine.activity_queue import ActivityQueue
from local.engine.errors import StatesError
from local.engine.integration_states import ExecutionStarter
from local.engine.lambda_runtime import (
    Handler,
    LambdaContext,
    LambdaInvoker,
    LambdaOutcome,
    LambdaServiceError,
)
from local.engine.mock_config import MockConfig
from local.engine.resources import Resource, function_name_of
from local.engine.store import ActivityTask

# Service names as Step Functions prints them in aws-sdk error names (PascalCase SDK names).
SDK_ERROR_PREFIX = {
    "dynamodb": "DynamoDb",
    "secretsmanager": "SecretsManager",
    "sqs": "Sqs",
    "sns": "Sns",
    "s3": "S3",
    "ses": "Ses",
    "sesv2": "SesV2",
    "sfn": "Sfn",
    "lambda": "Lambda",
    "eventbridge": "EventBridge",
    "ssm": "Ssm",
    "kms": "Kms",
    "sts": "Sts",
}
# Step Functions' SDK service names that boto3 spells differently.
BOTO3_SERVICE = {"sfn": "stepfunctions", "eventbridge": "events"}
# S3 actions served for a Distributed Map's ItemReader and ResultWriter (not as Task resources).
MAP_S3_ACTIONS = (*map_item_reader.READ_ACTIONS, map_result_writer.PUT_OBJECT)
OPTIMISED_ERROR_PREFIX = {"sns": "SNS", "sqs": "SQS", "lambda": "Lambda"}


@dataclass
class TaskCall:
    """One task invocation request."""

    resource: Resource
    parameters: Any
    state_name: str
    state_machine_name: str
    test_case: str | None
    attempt: int
    token: str | None = None
    timeout_seconds: float | None = None
    state_machine_arn: str = ""
    execution_arn: str = ""


@dataclass
class TaskResult:
    """What the integration returned."""

    ok: bool
    output: Any = None
    error: str | None = None
    cause: str | None = None


class TaskDispatcher:
    """Routes task calls to handlers, mocks or boto3."""

    def __init__(
        self, *, account_id: str, region: str, mock_config: MockConfig | None, aws_endpoint_url: str | None
    ) -> None:
        self.account_id = account_id
        self.region = region
        self.mock_config = mock_config
        self.aws_endpoint_url = aws_endpoint_url
        self._handlers: dict[str, Handler] = {}
        self._lambda_invoker: LambdaInvoker | None = None
        self._activity_queue: ActivityQueue | None = None
        self._execution_starter: ExecutionStarter | None = None
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()

    def register_lambda(self, name_or_arn: str, handler: Handler) -> None:
        """Make `handler` answer invocations of a function (by name or full ARN)."""
        with self._lock:
            self._handlers[name_or_arn] = handler
            self._handlers.setdefault(function_name_of(name_or_arn), handler)

    def use_lambda_invoker(self, invoker: LambdaInvoker | None) -> None:
        """Send invocations of functions that have no in-process handler to `invoker` (a Lambda service)."""
        with self._lock:
            self._lambda_invoker = invoker

    def use_activity_queue(self, queue: ActivityQueue | None) -> None:
        """Queue the tasks of activity Task states on `queue` for their workers."""
        with self._lock:
            self._activity_queue = queue

    def use_execution_starter(self, starter: ExecutionStarter | None) -> None:
        """Start the child executions of `states:startExecution` tasks with `starter` (this engine's own)."""
        with self._lock:
            self._execution_starter = starter

    def function_arn(self, name: str) -> str:
        """Full ARN of a function in this engine's account and region."""
        return f"arn:aws:lambda:{self.region}:{self.account_id}:function:{name}"

    def dispatch(self, call: TaskCall) -> TaskResult:
        """Perform a task call."""
        mocked = self._mocked(call)
        if mocked is not None:
            return mocked
        resource = call.resource
        if resource.kind == "function":
            return self._invoke_function(resource.arn, call.parameters, call, wrap=False)
        if resource.kind == "integration":
            return self._integration(call)
        if resource.kind == "activity":
            return self._schedule_activity(call)
        return _unsupported(resource)

    def _schedule_activity(self, call: TaskCall) -> TaskResult:
        with self._lock:
            queue = self._activity_queue
        if queue is None or call.token is None:
            return _unsupported(call.resource)
        task = ActivityTask(
            token=call.token,
            activity_arn=call.resource.arn,
            execution_arn=call.execution_arn,
            input=events.to_json(call.parameters),
        )
        queue.offer(task)
        return TaskResult(ok=True)

    def _mocked(self, call: TaskCall) -> TaskResult | None:
        if self.mock_config is None or call.test_case is None:
            return None
        response = self.mock_config.response(
            call.state_machine_name, call.test_case, call.state_name, call.attempt
        )
        if response is None:
            return None
        if response.throws:
            return TaskResult(ok=False, error=response.error, cause=response.cause)
        return TaskResult(ok=True, output=response.returns)

    def _integration(self, call: TaskCall) -> TaskResult:
        resource = call.resource
        if resource.service == "lambda" and resource.action == "invoke":
            parameters = call.parameters if isinstance(call.parameters, dict) else {}
            target = parameters.get("FunctionName")
            if not isinstance(target, str):
                return TaskResult(
                    ok=False, error="States.Runtime", cause="The field 'FunctionName' is required"
                )
            return self._invoke_function(target, parameters.get("Payload"), call, wrap=True)
        if resource.service.startswith("aws-sdk:"):
            return self._aws_sdk(resource.service[len("aws-sdk:") :], resource.action, call.parameters)
        return self._optimised(call)

    def _optimised(self, call: TaskCall) -> TaskResult:
        resource = call.resource
        if (resource.service, resource.action) in (("sns", "publish"), ("sqs", "sendMessage")):
            return self._optimised_boto3(resource.service, resource.action, call.parameters)
        if resource.service == "dynamodb" and resource.action in integration_dynamodb.OPERATIONS:
            return _settled(
                lambda: integration_dynamodb.call(self._client("dynamodb"), resource.action, call.parameters)
            )
        if resource.service == "s3" and resource.action in MAP_S3_ACTIONS:
            return _settled(lambda: self._map_s3(resource.action, call.parameters))
        if (resource.service, resource.action) == ("events", "putEvents"):
            return _settled(
                lambda: integration_eventbridge.put_events(
                    self._client("events"),
                    call.parameters,
                    state_machine_arn=call.state_machine_arn,
                    execution_arn=call.execution_arn,
                )
            )
        if (resource.service, resource.action) == ("states", "startExecution"):
            with self._lock:
                starter = self._execution_starter
            if starter is not None:
                return _settled(lambda: integration_states.start_execution(starter, call.parameters))
        return _unsupported(resource)

    # ------------------------------------------------------------------ Lambda

    def _invoke_function(self, target: str, event: Any, call: TaskCall, *, wrap: bool) -> TaskResult:
        try:
            outcome = self._run_function(target, event if event is not None else {}, call)
        except LambdaServiceError as error:
            return TaskResult(ok=False, error=f"Lambda.{error.code}", cause=error.cause)
        except Exception as error:  # a broken Lambda service fails the task, never the engine
            return TaskResult(
                ok=False, error="Lambda.ServiceException", cause=f"{type(error).__name__}: {error}"
            )
        if not outcome.ok:
            return TaskResult(ok=False, error=outcome.error_type, cause=json.dumps(outcome.error_payload))
        if wrap:
            return TaskResult(
                ok=True, output=lambda_runtime.invoke_response(outcome.payload, outcome.request_id)
            )
        return TaskResult(ok=True, output=outcome.payload)

    def _run_function(self, target: str, event: Any, call: TaskCall) -> LambdaOutcome:
        name = function_name_of(target)
        with self._lock:
            handler = self._handlers.get(target) or self._handlers.get(name)
            invoker = self._lambda_invoker
        arn = target if target.startswith("arn:") else self.function_arn(name)
        if handler is not None:
            context = LambdaContext(
                function_name=name, invoked_function_arn=arn, timeout_seconds=call.timeout_seconds or 60.0
            )
            return lambda_runtime.invoke_handler(handler, event, context)
        if invoker is not None:
            return invoker.invoke(target, event)
        raise LambdaServiceError.function_not_found(arn)

    # ------------------------------------------------------------------ boto3

    def _map_s3(self, action: str, parameters: Any) -> Any:
        """The S3 calls a Distributed Map's ItemReader and ResultWriter make."""
        if action == map_result_writer.PUT_OBJECT:
            return map_result_writer.put(self._client("s3"), parameters)
        return map_item_reader.fetch(self._client("s3"), action, parameters)

    def _client(self, service: str) -> Any:
        with self._lock:
            client = self._clients.get(service)
            if client is None:
                session = boto3.session.Session()
                options: dict[str, Any] = {"region_name": self.region}
                if self.aws_endpoint_url:
                    options["endpoint_url"] = self.aws_endpoint_url
                if session.get_credentials() is None:
                    options.update(aws_access_key_id="test", aws_secret_access_key="test")
                client = session.client(BOTO3_SERVICE.get(service, service), **options)
                self._clients[service] = client
            return client

    def _aws_sdk(self, service: str, action: str, parameters: Any) -> TaskResult:
        prefix = SDK_ERROR_PREFIX.get(service, service[:1].upper() + service[1:])
        try:
            client = self._client(service)
            method = getattr(client, _snake_case(action))
        except Exception as exc:  # unknown service or action
            return TaskResult(
                ok=False, error="States.Runtime", cause=f"Unsupported aws-sdk call {service}:{action}: {exc}"
            )
        return self._call(method, parameters if isinstance(parameters, dict) else {}, prefix)

    def _optimised_boto3(self, service: str, action: str, parameters: Any) -> TaskResult:
        arguments = dict(parameters) if isinstance(parameters, dict) else {}
        body_field = "Message" if service == "sns" else "MessageBody"
        if body_field in arguments and not isinstance(arguments[body_field], str):
            arguments[body_field] = json.dumps(arguments[body_field], separators=(",", ":"))
        method = getattr(self._client(service), _snake_case(action))
        result = self._call(method, arguments, OPTIMISED_ERROR_PREFIX[service])
        if result.ok and isinstance(result.output, dict):
            request_id = str(uuid.uuid4())
            result.output["SdkHttpMetadata"] = {"HttpStatusCode": 200}
            result.output["SdkResponseMetadata"] = {"RequestId": request_id}
        return result

    def _call(self, method: Any, arguments: dict[str, Any], prefix: str) -> TaskResult:
        try:
            response = method(**arguments)
        except ClientError as exc:
            return _client_error(exc, prefix)
        except (BotoCoreError, ValueError, TypeError) as exc:
            return TaskResult(ok=False, error=f"{prefix}.SdkClientException", cause=str(exc))
        response.pop("ResponseMetadata", None)
        return TaskResult(ok=True, output=json.loads(json.dumps(response, default=_json_default)))


def _settled(perform: Callable[[], Any]) -> TaskResult:
    try:
        return TaskResult(ok=True, output=perform())
    except StatesError as failure:
        return TaskResult(ok=False, error=failure.error, cause=failure.cause)


def _json_default(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "read"):
        return value.read().decode(errors="replace")
    if isinstance(value, bytes):
        return value.decode(errors="replace")
    return str(value)


def _client_error(exc: Any, prefix: str) -> TaskResult:
    error = exc.response.get("Error", {})
    code = str(error.get("Code", "UnknownError")).split(".")[-1]
    if code == "NonExistentQueue":
        code = "QueueDoesNotExist"
    if not code.endswith("Exception"):
        code = f"{code}Exception"
    metadata = exc.response.get("ResponseMetadata", {})
    service = exc.operation_name
    cause = (
        f"{error.get('Message', '')} (Service: {prefix}, Status Code: {metadata.get('HTTPStatusCode', 400)}, "
        f"Request ID: {metadata.get('RequestId', '')}, operation: {service})"
    )
    return TaskResult(ok=False, error=f"{prefix}.{code}", cause=cause)


def _snake_case(action: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", action).lower()


def _unsupported(resource: Resource) -> TaskResult:
    return TaskResult(
        ok=False,
        error="States.Runtime",
        cause=(
            f"The resource '{resource.arn}' is not supported by the local engine: use a Lambda function, an "
            "aws-sdk integration, an optimized lambda, sns, sqs, dynamodb, events or states integration, "
            "or a mock."
        ),
    )
