"""What a soak run found: counts for the report, and the ids behind every shortfall.

`shortfalls()` states the soak's expectations once, for the test that asserts them and for the benchmark
that prints them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

HISTORY_EVENT_LIMIT = 2_000
_SHOWN_IDS = 5


@dataclass(frozen=True)
class SoakFigures:
    """Figures of one run; tuples of ids name the customers a figure counts."""

    revocations: int
    stream_deliveries: int
    """Deliveries of the revocations' stream records: the stream's own, and the soak's repeats."""
    vendor_requests: dict[str, int]
    """Requests to the vendor's API by endpoint and fault met, as `endpoint/fault`."""
    deletion_requests_timed_out: int
    """Deletion requests the vendor carried out and answered after the client's read timeout."""
    deletion_requests_drifted: tuple[str, ...]
    """Customers whose deletion request the vendor carried out and answered in a drifted schema."""
    drifting_customers: int

    revocations_without_execution: tuple[str, ...]
    revocations_with_several_executions: tuple[str, ...]
    revocations_without_terminal_record: tuple[str, ...]
    revocations_with_several_terminal_records: tuple[str, ...]
    executions_still_running: tuple[str, ...]
    deletions_completed: int
    deletion_outcomes: dict[str, int]
    """Executions by status (and error, when they failed)."""
    deletion_failures: dict[str, int]
    """deletion_failure rows by failure_kind."""

    alerts_published: int
    """Executions whose AlertTechnicalContact step succeeded, counted once per success."""
    alerts_emailed: int
    not_completed_without_alert: tuple[str, ...]
    not_completed_with_several_alerts: tuple[str, ...]
    """Customers whose deletion did not complete and who were e-mailed (or published) more than once."""
    completed_with_alert: tuple[str, ...]

    vendor_operations: int
    customers_with_several_operations: tuple[str, ...]
    operations_not_in_ledger: tuple[str, ...]
    """`customer:operation` of vendor operations no ledger row of the customer names."""
    operations_unreadable_in_ledger: tuple[str, ...]
    """Of those, the ones whose deletion request was answered in a drifted schema: the vendor did the work,
    the client could not read the answer, and the ledger's CONTRACT_ERROR failure quotes the answer with the
    operation id (the vendor also holds it under the execution name, the request's idempotency key)."""

    largest_history_events: int
    median_history_events: float
    wall_seconds: float

    def shortfalls(self) -> list[str]:
        """One line per expectation of the soak that this run missed; empty when it met them all."""
        untracked = tuple(
            op for op in self.operations_not_in_ledger if op not in self.operations_unreadable_in_ledger
        )
        checks: list[tuple[str, Sequence[str]]] = [
            ("revocations have no execution", self.revocations_without_execution),
            ("revocations have more than one execution", self.revocations_with_several_executions),
            ("revocations have no terminal ledger record", self.revocations_without_terminal_record),
            (
                "revocations have more than one terminal ledger record",
                self.revocations_with_several_terminal_records,
            ),
            ("executions are still running", self.executions_still_running),
            ("deletions that did not complete sent no alert", self.not_completed_without_alert),
            (
                "deletions that did not complete sent more than one alert",
                self.not_completed_with_several_alerts,
            ),
            ("completed deletions sent an alert", self.completed_with_alert),
            ("customers have more than one vendor operation", self.customers_with_several_operations),
            ("vendor operations are untracked (not in the ledger)", untracked),
        ]
        lines = [_shortfall(what, self.revocations, ids) for what, ids in checks if ids]
        if self.largest_history_events >= HISTORY_EVENT_LIMIT:
            lines.append(
                f"the largest history has {self.largest_history_events} events (limit {HISTORY_EVENT_LIMIT})"
            )
        return lines

    def report(self) -> list[str]:
        """The figures as lines a person reads (the closing note of the issue quotes them)."""
        return [
            f"revocations: {self.revocations}, stream deliveries of their records: {self.stream_deliveries}",
            f"vendor requests: {sum(self.vendor_requests.values())} {_counts(self.vendor_requests)}",
            f"deletion requests carried out but answered late: {self.deletion_requests_timed_out}, "
            f"answered in a drifted schema: {len(self.deletion_requests_drifted)} "
            f"(drifting customers: {self.drifting_customers})",
            f"executions: {_counts(self.deletion_outcomes)}; "
            f"{len(self.revocations_without_execution)} revocations without and "
            f"{len(self.revocations_with_several_executions)} with several executions; "
            f"{len(self.executions_still_running)} still running",
            f"ledger: {self.deletions_completed} completed, failures {_counts(self.deletion_failures)}, "
            f"{len(self.revocations_without_terminal_record)} revocations without and "
            f"{len(self.revocations_with_several_terminal_records)} with several terminal records",
            f"alerts: {self.alerts_published} published, {self.alerts_emailed} e-mailed; "
            f"not completed without an alert: {len(self.not_completed_without_alert)}, with several: "
            f"{len(self.not_completed_with_several_alerts)}; completed with an alert: "
            f"{len(self.completed_with_alert)}",
            f"vendor operations: {self.vendor_operations}, customers with several: "
            f"{len(self.customers_with_several_operations)}, not named by the ledger: "
            f"{len(self.operations_not_in_ledger)} by id (answered in a drifted schema: "
            f"{len(self.operations_unreadable_in_ledger)}, quoted by their failure record)",
            f"history events: largest {self.largest_history_events}, median {self.median_history_events:.0f}",
            f"wall time: {self.wall_seconds:.1f} s",
        ]


def _shortfall(what: str, total: int, ids: Sequence[str]) -> str:
    shown = ", ".join(ids[:_SHOWN_IDS]) + (", ..." if len(ids) > _SHOWN_IDS else "")
    return f"{len(ids)} of {total} {what}: {shown}"


def _counts(counter: dict[str, int]) -> str:
    return "{" + ", ".join(f"{name}: {count}" for name, count in sorted(counter.items())) + "}"
