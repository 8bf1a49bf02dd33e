"""The `python -m local` command line: one argparse subcommand per job.

Each command lives in its own module and exposes `register(subcommands)`, which adds its parser and sets
`run=<function(args) -> exit code>` as a default; adding a command is adding it to `COMMAND_MODULES`.
Whatever stops a command is reported as one line on stderr: a person starting a stack should read what to
fix, not a traceback (`--log-level DEBUG` adds the traceback of an unexpected failure).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import signal
import sys
import threading
from collections.abc import Sequence

COMMAND_MODULES: tuple[str, ...] = (
    "local.sfn_api.sfn_command",
    "local.sfn_api.clock_command",
    "local.stack.up_command",
    "local.demo.command",
    "local.inspector.executions_command",
    "local.inspector.schedule_command",
    "local.inspector.consent_command",
    "local.inspector.outbox_command",
)
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
INTERRUPTED_EXIT_CODE = 130  # what shells report for a command ended by Ctrl-C (128 + SIGINT)

logger = logging.getLogger(__name__)


class CommandError(Exception):
    """A problem the person running the command can fix (a taken port, an unusable directory, a bad file).

    The message is the whole report: it names the option, its value and what is wrong, on one line.
    """


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every registered subcommand."""
    parser = argparse.ArgumentParser(
        prog="python -m local",
        description="Run the Step Functions workflows of this project on this machine, without AWS.",
    )
    parser.add_argument(
        "--log-level",
        type=str.upper,
        choices=LOG_LEVELS,
        default="WARNING",
        help="Python logging level (default: WARNING)",
    )
    subcommands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subcommands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse `argv` and run the chosen command; returns the process exit code."""
    try:
        args = build_parser().parse_args(argv)
        logging.basicConfig(level=args.log_level, format=LOG_FORMAT)
        return _run(args)
    except KeyboardInterrupt:
        return INTERRUPTED_EXIT_CODE  # Ctrl-C before a command serves: the person asked for it


def _run(args: argparse.Namespace) -> int:
    try:
        exit_code: int = args.run(args)
    except CommandError as error:
        _report(str(error))
        return 1
    except BrokenPipeError:
        # Whoever read the output has stopped (`... | head`): nothing is wrong, and nowhere is left to say so.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except Exception as error:
        logger.debug("`%s` failed", args.command, exc_info=True)
        _report(f"{args.command} failed: {type(error).__name__}: {error} (--log-level DEBUG shows where)")
        return 1
    return exit_code


def _report(message: str) -> None:
    # One line, even when a message quotes a multi-line text (a file's content, a server's answer).
    print("error: " + " ".join(message.splitlines()), file=sys.stderr)


def wait_for_stop_signal(ready_message: str | None = None) -> None:
    """Block until SIGINT (Ctrl-C) or SIGTERM: how the serving commands run until told to stop.

    `ready_message` is printed once the signals are caught, so that a signal sent as soon as it is read
    stops the command cleanly instead of interrupting it.
    """
    stop = threading.Event()

    def request_stop(signum: int, frame: object) -> None:
        stop.set()

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, request_stop)
    if ready_message is not None:
        print(ready_message, flush=True)
    while not stop.wait(timeout=1):
        pass  # a timed wait keeps the main thread responsive to signals


if __name__ == "__main__":
    sys.exit(main())
