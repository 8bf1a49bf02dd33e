"""What the demo prints: one line per step (with the virtual time), checked expectations, a summary table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from rich.console import Console
from rich.markup import escape
from rich.table import Table


@dataclass(frozen=True)
class Expectation:
    """One thing the demo checked."""

    scenario: str
    description: str
    met: bool
    detail: str


class DemoReport:
    """Prints the demo as it runs and remembers every expectation for the summary."""

    def __init__(self, console: Console, clock: Callable[[], datetime]) -> None:
        self._console = console
        self._clock = clock
        self._scenario = ""
        self.expectations: list[Expectation] = []

    def section(self, scenario: str, title: str) -> None:
        """Start the log of one scenario."""
        self._scenario = scenario
        self._console.rule(f"[bold]{escape(scenario)}[/]: {escape(title)}")

    def step(self, action: str, outcome: str = "") -> None:
        """Log what the demo did and what came back, stamped with the stack's (virtual) time."""
        stamp = self._clock().astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ")
        arrow = f" [cyan]->[/] {escape(outcome)}" if outcome else ""
        self._console.print(f"[dim]{stamp}[/]  {escape(action)}{arrow}", soft_wrap=True)

    def expect(self, description: str, met: bool, detail: str = "") -> bool:
        """Record and print one expectation; returns whether it was met."""
        self.expectations.append(Expectation(self._scenario, description, met, detail))
        mark = "[green]PASS[/]" if met else "[bold red]FAIL[/]"
        suffix = f" [dim]({escape(detail)})[/]" if detail else ""
        self._console.print(f"  {mark} {escape(description)}{suffix}", soft_wrap=True)
        return met

    def note(self, text: str) -> None:
        """A line of explanation."""
        self._console.print(f"[dim]{escape(text)}[/]", soft_wrap=True)

    @property
    def all_met(self) -> bool:
        """True when at least one expectation was checked and none failed."""
        return bool(self.expectations) and all(expectation.met for expectation in self.expectations)

    def summary(self, elapsed_seconds: float) -> None:
        """The table of every expectation and the verdict."""
        table = Table(title="Demo summary", show_lines=False)
        table.add_column("Scenario")
        table.add_column("Expectation")
        table.add_column("Result")
        for expectation in self.expectations:
            result = "[green]PASS[/]" if expectation.met else "[bold red]FAIL[/]"
            table.add_row(escape(expectation.scenario), escape(expectation.description), result)
        self._console.print(table)
        met = sum(1 for expectation in self.expectations if expectation.met)
        verdict = "[bold green]Demo passed[/]" if self.all_met else "[bold red]Demo FAILED[/]"
        self._console.print(
            f"{verdict}: {met} of {len(self.expectations)} expectations met in {elapsed_seconds:.1f} s"
        )
