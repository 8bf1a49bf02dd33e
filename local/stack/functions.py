"""Catalog functions, run as Lambda runs them: in worker processes of their own, in the local Lambda service.

Each function the catalog declares is registered with the stack's Lambda service (the one on the Step
Functions port, `local.lambda_service`): its code is this checkout, its handler the catalog's, its
environment what the catalog declares, resolved to local values, over the local endpoints every AWS SDK
call must use (moto for AWS services, the local engine for Step Functions). Concurrent invocations run in
separate workers, up to the service's concurrency or the function's reserved concurrency, whichever is
lower; a worker keeps its module-level state (clients, settings, Powertools' keys) for the invocations it
answers, as an execution environment does.

The workers run `local.clocked_handler`, which calls the catalog's handler on the stack's clock.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from catalog.model import Function
from local.clocked_handler import CLOCK_KEY, HANDLER, HANDLER_VARIABLE
from local.engine.lambda_runtime import LambdaOutcome
from local.lambda_service.registry import FunctionRegistry

PROJECT_ROOT = Path(__file__).resolve().parents[2]
"""The code every catalog function runs: this checkout, where `functions/` and `local/` are packages."""
SHARED_LIBRARIES = (
    "boto3",
    "pydantic",
    "aws_lambda_powertools.logging",
    "aws_lambda_powertools.metrics",
    "aws_lambda_powertools.utilities.idempotency",
    "aws_lambda_powertools.utilities.parameters",
    "sqlalchemy",
)
"""What the handlers import from this environment's packages, imported once for all workers to share."""


class FunctionError(Exception):
    """An invocation failed in the function (the runtime's error document) or in the Lambda service.

    Its text is for one log line: an error message longer than `SHOWN_MESSAGE_LENGTH` is cut (a batch
    error can quote a traceback per record); the function's own log has it whole.
    """

    SHOWN_MESSAGE_LENGTH = 500

    def __init__(self, function_name: str, error_type: str, message: str) -> None:
        if len(message) > self.SHOWN_MESSAGE_LENGTH:
            message = f"{message[: self.SHOWN_MESSAGE_LENGTH]}... ({len(message):,} characters)"
        super().__init__(f"{function_name} failed: {error_type}: {message}")
        self.error_type = error_type


@dataclass(frozen=True)
class LocalEndpoints:
    """Where the SDK calls of every local function go."""

    aws: str
    """The embedded AWS services (moto)."""
    stepfunctions: str
    """The local Step Functions API."""


def runtime_variables(endpoints: LocalEndpoints, *, metrics: bool) -> dict[str, str]:
    """The local endpoints and switches every function sees (the Lambda service adds the runtime's own)."""
    variables = {
        "AWS_ENDPOINT_URL": endpoints.aws,
        # boto3's own name for the service is SFN; the front door reads the longer, explicit name.
        "AWS_ENDPOINT_URL_SFN": endpoints.stepfunctions,
        "AWS_ENDPOINT_URL_STEPFUNCTIONS": endpoints.stepfunctions,
        # No X-Ray daemon runs locally.
        "POWERTOOLS_TRACE_DISABLED": "true",
    }
    if not metrics:
        variables["POWERTOOLS_METRICS_DISABLED"] = "true"
    return variables


class CatalogFunction:
    """One catalog function in the stack's Lambda service: invoked as the stack's triggers invoke it."""

    def __init__(
        self,
        *,
        function: Function,
        name: str,
        arn: str,
        declared: Mapping[str, str],
        runtime: Mapping[str, str],
        reserved_concurrency: int | None,
    ) -> None:
        self.declaration = function
        self.name = name
        self.arn = arn
        # Declared variables win, so a local default never masks what the catalog says.
        self.environment: Mapping[str, str] = {**runtime, **declared}
        """The catalog's variables resolved to local values, over the local endpoints and switches: what
        this function sees on top of what the Lambda runtime sets."""
        self.reserved_concurrency = reserved_concurrency
        self._registry: FunctionRegistry | None = None

    def register(self, registry: FunctionRegistry, clock: Callable[[], datetime] | None) -> None:
        """Make `registry` run this function; on `clock`'s time, or on the wall clock when None."""
        registry.register_directory(
            self.name,
            PROJECT_ROOT,
            HANDLER,
            configuration={
                "Environment": {
                    "Variables": {**self.environment, HANDLER_VARIABLE: self.declaration.handler}
                },
                "Timeout": self.declaration.timeout_seconds,
                "MemorySize": self.declaration.memory_mb,
            },
            concurrency=self.reserved_concurrency,
            client_context=_stamped_with(clock) if clock is not None else None,
            preload=SHARED_LIBRARIES,
        )
        self._registry = registry

    def invoke(self, event: Any) -> LambdaOutcome:
        """One synchronous invocation; a failure of the Lambda service itself is raised."""
        if self._registry is None:
            raise RuntimeError(f"{self.name} is not registered with a Lambda service")
        return self._registry.invoke(self.name, event)

    def __call__(self, event: Any) -> Any:
        """The function's result; `FunctionError` when it fails (the runtime's error type and message)."""
        try:
            outcome = self.invoke(event)
        except Exception as error:  # the Lambda service refused or lost the invocation
            raise FunctionError(self.name, type(error).__name__, str(error)) from error
        if not outcome.ok:
            document = outcome.error_payload or {}
            raise FunctionError(self.name, str(outcome.error_type), str(document.get("errorMessage", "")))
        return outcome.payload


def _stamped_with(clock: Callable[[], datetime]) -> Callable[[], Mapping[str, Any]]:
    """The client context of each invocation: the time on `clock` when it starts."""
    return lambda: {"custom": {CLOCK_KEY: clock().isoformat()}}
