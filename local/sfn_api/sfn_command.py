"""`python -m local sfn`: only the Step Functions API, for any state machine (as Step Functions Local did).

python -m local sfn --port 8083 --clock virtual --state-dir .local-state
"""

from __future__ import annotations

import argparse
import sqlite3
from pathlib import Path
from typing import Any

from local.cli import CommandError, wait_for_stop_signal
from local.engine import Engine, MemoryStore, RealClock, SkipClock, SqliteStore, VirtualClock
from local.engine.mock_config import ENVIRONMENT_VARIABLE as MOCK_CONFIG_VARIABLE
from local.engine.mock_config import MockConfigError
from local.lambda_service import command_line as lambda_options
from local.sfn_api.clock_mover import ClockMover, describe_completed_move
from local.sfn_api.server import SfnApiServer
from local.startup_checks import check_ports_free, check_state_dir, listen_error, port_number

DEFAULT_PORT = 8083
STATE_FILE_NAME = "sfn.sqlite3"
CLOCK_MODES = ("real", "virtual", "skip")


def register(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `sfn` subcommand."""
    parser = subcommands.add_parser(
        "sfn",
        help="serve the Step Functions API (AWS JSON 1.0) and a Lambda API for any state machine",
        description="Serve the Step Functions API, the Lambda API and /_local/clock until SIGINT or SIGTERM.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default: 127.0.0.1)")
    parser.add_argument(
        "--port", type=port_number, default=DEFAULT_PORT, help="port; 0 picks a free one (default: 8083)"
    )
    parser.add_argument("--clock", choices=CLOCK_MODES, default="real", help="clock mode (default: real)")
    parser.add_argument(
        "--state-dir",
        type=Path,
        help=f"keep executions, histories and timers in DIR/{STATE_FILE_NAME} (default: in memory)",
    )
    parser.add_argument("--mock-config", type=Path, help="Step Functions Local MockConfigFile (JSON)")
    parser.add_argument(
        "--aws-endpoint-url",
        help="where aws-sdk, SNS, SQS, DynamoDB and EventBridge task integrations send calls",
    )
    parser.add_argument("--account-id", default="123456789012", help="account id in ARNs")
    parser.add_argument("--region", default="us-east-1", help="region in ARNs")
    lambda_options.add_arguments(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Start the engine and the server, print the address, and serve until SIGINT/SIGTERM."""
    check_ports_free(args.host, {"--port": args.port})
    if args.state_dir is not None:
        check_state_dir(args.state_dir)
    engine = build_engine(args)
    lambdas = lambda_options.LambdaService(args)
    engine.use_lambda_invoker(lambdas.invoker)
    clock = ClockMover(engine, journal_dir=args.state_dir)
    server = SfnApiServer(engine, host=args.host, port=args.port, lambda_api=lambdas.api, clock_control=clock)
    try:
        lambdas.start()
        engine.start()
        try:
            server.start()
        except OSError as error:  # taken since the check above
            raise listen_error("--port", args.host, args.port, error) from error
        completed_move = clock.complete_interrupted_move()
        state = args.state_dir / STATE_FILE_NAME if args.state_dir else "in memory"
        lines = [
            f"Step Functions and Lambda APIs listening on {server.endpoint_url} "
            f"(clock: {args.clock}, state: {state})",
            f"Execution console: {server.endpoint_url}/console/",
        ]
        if completed_move is not None:
            lines.append(f"Clock: {describe_completed_move(completed_move)}")
        # Printed once Ctrl-C is caught, so a signal sent as soon as the address is read stops cleanly.
        wait_for_stop_signal(ready_message="\n".join(lines))
    finally:
        server.close()
        engine.close()
        lambdas.close()
    return 0


def build_engine(args: argparse.Namespace) -> Engine:
    """The engine the command line describes: clock mode, durable or in-memory store, mocks, endpoint.

    Raises `CommandError` for a state file or a mock configuration that cannot be used.
    """
    clocks: dict[str, Any] = {"real": RealClock, "virtual": VirtualClock, "skip": SkipClock}
    store: Any = MemoryStore() if args.state_dir is None else _durable_store(args.state_dir)
    try:
        return Engine(
            clock=clocks[args.clock](),
            store=store,
            account_id=args.account_id,
            region=args.region,
            mock_config=str(args.mock_config) if args.mock_config else None,
            aws_endpoint_url=args.aws_endpoint_url,
        )
    except MockConfigError as error:
        store.close()
        # Without --mock-config the engine reads the file $SFN_MOCK_CONFIG names, as Step Functions Local did.
        option = "--mock-config" if args.mock_config else f"${MOCK_CONFIG_VARIABLE}"
        raise CommandError(f"{option} {error.source}: {error.problem}") from error


def _durable_store(state_dir: Path) -> SqliteStore:
    path = state_dir / STATE_FILE_NAME
    try:
        return SqliteStore(path)
    except sqlite3.Error as error:
        raise CommandError(f"--state-dir {state_dir}: cannot use {path} ({error})") from error
