"""Catalog functions run in this process: the handler string imported and called with its own environment.

A function's environment is what the catalog declares, resolved to local values, over the variables
the Lambda runtime would set (region, function name) and the local endpoints every AWS SDK call must
use (moto for AWS services, the local engine for Step Functions).
"""

from __future__ import annotations

import importlib
import sys
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from catalog.model import Function
from local.engine.lambda_runtime import LambdaContext
from local.stack.config import REGION
from local.stack.function_environment import FunctionVariables, function_environment

Handler = Callable[[Any, Any], Any]


class FunctionLoadError(RuntimeError):
    """A handler string does not name a callable, or functions sharing a module disagree on their env."""


@dataclass(frozen=True)
class LocalEndpoints:
    """Where the SDK calls of every local function go."""

    aws: str
    """The embedded AWS services (moto)."""
    stepfunctions: str
    """The local Step Functions API."""


def runtime_variables(
    function: Function, name: str, endpoints: LocalEndpoints, *, metrics: bool
) -> dict[str, str]:
    """What the Lambda runtime sets for a function, plus the local endpoints and switches."""
    variables = {
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_LAMBDA_FUNCTION_NAME": name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_mb),
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
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


class InProcessFunction:
    """One catalog function: callable like a Lambda handler, always inside its own environment."""

    def __init__(
        self,
        *,
        function: Function,
        name: str,
        arn: str,
        declared: Mapping[str, str],
        runtime: Mapping[str, str],
    ) -> None:
        self.declaration = function
        self.name = name
        self.arn = arn
        self.declared_environment = dict(declared)
        """The catalog's variables, resolved to local values."""
        # Declared variables win, so a local default never masks what the catalog says.
        self._variables = FunctionVariables({**runtime, **declared})
        self._handler: Handler | None = None
        # One sandbox, one invocation at a time, as in Lambda: handlers keep per-invocation state in
        # module-level objects (Powertools' logger keys, metrics, idempotency's Lambda context).
        self._sandbox = threading.Lock()

    @property
    def environment(self) -> Mapping[str, str]:
        """The variables this function sees on top of the process environment."""
        return dict(self._variables.values)

    def load(self) -> None:
        """Import the handler's module inside the function's environment (module-level code reads it)."""
        with function_environment(self._variables):
            module = importlib.import_module(self.declaration.module)
        handler = getattr(module, self.declaration.attribute, None)
        if not callable(handler):
            raise FunctionLoadError(f"{self.name}: {self.declaration.handler} is not a callable")
        self._handler = handler

    def __call__(self, event: Any, context: Any) -> Any:
        if self._handler is None:
            self.load()
        assert self._handler is not None
        with self._sandbox, function_environment(self._variables):
            return self._handler(event, context)

    def new_context(self) -> LambdaContext:
        """A context object for one invocation, with this function's name, ARN and timeout."""
        return LambdaContext(
            function_name=self.name,
            invoked_function_arn=self.arn,
            memory_limit_in_mb=self.declaration.memory_mb,
            timeout_seconds=float(self.declaration.timeout_seconds),
        )


def check_shared_modules(functions: Iterable[InProcessFunction]) -> None:
    """Refuse two functions whose handlers share a module but not their declared environment.

    Module-level caches (settings, clients) would serve both with whichever environment came first.
    """
    first_by_module: dict[str, InProcessFunction] = {}
    for function in functions:
        module = function.declaration.module
        other = first_by_module.setdefault(module, function)
        if other is not function and other.declared_environment != function.declared_environment:
            raise FunctionLoadError(
                f"{other.name} and {function.name} share the module {module} with different environments; "
                "in one process they would share its module-level state"
            )


def start_cold(package: str) -> None:
    """Clear the module-level caches (`functools.cache`/`lru_cache`) of every loaded module in `package`.

    Handlers build settings and clients once per sandbox in cached factories. In one process those
    caches outlive a stack: a second stack (a test, a restart in the same process) would get clients
    for the first one's endpoints. Clearing them makes every function's first call a cold start.
    """
    prefix = package + "."
    for name, module in list(sys.modules.items()):
        if module is None or not (name == package or name.startswith(prefix)):
            continue
        for value in list(vars(module).values()):
            if callable(getattr(value, "cache_clear", None)) and getattr(value, "__module__", None) == name:
                value.cache_clear()
