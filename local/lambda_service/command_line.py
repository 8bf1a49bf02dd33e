"""The Lambda options of `python -m local sfn`, and the service they describe.

python -m local sfn --function greet=./src:handler.main --lambda-endpoint-url http://127.0.0.1:3001
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from local.engine.lambda_runtime import LambdaInvoker, LambdaOutcome
from local.lambda_service.registry import DEFAULT_CONCURRENCY, FunctionRegistry
from local.lambda_service.remote import RemoteLambdaInvoker
from local.lambda_service.rest_api import LambdaRestApi
from local.startup_checks import positive_whole_number

STATE_SUBDIRECTORY = "lambda"


@dataclass(frozen=True)
class FunctionOption:
    """One `--function NAME=DIR:MODULE.HANDLER`."""

    name: str
    directory: Path
    handler: str


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the Lambda options to the `sfn` parser."""
    parser.add_argument(
        "--function",
        dest="functions",
        action="append",
        default=[],
        type=function_option,
        metavar="NAME=DIR:MODULE.HANDLER",
        help="run a Lambda function from the code in DIR (repeatable), e.g. greet=./src:handler.main",
    )
    parser.add_argument(
        "--lambda-endpoint-url",
        metavar="URL",
        help="Lambda tasks for functions not defined here call the Lambda Invoke API at URL "
        "(sam local start-lambda, LocalStack, ...)",
    )
    parser.add_argument(
        "--lambda-concurrency",
        type=positive_whole_number,
        default=DEFAULT_CONCURRENCY,
        metavar="N",
        help="worker processes per function; further invocations wait for one "
        f"(default: {DEFAULT_CONCURRENCY})",
    )


def function_option(text: str) -> FunctionOption:
    """An argparse `type` for `--function`: the directory and the handler's module must exist."""
    name, equals, location = text.partition("=")
    directory, colon, handler = location.rpartition(":")
    module, dot, function = handler.rpartition(".")
    if not (name and equals and directory and colon and module and dot and function):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not NAME=DIR:MODULE.HANDLER (e.g. greet=./src:handler.main)"
        )
    path = Path(directory)
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r}: {directory} is not a directory")
    module_path = path.joinpath(*module.replace("/", ".").split("."))
    if not (module_path.with_suffix(".py").is_file() or (module_path / "__init__.py").is_file()):
        raise argparse.ArgumentTypeError(f"{text!r}: there is no module {module} in {directory}")
    return FunctionOption(name, path, handler)


class LambdaService:
    """The Lambda API served beside the Step Functions API, and the invoker the engine's Lambda tasks use.

    Functions are created through the API or with `--function`; with `--lambda-endpoint-url`, a task for a
    function that is not defined here calls that endpoint instead.
    """

    def __init__(self, args: argparse.Namespace) -> None:
        root = args.state_dir / STATE_SUBDIRECTORY if args.state_dir is not None else None
        self.registry = FunctionRegistry(
            account_id=args.account_id, region=args.region, root=root, concurrency=args.lambda_concurrency
        )
        self.api = LambdaRestApi(self.registry)
        self.invoker: LambdaInvoker = self.registry
        if args.lambda_endpoint_url:
            self.invoker = _HereFirst(
                self.registry, RemoteLambdaInvoker(args.lambda_endpoint_url, args.region)
            )
        self._functions: list[FunctionOption] = args.functions

    def start(self) -> None:
        """Load the stored functions, then register the `--function` ones."""
        self.registry.start()
        for option in self._functions:
            self.registry.register_directory(option.name, option.directory, option.handler)

    def close(self) -> None:
        """Stop every function's workers."""
        self.registry.close()


class _HereFirst:
    """A function defined here runs here; any other goes to the remote endpoint."""

    def __init__(self, here: FunctionRegistry, remote: RemoteLambdaInvoker) -> None:
        self._here = here
        self._remote = remote

    def invoke(self, function: str, event: Any) -> LambdaOutcome:
        if self._here.knows(function):
            return self._here.invoke(function, event)
        return self._remote.invoke(function, event)
