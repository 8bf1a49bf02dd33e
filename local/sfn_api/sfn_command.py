"""`python -m local sfn`: only the Step Functions API, for any state machine (as Step Functions Local did).

python -m local sfn --port 8083 --clock virtual --state-dir .local-state
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from local.cli import wait_for_stop_signal
from local.engine import Engine, MemoryStore, RealClock, SkipClock, SqliteStore, VirtualClock
from local.sfn_api.server import SfnApiServer

DEFAULT_PORT = 8083
STATE_FILE_NAME = "sfn.sqlite3"
CLOCK_MODES = ("real", "virtual", "skip")


def register(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `sfn` subcommand."""
    parser = subcommands.add_parser(
        "sfn",
        help="serve the Step Functions API (AWS JSON 1.0) for any state machine",
        description="Serve the Step Functions API and /_local/clock until SIGINT or SIGTERM.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default: 127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help="port; 0 picks a free one (default: 8083)"
    )
    parser.add_argument("--clock", choices=CLOCK_MODES, default="real", help="clock mode (default: real)")
    parser.add_argument(
        "--state-dir",
        type=Path,
        help=f"keep executions, histories and timers in DIR/{STATE_FILE_NAME} (default: in memory)",
    )
    parser.add_argument("--mock-config", type=Path, help="Step Functions Local MockConfigFile (JSON)")
    parser.add_argument("--aws-endpoint-url", help="where aws-sdk, SNS and SQS task integrations send calls")
    parser.add_argument("--account-id", default="123456789012", help="account id in ARNs")
    parser.add_argument("--region", default="us-east-1", help="region in ARNs")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Start the engine and the server, print the address, and serve until SIGINT/SIGTERM."""
    engine = build_engine(args)
    engine.start()
    server = SfnApiServer(engine, host=args.host, port=args.port)
    try:
        server.start()
        state = args.state_dir / STATE_FILE_NAME if args.state_dir else "in memory"
        print(
            f"Step Functions API listening on {server.endpoint_url} (clock: {args.clock}, state: {state})",
            flush=True,
        )
        wait_for_stop_signal()
    finally:
        server.close()
        engine.close()
    return 0


def build_engine(args: argparse.Namespace) -> Engine:
    """The engine the command line describes: clock mode, durable or in-memory store, mocks, endpoint."""
    clocks: dict[str, Any] = {"real": RealClock, "virtual": VirtualClock, "skip": SkipClock}
    if args.state_dir is not None:
        args.state_dir.mkdir(parents=True, exist_ok=True)
        store: Any = SqliteStore(args.state_dir / STATE_FILE_NAME)
    else:
        store = MemoryStore()
    return Engine(
        clock=clocks[args.clock](),
        store=store,
        account_id=args.account_id,
        region=args.region,
        mock_config=str(args.mock_config) if args.mock_config else None,
        aws_endpoint_url=args.aws_endpoint_url,
    )
