"""What a crash scenario run found: counts for the report, and the ids behind every shortfall.

`shortfalls()` states the crash test's expectations once, for the test that asserts them and for the
benchmark that prints them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

_SHOWN_IDS = 5


@dataclass(frozen=True)
class CrashFigures:
    """Figures of one run; tuples of ids name the schedules or customers a figure counts."""

    # The crashes
    restarts: int
    startup_kills: int
    advances_cut_by_kill: int
    """Clock advances the kill interrupted before they answered (the rest had answered already)."""
    advance_asked_hours: float
    """Virtual hours the advances interrupted by the kills asked for, in total."""
    clock_moved_hours: float
    """How far the clock stood after the last restart from where it stood before the first kill."""
    startup_seconds: tuple[float, ...]
    """Wall seconds from launching `up` to its "ready" line, for every start that got there."""
    wall_seconds: float

    # The schedules
    schedules: int
    schedules_succeeded: int
    schedules_not_succeeded: tuple[str, ...]
    """`scheduleId=STATUS` of every schedule whose GET did not say SUCCEEDED."""
    schedules_without_execution: tuple[str, ...]
    schedules_with_several_executions: tuple[str, ...]
    schedules_processed_more_than_once: tuple[str, ...]
    """Schedules whose history holds more than one successful ProcessRequest."""
    schedules_rescheduled: tuple[str, ...]
    """Schedules that succeeded at attempt > 1: an earlier attempt failed every retry.

    Not a shortfall: an invocation a kill cut short leaves its idempotency record IN_PROGRESS until the
    processor's timeout, and the retries may run out before that, as on AWS after a Lambda crash.
    """
    schedules_processed_before_trigger_at: tuple[str, ...]
    """Schedules whose result's processedAt is earlier than the triggerAt they were given."""

    # The revocations
    revocations: int
    revocations_without_execution: tuple[str, ...]
    revocations_with_several_executions: tuple[str, ...]
    revocations_without_terminal_record: tuple[str, ...]
    revocations_with_several_terminal_records: tuple[str, ...]
    deletions_completed: int
    """completed_deletion rows of revoked customers."""
    deletion_failures: dict[str, int]
    """deletion_failure rows of revoked customers, by failure_kind."""
    deletion_outcomes: dict[str, int]
    """ConsentDeletion executions by status (and error, when they failed)."""
    executions_for_consenting_customers: tuple[str, ...]
    executions_still_running: int
    """Executions of either state machine still RUNNING when the figures were taken."""

    # The Customers table
    customers: int
    customers_present: int
    customers_with_consent_as_written: int

    # The alerts
    alerts_published: int
    """ConsentDeletion executions whose AlertTechnicalContact step succeeded."""
    alerts_emailed: int
    alert_subjects: dict[str, int]
    """E-mailed alerts by headline (the subject without its customer)."""
    alerts_published_not_emailed: tuple[str, ...]
    """Customers whose execution published an alert that never reached the SES outbox."""
    vendor_operations_completed: int
    alerts_published_for_completed_deletions: tuple[str, ...]
    alerts_emailed_for_completed_deletions: tuple[str, ...]

    def shortfalls(self) -> list[str]:
        """One line per expectation of the crash test that this run missed; empty when it met them all."""
        checks = [
            ("schedules did not end SUCCEEDED", self.schedules, self.schedules_not_succeeded),
            ("schedules have no execution", self.schedules, self.schedules_without_execution),
            (
                "schedules have more than one execution",
                self.schedules,
                self.schedules_with_several_executions,
            ),
            (
                "schedules were processed more than once",
                self.schedules,
                self.schedules_processed_more_than_once,
            ),
            (
                "schedules were processed before their triggerAt (on the stack's clock)",
                self.schedules,
                self.schedules_processed_before_trigger_at,
            ),
            ("revocations have no execution", self.revocations, self.revocations_without_execution),
            (
                "revocations have more than one execution",
                self.revocations,
                self.revocations_with_several_executions,
            ),
            (
                "revocations have no terminal ledger record",
                self.revocations,
                self.revocations_without_terminal_record,
            ),
            (
                "revocations have more than one terminal ledger record",
                self.revocations,
                self.revocations_with_several_terminal_records,
            ),
            (
                "customers who kept their consent got a deletion",
                self.customers - self.revocations,
                self.executions_for_consenting_customers,
            ),
            (
                "deletions the vendor completes got an alert published",
                self.revocations,
                self.alerts_published_for_completed_deletions,
            ),
            (
                "deletions the vendor completes got an alert e-mailed",
                self.revocations,
                self.alerts_emailed_for_completed_deletions,
            ),
        ]
        lines = [_shortfall(what, total, ids) for what, total, ids in checks if ids]
        if self.customers_present != self.customers:
            lines.append(
                f"{self.customers - self.customers_present} of {self.customers} Customers items are gone"
            )
        return lines

    def report(self) -> list[str]:
        """The figures as lines a person reads (the closing note of the issue quotes them)."""
        startups = sorted(self.startup_seconds)
        return [
            f"restarts after kill -9: {self.restarts} during clock advances "
            f"({self.advances_cut_by_kill} advances cut short), {self.startup_kills} more while starting",
            f"clock: {self.advance_asked_hours:.1f} h asked by the interrupted advances, "
            f"{self.clock_moved_hours:.1f} h moved by the last restart",
            f"`up` start-up: {startups[0]:.1f} s .. {startups[-1]:.1f} s over {len(startups)} starts"
            if startups
            else "`up` start-up: no start completed",
            f"schedules: {self.schedules} total, {self.schedules_succeeded} SUCCEEDED, "
            f"{len(self.schedules_without_execution)} lost (no execution), "
            f"{len(self.schedules_with_several_executions)} with several executions, "
            f"{len(self.schedules_processed_more_than_once)} processed more than once, "
            f"{len(self.schedules_rescheduled)} rescheduled (succeeded at attempt > 1), "
            f"{len(self.schedules_processed_before_trigger_at)} processed before their triggerAt",
            f"revocations: {self.revocations} total, {len(self.revocations_without_execution)} lost "
            f"(no execution), {len(self.revocations_with_several_executions)} with several executions; "
            f"outcomes {_counts(self.deletion_outcomes)}",
            f"ledger: {self.deletions_completed} completed, failures {_counts(self.deletion_failures)}, "
            f"{len(self.revocations_without_terminal_record)} revocations without and "
            f"{len(self.revocations_with_several_terminal_records)} with several terminal records",
            f"deletions for customers who kept consent: {len(self.executions_for_consenting_customers)}; "
            f"executions still running at the end: {self.executions_still_running}",
            f"Customers items: {self.customers_present} of {self.customers} present, "
            f"{self.customers_with_consent_as_written} with the consent last written",
            f"alerts: {self.alerts_published} published, {self.alerts_emailed} e-mailed "
            f"{_counts(self.alert_subjects)}, {len(self.alerts_published_not_emailed)} published but never "
            f"e-mailed; vendor operations completed: {self.vendor_operations_completed}",
            f"false alerts (deletion completed by the vendor): "
            f"{len(self.alerts_published_for_completed_deletions)} published, "
            f"{len(self.alerts_emailed_for_completed_deletions)} e-mailed",
            f"wall time: {self.wall_seconds:.1f} s",
        ]


def _shortfall(what: str, total: int, ids: Sequence[str]) -> str:
    shown = ", ".join(ids[:_SHOWN_IDS]) + (", ..." if len(ids) > _SHOWN_IDS else "")
    return f"{len(ids)} of {total} {what}: {shown}"


def _counts(counter: dict[str, int]) -> str:
    return "{" + ", ".join(f"{name}: {count}" for name, count in sorted(counter.items())) + "}"
