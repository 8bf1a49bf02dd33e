"""The demo itself: start the stack on free ports with a virtual clock, run every scenario over HTTP,
print a summary; exit 0 only when every expectation was met.
"""

from __future__ import annotations

import tempfile
import time
import traceback
from collections.abc import Mapping
from pathlib import Path

from rich.console import Console

from catalog import STATE_MACHINES
from catalog.log_level import LOG_LEVEL_TUNABLE
from catalog.model import StateMachine
from local.cli import wait_for_stop_signal
from local.demo.clients import ClockClient
from local.demo.context import DemoContext
from local.demo.report import DemoReport
from local.demo.scenarios import SCENARIOS, Scenario
from local.stack import LocalStack, StackConfig
from local.stack.sandbox import use_fake_aws_credentials
from local.stack.up_command import describe

# The functions' INFO logs and metrics would bury the demo's own story; warnings and errors still show.
FUNCTION_LOG_LEVEL = "WARNING"


def run_demo(*, keep_running: bool = False) -> int:
    """Run the demo; the exit code says whether every expectation was met.

    With `keep_running`, the stack stays up after the report, with the demo's executions, until SIGINT or
    SIGTERM, and prints its addresses as `python -m local up` does.
    """
    use_fake_aws_credentials()
    console = Console()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="local-demo-") as state_dir:
        config = StackConfig.on_free_ports(
            clock="virtual",
            state_dir=Path(state_dir),
            tunable_overrides=quiet_function_logs(STATE_MACHINES),
            function_metrics=False,
        )
        with LocalStack(config) as stack:
            clock = ClockClient(stack.addresses.api)
            report = DemoReport(console, clock.now)
            _introduce(console, stack)
            demo = DemoContext(stack=stack, report=report, clock=clock)
            for scenario in SCENARIOS:
                _run_scenario(scenario, demo)
            report.summary(time.monotonic() - started)
            if keep_running:
                _serve_until_stopped(stack)
    return 0 if report.all_met else 1


def _serve_until_stopped(stack: LocalStack) -> None:
    # `up`'s own lines, so that whatever reads `up`'s addresses (people, scripts, tests) reads these too.
    wait_for_stop_signal(ready_message="\n" + "\n".join(describe(stack)))
    print("Stopping...", flush=True)


def quiet_function_logs(machines: Mapping[str, StateMachine]) -> dict[str, dict[str, object]]:
    """Tunable overrides that raise each workflow's function log level to WARNING, where it has one."""
    return {
        name: {LOG_LEVEL_TUNABLE.name: FUNCTION_LOG_LEVEL}
        for name, machine in machines.items()
        if any(tunable.name == LOG_LEVEL_TUNABLE.name for tunable in machine.tunables)
    }


def _introduce(console: Console, stack: LocalStack) -> None:
    addresses = stack.addresses
    console.print("[bold]Local stack[/] (virtual clock, temporary state directory)")
    console.print(f"  Schedule API        {addresses.api}", soft_wrap=True)
    console.print(f"  Step Functions API  {addresses.stepfunctions}", soft_wrap=True)
    console.print(f"  AWS services        {addresses.aws}", soft_wrap=True)
    console.print(f"  Third-party API     {addresses.third_party}", soft_wrap=True)


def _run_scenario(scenario: Scenario, demo: DemoContext) -> None:
    if scenario.machine not in demo.stack.workflows:
        demo.report.note(f"{scenario.machine} is not in the catalog: its scenario is skipped")
        return
    demo.report.section(scenario.machine, scenario.title)
    try:
        scenario.run(demo)
    except Exception as error:  # one broken scenario must not hide the others' results
        demo.report.note(traceback.format_exc())
        demo.report.expect("the scenario ran to its end", False, f"{type(error).__name__}: {error}")
