"""Two writers at once, and a writer that dies half way: the ledger stays whole."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, event, text

from functions.consent_deletion.ledger import DeletionRecord, DeletionState, FailureKind, SqlDeletionLedger
from tests.integration.ledger.helpers import T0, LedgerDatabase, request_deletion, row_counts

# Upper bound on any wait below; reaching it fails the test instead of hanging it.
WAIT_LIMIT_SECONDS = 30.0

LedgerTask = Callable[[SqlDeletionLedger], DeletionRecord]


class SimulatedCrash(Exception):
    """Raised from inside a ledger transaction to stand for a Lambda dying mid-write."""


def _request(ledger: SqlDeletionLedger) -> DeletionRecord:
    return request_deletion(ledger, "exec-1", "customer-1", T0)


@pytest.fixture
def two_engines(engine: Engine, ledger_database: LedgerDatabase) -> tuple[Engine, Engine]:
    """Two engines, each with its own connections, on the same migrated database."""
    return ledger_database.new_engine(), ledger_database.new_engine()


@pytest.fixture
def two_writers(two_engines: tuple[Engine, Engine]) -> tuple[SqlDeletionLedger, SqlDeletionLedger]:
    return SqlDeletionLedger(two_engines[0]), SqlDeletionLedger(two_engines[1])


@pytest.fixture
def pool() -> Iterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(max_workers=2) as executor:
        yield executor


def _both_at_once(
    pool: ThreadPoolExecutor, writers: tuple[SqlDeletionLedger, SqlDeletionLedger], task: LedgerTask
) -> list[DeletionRecord]:
    start = threading.Barrier(2, timeout=WAIT_LIMIT_SECONDS)

    def run(writer: SqlDeletionLedger) -> DeletionRecord:
        start.wait()
        return task(writer)

    futures = [pool.submit(run, writer) for writer in writers]
    return [future.result(timeout=WAIT_LIMIT_SECONDS) for future in futures]


@dataclass(frozen=True)
class SameTaskTwice:
    already_requested: bool
    task: LedgerTask
    expected_state: DeletionState
    expected_checks: int


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(SameTaskTwice(False, _request, DeletionState.PENDING, 0), id="requested"),
        pytest.param(
            SameTaskTwice(
                True,
                lambda ledger: ledger.record_check("exec-1", "RUNNING", T0, recorded_at=T0),
                DeletionState.PENDING,
                1,
            ),
            id="check",
        ),
        pytest.param(
            SameTaskTwice(
                True,
                lambda ledger: ledger.record_completed("exec-1", T0, recorded_at=T0),
                DeletionState.COMPLETED,
                0,
            ),
            id="completed",
        ),
        pytest.param(
            SameTaskTwice(
                True,
                lambda ledger: ledger.record_failed(
                    "exec-1", FailureKind.FAILED, "vendor said FAILED", T0, recorded_at=T0
                ),
                DeletionState.FAILED,
                0,
            ),
            id="failed",
        ),
    ],
)
def test_two_writers_of_the_same_task_leave_one_row_and_both_succeed(
    two_writers: tuple[SqlDeletionLedger, SqlDeletionLedger],
    pool: ThreadPoolExecutor,
    engine: Engine,
    case: SameTaskTwice,
) -> None:
    # Given the state the task starts from
    if case.already_requested:
        _request(two_writers[0])
    events_before = row_counts(engine, "exec-1")["deletion_event"]

    # When two writers on separate connections run the same task at the same moment
    first, second = _both_at_once(pool, two_writers, case.task)

    # Then neither fails, both see the same outcome, and it was written once
    assert first == second
    assert (first.state, first.check_count) == (case.expected_state, case.expected_checks)
    counts = row_counts(engine, "exec-1")
    assert counts["pending_deletion"] + counts["completed_deletion"] + counts["deletion_failure"] == 1
    assert counts["deletion_event"] == events_before + 1


def test_a_writer_that_arrives_while_the_first_is_mid_insert_waits_and_succeeds(
    two_engines: tuple[Engine, Engine],
    pool: ThreadPoolExecutor,
    engine: Engine,
    ledger_database: LedgerDatabase,
) -> None:
    # Given writer A paused inside its transaction, right after inserting the pending row
    engine_a, engine_b = two_engines
    a_inserted, release_a = threading.Event(), threading.Event()
    a_backend_pid: list[int] = []

    def pause_after_insert(connection: Any, cursor: Any, statement: str, *_: Any) -> None:
        if statement.startswith("INSERT INTO pending_deletion"):
            if ledger_database.backend == "postgresql":
                probe = connection.connection.dbapi_connection.cursor()
                probe.execute("SELECT pg_backend_pid()")
                a_backend_pid.append(probe.fetchone()[0])
            a_inserted.set()
            assert release_a.wait(WAIT_LIMIT_SECONDS), "the test never released writer A"

    event.listen(engine_a, "after_cursor_execute", pause_after_insert)
    future_a = pool.submit(_request, SqlDeletionLedger(engine_a))
    assert a_inserted.wait(WAIT_LIMIT_SECONDS), "writer A never reached its insert"

    # When writer B runs the same task and waits for A, and then A commits
    b_started = threading.Event()
    event.listen(engine_b, "before_cursor_execute", lambda *_: b_started.set())
    future_b = pool.submit(_request, SqlDeletionLedger(engine_b))
    # SQLite: B's first statement is BEGIN IMMEDIATE, which queues behind A's write lock.
    assert b_started.wait(WAIT_LIMIT_SECONDS), "writer B never started"
    if ledger_database.backend == "postgresql":
        # PostgreSQL: B's INSERT ... ON CONFLICT waits for A's uncommitted row; see it wait.
        _wait_until_blocked_by(engine, a_backend_pid[0])
    release_a.set()

    # Then both succeed with the same record, and there is one row and one event
    assert future_a.result(WAIT_LIMIT_SECONDS) == future_b.result(WAIT_LIMIT_SECONDS)
    counts = row_counts(engine, "exec-1")
    assert (counts["pending_deletion"], counts["deletion_event"]) == (1, 1)


def _wait_until_blocked_by(engine: Engine, blocking_pid: int) -> None:
    """Wait until some PostgreSQL backend is blocked by `blocking_pid` (writer B on A's uncommitted row)."""
    query = text("SELECT count(*) FROM pg_stat_activity WHERE :pid = ANY(pg_blocking_pids(pid))")
    deadline = time.monotonic() + WAIT_LIMIT_SECONDS
    with engine.connect() as connection:
        while connection.scalar(query, {"pid": blocking_pid}) == 0:
            assert time.monotonic() < deadline, "writer B never waited for writer A's lock"
            time.sleep(0.01)


@pytest.mark.parametrize(
    ("task", "crash_on"),
    [
        pytest.param(
            lambda ledger: ledger.record_completed(
                "exec-1", T0 + timedelta(minutes=1), recorded_at=T0 + timedelta(minutes=1)
            ),
            "DELETE FROM pending_deletion",
            id="completed-after-copy",
        ),
        pytest.param(
            lambda ledger: ledger.record_failed(
                "exec-1", FailureKind.TIMED_OUT, "3 days", T0, recorded_at=T0
            ),
            "DELETE FROM pending_deletion",
            id="failed-after-copy",
        ),
        pytest.param(
            lambda ledger: ledger.record_check("exec-1", "RUNNING", T0, recorded_at=T0),
            "UPDATE pending_deletion",
            id="check-after-audit-event",
        ),
    ],
)
def test_a_crash_mid_transaction_changes_nothing(
    ledger_database: LedgerDatabase, engine: Engine, task: LedgerTask, crash_on: str
) -> None:
    # Given a pending deletion, and a writer that crashes just before `crash_on`
    request_deletion(SqlDeletionLedger(engine), "exec-1", "customer-1", T0)
    before = SqlDeletionLedger(engine).find("exec-1")
    counts_before = row_counts(engine, "exec-1")
    crashing_engine = ledger_database.new_engine()

    @event.listens_for(crashing_engine, "before_cursor_execute")
    def crash(_connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.startswith(crash_on):
            raise SimulatedCrash(statement)

    # When the task runs and crashes half way
    with pytest.raises(SimulatedCrash):
        task(SqlDeletionLedger(crashing_engine))

    # Then nothing it had already written survives: no moved row, no audit event
    assert row_counts(engine, "exec-1") == counts_before
    assert SqlDeletionLedger(engine).find("exec-1") == before

    # And the retry that follows succeeds as if the crash had never happened
    retried = task(SqlDeletionLedger(engine))
    assert row_counts(engine, "exec-1")["deletion_event"] == counts_before["deletion_event"] + 1
    assert retried != before
