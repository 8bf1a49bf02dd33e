"""`python -m local demo` (`make demo`): a scripted walk through every workflow on a local stack."""

from __future__ import annotations

import argparse


def register(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `demo` subcommand."""
    parser = subcommands.add_parser(
        "demo",
        help="run a scripted scenario of every workflow on a local stack and check the outcomes",
        description=(
            "Start the local stack on free ports with a virtual clock and a temporary state directory, "
            "drive every workflow over HTTP, and exit 0 only if every expectation is met."
        ),
    )
    parser.add_argument(
        "--keep-running",
        action="store_true",
        help="after the report, keep the stack and the demo's executions up until Ctrl-C",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Run the demo; the exit code says whether every expectation was met."""
    # Imported here: the demo pulls in the whole stack, which other commands' start-up should not pay for.
    from local.demo.runner import run_demo  # noqa: PLC0415

    return run_demo(keep_running=args.keep_running)
