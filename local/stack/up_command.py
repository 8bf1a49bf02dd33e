"""`python -m local up`: the whole local runtime in one process until Ctrl-C.

python -m local up --clock virtual --state-dir .local-state
"""

from __future__ import annotations

import argparse
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from local.cli import CommandError, wait_for_stop_signal
from local.engine.mock_config import ENVIRONMENT_VARIABLE as MOCK_CONFIG_VARIABLE
from local.engine.mock_config import MockConfigError
from local.sfn_api.clock_mover import describe_completed_move
from local.stack.config import (
    CLOCK_MODES,
    DEFAULT_API_PORT,
    DEFAULT_AWS_PORT,
    DEFAULT_HOST,
    DEFAULT_LAMBDA_CONCURRENCY,
    DEFAULT_SFN_PORT,
    DEFAULT_THIRD_PARTY_PORT,
    StackConfig,
)
from local.stack.sandbox import FAKE_AWS_ENVIRONMENT, use_fake_aws_credentials
from local.startup_checks import check_ports_free, check_state_dir, port_number, positive_whole_number

if TYPE_CHECKING:
    from local.stack.stack import LocalStack

# boto3 and the AWS CLI read AWS_DEFAULT_REGION; other AWS SDKs read AWS_REGION.
_SHOWN_CREDENTIALS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION", "AWS_REGION")


def register(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `up` subcommand."""
    parser = subcommands.add_parser(
        "up",
        help="run every workflow of the catalog locally: API, Step Functions, AWS services, vendor fake",
        description=(
            "Start the Schedule API, the Step Functions API, the embedded AWS services (moto) and the fake "
            "third-party API in one process, print their addresses, and serve until Ctrl-C. "
            "A port of 0 picks any free port."
        ),
    )
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"interface to bind (default: {DEFAULT_HOST})")
    parser.add_argument(
        "--port",
        type=port_number,
        default=DEFAULT_API_PORT,
        help=f"Schedule API port (default: {DEFAULT_API_PORT})",
    )
    parser.add_argument(
        "--sfn-port",
        type=port_number,
        default=DEFAULT_SFN_PORT,
        help=f"Step Functions API port (default: {DEFAULT_SFN_PORT})",
    )
    parser.add_argument(
        "--aws-port",
        type=port_number,
        default=DEFAULT_AWS_PORT,
        help=f"embedded AWS services port (default: {DEFAULT_AWS_PORT})",
    )
    parser.add_argument(
        "--third-party-port",
        type=port_number,
        default=DEFAULT_THIRD_PARTY_PORT,
        help=f"fake third-party API port (default: {DEFAULT_THIRD_PARTY_PORT})",
    )
    parser.add_argument("--clock", choices=CLOCK_MODES, default="real", help="clock mode (default: real)")
    parser.add_argument(
        "--state-dir",
        type=Path,
        help="keep executions, histories, timers and virtual time in DIR (default: in memory)",
    )
    parser.add_argument(
        "--lambda-concurrency",
        type=positive_whole_number,
        default=DEFAULT_LAMBDA_CONCURRENCY,
        metavar="N",
        help="worker processes per function (a lower reserved concurrency in the catalog wins); further "
        f"invocations wait for one (default: {DEFAULT_LAMBDA_CONCURRENCY})",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Start the stack, print every address, and serve until SIGINT or SIGTERM."""
    # Before anything slow, so that a taken port or a bad directory is reported at once.
    ports = {
        "--port": args.port,
        "--sfn-port": args.sfn_port,
        "--aws-port": args.aws_port,
        "--third-party-port": args.third_party_port,
    }
    check_ports_free(args.host, ports)
    if args.state_dir is not None:
        check_state_dir(args.state_dir)
    # Imported here: the stack pulls in moto, the engine and every handler, which `python -m local clock`
    # (whose parser registers this command too) should not wait for.
    from local.stack.stack import LocalStack  # noqa: PLC0415

    use_fake_aws_credentials()
    config = StackConfig(
        host=args.host,
        api_port=args.port,
        sfn_port=args.sfn_port,
        aws_port=args.aws_port,
        third_party_port=args.third_party_port,
        clock=args.clock,
        state_dir=args.state_dir,
        lambda_concurrency=args.lambda_concurrency,
    )
    stack = LocalStack(config)
    try:
        stack.start()
    except MockConfigError as error:  # the engine reads the file $SFN_MOCK_CONFIG names, if any
        raise CommandError(f"${MOCK_CONFIG_VARIABLE} {error.source}: {error.problem}") from error
    except sqlite3.Error as error:
        if args.state_dir is None:
            raise
        raise CommandError(
            f"--state-dir {args.state_dir}: a database in it cannot be used ({error})"
        ) from error
    except OSError as error:  # a port taken since the check above
        raise CommandError(
            f"cannot start the local stack: {error} (a port of 0 picks any free port)"
        ) from error
    try:
        wait_for_stop_signal(ready_message="\n".join(describe(stack)))
        print("Stopping...", flush=True)
    finally:
        stack.close()
    return 0


def describe(stack: LocalStack) -> list[str]:
    """The lines `up` prints: every address, every state machine and resource, and how to use them."""
    addresses = stack.addresses
    state = stack.config.state_dir or "in memory"
    lines = [
        f"Local stack is up (clock: {stack.config.clock}, state: {state})",
        f"  Schedule API:        {addresses.api}",
        f"  Clock control:       {addresses.api}/_local/clock",
        f"  Step Functions API:  {addresses.stepfunctions}",
        f"  Execution console:   {addresses.stepfunctions}/console/",
        f"  Lambda API:          {addresses.stepfunctions}",
        f"  AWS services (moto): {addresses.aws}",
        f"  Third-party API:     {addresses.third_party}",
    ]
    if stack.completed_clock_move is not None:
        lines.append(f"  Clock: {describe_completed_move(stack.completed_clock_move)}")
    for workflow in stack.workflows.values():
        machine = workflow.machine
        lines.append(f"State machine {machine.name}: {workflow.state_machine_arn}")
        if machine.api is not None:
            routes = ", ".join(f"{route.method} {route.path}" for route in machine.api.routes)
            lines.append(f"  routes:   {routes}")
        lines += [f"  queue:    {url}" for url in workflow.resources.queue_urls.values()]
        lines += [f"  topic:    {arn}" for arn in workflow.resources.topic_arns.values()]
        lines += [f"  table:    {name}" for name in workflow.resources.table_names.values()]
        lines += [f"  secret:   {arn}" for arn in workflow.resources.secret_arns.values()]
        lines += [f"  database: {url}" for url in workflow.resources.database_urls.values()]
        lines += [f"  function: {function.arn}" for function in workflow.functions.values()]
        lines += [f"  trigger:  {trigger.name}" for trigger in workflow.triggers]
    exports = {
        "AWS_ENDPOINT_URL": addresses.aws,
        "AWS_ENDPOINT_URL_SFN": addresses.stepfunctions,
        "AWS_ENDPOINT_URL_LAMBDA": addresses.stepfunctions,
        **{name: FAKE_AWS_ENVIRONMENT[name] for name in _SHOWN_CREDENTIALS},
    }
    lines += [
        "Point boto3 or the AWS CLI at it:",
        "  export " + " ".join(f"{name}={value}" for name, value in exports.items()),
    ]
    if stack.config.clock != "real":
        lines.append(f"Move the clock: python -m local clock --endpoint {addresses.api} advance 2d")
    lines.append("Press Ctrl-C to stop.")
    return lines
