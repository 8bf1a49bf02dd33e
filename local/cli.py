"""The `python -m local` command line: one argparse subcommand per job.

Each command lives in its own module and exposes `register(subcommands)`, which adds its parser and sets
`run=<function(args) -> exit code>` as a default; adding a command is adding it to `COMMAND_MODULES`.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import signal
import sys
import threading
from collections.abc import Sequence

COMMAND_MODULES: tuple[str, ...] = (
    "local.sfn_api.sfn_command",
    "local.sfn_api.clock_command",
    "local.stack.up_command",
    "local.demo.command",
)
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every registered subcommand."""
    parser = argparse.ArgumentParser(
        prog="python -m local",
        description="Run the Step Functions workflows of this project on this machine, without AWS.",
    )
    parser.add_argument("--log-level", default="WARNING", help="Python logging level (default: WARNING)")
    subcommands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subcommands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse `argv` and run the chosen command; returns the process exit code."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format=LOG_FORMAT)
    exit_code: int = args.run(args)
    return exit_code


def wait_for_stop_signal() -> None:
    """Block until SIGINT (Ctrl-C) or SIGTERM: how the serving commands run until told to stop."""
    stop = threading.Event()

    def request_stop(signum: int, frame: object) -> None:
        stop.set()

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, request_stop)
    while not stop.wait(timeout=1):
        pass  # a timed wait keeps the main thread responsive to signals


if __name__ == "__main__":
    sys.exit(main())
