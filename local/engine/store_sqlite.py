"""A durable store in one SQLite file (WAL journal, synchronous=NORMAL).

Each execution step is one transaction, so after a crash an execution continues from its last
committed step. Nothing per execution is cached in memory: 100,000 waiting executions cost disk only.
The file's layout and its upgrades are `store_sqlite_schema`'s.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from local.engine.store import (
    ActivityRecord,
    ActivityTask,
    AliasRecord,
    ChildCount,
    ExecutionCommit,
    ExecutionRecord,
    MapRunRecord,
    StateMachineRecord,
    VersionRecord,
)
from local.engine.store_sqlite_schema import open_database

CLOCK_POSITION = "clock_position"
CLOCK_FORMAT = "%Y-%m-%dT%H:%M:%S.%f+00:00"

_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, check_circular=False)


def _dumps(value: Any) -> str:
    return _ENCODER.encode(value)


class SqliteStore:
    """Durable store; safe to share between threads (one connection behind a lock).

    Opening a store written by an earlier version upgrades its layout in place; opening one written by a
    later version raises `StoreVersionError` and leaves the file as it was.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._db = open_database(self.path)

    # ------------------------------------------------------------------ state machines and tags

    def put_state_machine(self, record: StateMachineRecord) -> None:
        """Insert or replace a state machine."""
        with self._lock:
            self._db.execute(
                "INSERT INTO state_machines (arn, created, body) VALUES (?, ?, ?) ON CONFLICT (arn) "
                "DO UPDATE SET created = excluded.created, body = excluded.body",  # keeps its rowid
                (record.arn, record.creation_date, _dumps(record.to_dict())),
            )

    def get_state_machine(self, arn: str) -> StateMachineRecord | None:
        """A state machine by ARN."""
        with self._lock:
            row = self._db.execute("SELECT body FROM state_machines WHERE arn = ?", (arn,)).fetchone()
        return StateMachineRecord(**json.loads(row[0])) if row else None

    def list_state_machines(self) -> list[StateMachineRecord]:
        """All state machines, oldest first."""
        return [record for _, record in self.list_state_machine_entries()]

    def list_state_machine_entries(self) -> list[tuple[int, StateMachineRecord]]:
        """All state machines with their sequence numbers (row ids), oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT rowid, body FROM state_machines ORDER BY created, rowid"
            ).fetchall()
        return [(int(row[0]), StateMachineRecord(**json.loads(row[1]))) for row in rows]

    def delete_state_machine(self, arn: str) -> None:
        """Remove a state machine with its versions and aliases, in one transaction."""
        with self._lock:
            self._db.execute("BEGIN")
            try:
                self._db.execute("DELETE FROM state_machines WHERE arn = ?", (arn,))
                self._db.execute("DELETE FROM tags WHERE arn = ?", (arn,))
                self._db.execute("DELETE FROM state_machine_versions WHERE state_machine_arn = ?", (arn,))
                self._db.execute("DELETE FROM state_machine_aliases WHERE state_machine_arn = ?", (arn,))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    # ------------------------------------------------------------------ versions and aliases

    def put_version(self, record: VersionRecord) -> None:
        """Insert a published version."""
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO state_machine_versions (arn, state_machine_arn, number, body) "
                "VALUES (?, ?, ?, ?)",
                (record.arn, record.state_machine_arn, record.number, _dumps(record.to_dict())),
            )

    def get_version(self, arn: str) -> VersionRecord | None:
        """A version by ARN."""
        with self._lock:
            row = self._db.execute("SELECT body FROM state_machine_versions WHERE arn = ?", (arn,)).fetchone()
        return VersionRecord(**json.loads(row[0])) if row else None

    def list_versions(self, state_machine_arn: str) -> list[VersionRecord]:
        """The versions of a state machine, newest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT body FROM state_machine_versions WHERE state_machine_arn = ? ORDER BY number DESC",
                (state_machine_arn,),
            ).fetchall()
        return [VersionRecord(**json.loads(row[0])) for row in rows]

    def delete_version(self, arn: str) -> None:
        """Remove a version."""
        with self._lock:
            self._db.execute("DELETE FROM state_machine_versions WHERE arn = ?", (arn,))

    def put_alias(self, record: AliasRecord) -> None:
        """Insert or replace an alias."""
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO state_machine_aliases (arn, state_machine_arn, created, body) "
                "VALUES (?, ?, ?, ?)",
                (record.arn, record.state_machine_arn, record.creation_date, _dumps(record.to_dict())),
            )

    def get_alias(self, arn: str) -> AliasRecord | None:
        """An alias by ARN."""
        with self._lock:
            row = self._db.execute("SELECT body FROM state_machine_aliases WHERE arn = ?", (arn,)).fetchone()
        return AliasRecord(**json.loads(row[0])) if row else None

    def list_aliases(self, state_machine_arn: str) -> list[AliasRecord]:
        """The aliases of a state machine, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT body FROM state_machine_aliases WHERE state_machine_arn = ? ORDER BY created, arn",
                (state_machine_arn,),
            ).fetchall()
        return [AliasRecord(**json.loads(row[0])) for row in rows]

    def delete_alias(self, arn: str) -> None:
        """Remove an alias."""
        with self._lock:
            self._db.execute("DELETE FROM state_machine_aliases WHERE arn = ?", (arn,))

    # ------------------------------------------------------------------ activities

    def put_activity(self, record: ActivityRecord) -> None:
        """Insert an activity."""
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO activities (arn, created, body) VALUES (?, ?, ?)",
                (record.arn, record.creation_date, _dumps(record.to_dict())),
            )

    def get_activity(self, arn: str) -> ActivityRecord | None:
        """An activity by ARN."""
        with self._lock:
            row = self._db.execute("SELECT body FROM activities WHERE arn = ?", (arn,)).fetchone()
        return ActivityRecord(**json.loads(row[0])) if row else None

    def list_activity_entries(self) -> list[tuple[int, ActivityRecord]]:
        """All activities with their sequence numbers (row ids), oldest first."""
        with self._lock:
            rows = self._db.execute("SELECT rowid, body FROM activities ORDER BY created, rowid").fetchall()
        return [(int(row[0]), ActivityRecord(**json.loads(row[1]))) for row in rows]

    def delete_activity(self, arn: str) -> None:
        """Remove an activity with its tags, in one transaction."""
        with self._lock:
            self._db.execute("BEGIN")
            try:
                self._db.execute("DELETE FROM activities WHERE arn = ?", (arn,))
                self._db.execute("DELETE FROM tags WHERE arn = ?", (arn,))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def put_activity_task(self, task: ActivityTask) -> None:
        """Queue a task (a token already queued keeps its place)."""
        with self._lock:
            self._db.execute(
                "INSERT OR IGNORE INTO activity_tasks (token, activity_arn, body) VALUES (?, ?, ?)",
                (task.token, task.activity_arn, _dumps(task.to_dict())),
            )

    def activity_tasks(self, activity_arn: str) -> list[ActivityTask]:
        """The tasks queued for an activity, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT body FROM activity_tasks WHERE activity_arn = ? ORDER BY id", (activity_arn,)
            ).fetchall()
        return [ActivityTask(**json.loads(row[0])) for row in rows]

    def delete_activity_task(self, token: str) -> None:
        """Remove a queued task."""
        with self._lock:
            self._db.execute("DELETE FROM activity_tasks WHERE token = ?", (token,))

    def put_definition(self, digest: str, definition: str) -> None:
        """Keep a definition by digest."""
        with self._lock:
            self._db.execute(
                "INSERT OR IGNORE INTO definitions (digest, body) VALUES (?, ?)", (digest, definition)
            )

    def get_definition(self, digest: str) -> str | None:
        """A definition by digest."""
        with self._lock:
            row = self._db.execute("SELECT body FROM definitions WHERE digest = ?", (digest,)).fetchone()
        return row[0] if row else None

    def set_tags(self, arn: str, tags: dict[str, str]) -> None:
        """Replace the tags of a resource."""
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO tags (arn, body) VALUES (?, ?)", (arn, _dumps(tags)))

    def get_tags(self, arn: str) -> dict[str, str]:
        """Tags of a resource."""
        with self._lock:
            row = self._db.execute("SELECT body FROM tags WHERE arn = ?", (arn,)).fetchone()
        return json.loads(row[0]) if row else {}

    # ------------------------------------------------------------------ executions

    def commit(self, change: ExecutionCommit) -> None:
        """Apply one execution step in one transaction."""
        record = change.record
        with self._lock:
            self._db.execute("BEGIN")
            try:
                execution_id = self._upsert_execution(change)
                if change.events:
                    self._db.executemany(
                        "INSERT INTO events (execution_id, id, body) VALUES (?, ?, ?)",
                        [(execution_id, event["id"], _dumps(event)) for event in change.events],
                    )
                if change.tokens is not None:
                    self._db.execute("DELETE FROM tokens WHERE execution_arn = ?", (record.arn,))
                if change.tokens:
                    self._db.executemany(
                        "INSERT OR REPLACE INTO tokens (token, execution_arn) VALUES (?, ?)",
                        list(change.tokens.items()),
                    )
                if change.clock_position is not None:
                    self._write_clock_position(change.clock_position)
                for run in change.map_runs:
                    self._write_map_run(run)
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def _upsert_execution(self, change: ExecutionCommit) -> int:
        record = change.record
        values = (
            record.status,
            _dumps(record.to_dict()),
            change.frame,
            change.due,
            change.skippable_due,
            int(change.runnable),
        )
        if not change.new:
            cursor = self._db.execute(
                "UPDATE executions SET status = ?, body = ?, frame = ?, due = ?, skippable_due = ?, "
                "runnable = ? WHERE arn = ? RETURNING id",
                (*values, record.arn),
            )
            row = cursor.fetchone()
            if row is not None:
                if record.map_run_arn is not None:
                    self._db.execute(
                        "UPDATE map_run_children SET status = ? WHERE execution_id = ?",
                        (record.status, row[0]),
                    )
                return int(row[0])
        cursor = self._db.execute(
            "INSERT INTO executions "
            "(arn, state_machine_arn, start_date, status, body, frame, due, skippable_due, runnable) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (record.arn, record.state_machine_arn, record.start_date, *values),
        )
        execution_id = int(cursor.lastrowid or 0)
        if record.map_run_arn is not None:
            # A child started anew under a name the run used already replaces the one before it.
            self._db.execute(
                "UPDATE map_run_children SET current = 0 WHERE map_run_arn = ? AND name = ?",
                (record.map_run_arn, record.name),
            )
            self._db.execute(
                "INSERT INTO map_run_children (execution_id, map_run_arn, name, status, item_count) "
                "VALUES (?, ?, ?, ?, ?)",
                (execution_id, record.map_run_arn, record.name, record.status, record.item_count or 1),
            )
        return execution_id

    def get_execution(self, arn: str) -> ExecutionRecord | None:
        """An execution by ARN."""
        with self._lock:
            row = self._db.execute("SELECT body FROM executions WHERE arn = ?", (arn,)).fetchone()
        return ExecutionRecord(**json.loads(row[0])) if row else None

    def list_executions(
        self, state_machine_arn: str | None, status: str | None = None
    ) -> list[ExecutionRecord]:
        """Executions, newest first (the later started first among those started at the same moment)."""
        return [record for _, record in self._entries(state_machine_arn, status)]

    def list_execution_entries(
        self, state_machine_arn: str, status: str | None = None
    ) -> list[tuple[int, ExecutionRecord]]:
        """The executions of one state machine with their sequence numbers (row ids), newest first."""
        return self._entries(state_machine_arn, status)

    def _entries(
        self, state_machine_arn: str | None, status: str | None
    ) -> list[tuple[int, ExecutionRecord]]:
        conditions, parameters = [], []
        if state_machine_arn is not None:
            conditions.append("state_machine_arn = ?")
            parameters.append(state_machine_arn)
        if status is not None:
            conditions.append("status = ?")
            parameters.append(status)
        where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
        with self._lock:
            rows = self._db.execute(
                f"SELECT id, body FROM executions {where} ORDER BY start_date DESC, id DESC", parameters
            ).fetchall()
        return [(int(row[0]), ExecutionRecord(**json.loads(row[1]))) for row in rows]

    def load_frame(self, arn: str) -> str | None:
        """The persisted progress of an execution."""
        with self._lock:
            row = self._db.execute("SELECT frame FROM executions WHERE arn = ?", (arn,)).fetchone()
        return row[0] if row else None

    def get_execution_and_frame(self, arn: str) -> tuple[ExecutionRecord, str | None] | None:
        """An execution by ARN and its persisted progress, in one query."""
        with self._lock:
            row = self._db.execute("SELECT body, frame FROM executions WHERE arn = ?", (arn,)).fetchone()
        return (ExecutionRecord(**json.loads(row[0])), row[1]) if row else None

    def put_map_run(self, record: MapRunRecord) -> None:
        """Insert or replace a Map Run (a replaced one keeps its row id)."""
        with self._lock:
            self._write_map_run(record)

    def _write_map_run(self, record: MapRunRecord) -> None:
        self._db.execute(
            "INSERT INTO map_runs (arn, execution_arn, body) VALUES (?, ?, ?) "
            "ON CONFLICT (arn) DO UPDATE SET body = excluded.body",
            (record.arn, record.execution_arn, _dumps(record.to_dict())),
        )

    def list_map_run_children(
        self, map_run_arn: str, status: str | None = None
    ) -> list[tuple[int, ExecutionRecord]]:
        """A Map Run's child executions with their sequence numbers (row ids), newest first."""
        condition, parameters = (
            ("AND children.status = ?", (map_run_arn, status)) if status else ("", (map_run_arn,))
        )
        with self._lock:
            rows = self._db.execute(
                "SELECT executions.id, executions.body FROM map_run_children AS children "
                "JOIN executions ON executions.id = children.execution_id "
                f"WHERE children.map_run_arn = ? {condition} "
                "ORDER BY executions.start_date DESC, executions.id DESC",
                parameters,
            ).fetchall()
        return [(int(row[0]), ExecutionRecord(**json.loads(row[1]))) for row in rows]

    def count_map_run_children(self, map_run_arn: str) -> dict[str, ChildCount]:
        """A Map Run's current children counted by status (as the layout's triggers keep them)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT status, executions, items FROM map_run_counts "
                "WHERE map_run_arn = ? AND executions > 0",
                (map_run_arn,),
            ).fetchall()
        return {row[0]: ChildCount(executions=int(row[1]), items=int(row[2])) for row in rows}

    def get_map_run(self, arn: str) -> MapRunRecord | None:
        """A Map Run by ARN."""
        with self._lock:
            row = self._db.execute("SELECT body FROM map_runs WHERE arn = ?", (arn,)).fetchone()
        return MapRunRecord(**json.loads(row[0])) if row else None

    def list_map_run_entries(self, execution_arn: str | None) -> list[tuple[int, MapRunRecord]]:
        """The Map Runs of one execution (or all) with their sequence numbers (row ids), oldest first."""
        where, parameters = ("WHERE execution_arn = ?", (execution_arn,)) if execution_arn else ("", ())
        with self._lock:
            rows = self._db.execute(
                f"SELECT id, body FROM map_runs {where} ORDER BY id", parameters
            ).fetchall()
        return [(int(row[0]), MapRunRecord(**json.loads(row[1]))) for row in rows]

    def get_events(self, arn: str) -> list[dict[str, Any]]:
        """The history of an execution."""
        with self._lock:
            rows = self._db.execute(
                "SELECT events.body FROM events JOIN executions ON executions.id = events.execution_id "
                "WHERE executions.arn = ? ORDER BY events.id",
                (arn,),
            ).fetchall()
        return [json.loads(row[0]) for row in rows]

    def due_executions(self, now: float) -> list[str]:
        """Executions whose timer is due."""
        with self._lock:
            rows = self._db.execute(
                "SELECT arn FROM executions WHERE due IS NOT NULL AND due <= ? ORDER BY due", (now,)
            ).fetchall()
        return [row[0] for row in rows]

    def next_due(self, *, skippable: bool) -> float | None:
        """Earliest pending timer."""
        column = "skippable_due" if skippable else "due"
        with self._lock:
            row = self._db.execute(
                f"SELECT MIN({column}) FROM executions WHERE {column} IS NOT NULL"
            ).fetchone()
        return row[0] if row else None

    def runnable_executions(self) -> list[str]:
        """Executions with work pending that needs no timer."""
        with self._lock:
            rows = self._db.execute("SELECT arn FROM executions WHERE runnable = 1 ORDER BY id").fetchall()
        return [row[0] for row in rows]

    def token_owner(self, token: str) -> str | None:
        """Execution owning a task token."""
        with self._lock:
            row = self._db.execute("SELECT execution_arn FROM tokens WHERE token = ?", (token,)).fetchone()
        return row[0] if row else None

    def save_clock_position(self, moment: datetime) -> None:
        """Keep where a virtual or skip clock stands (never moving it back)."""
        with self._lock:
            self._write_clock_position(moment)

    def _write_clock_position(self, moment: datetime) -> None:
        # Fixed-width UTC text to the microsecond: text order is time order, so SQL keeps the later one.
        text = moment.astimezone(UTC).strftime(CLOCK_FORMAT)
        self._db.execute(
            "INSERT INTO settings (name, value) VALUES (?, ?) "
            "ON CONFLICT (name) DO UPDATE SET value = excluded.value WHERE excluded.value > settings.value",
            (CLOCK_POSITION, text),
        )

    def load_clock_position(self) -> datetime | None:
        """The clock position saved last, if any."""
        with self._lock:
            row = self._db.execute("SELECT value FROM settings WHERE name = ?", (CLOCK_POSITION,)).fetchone()
        return datetime.fromisoformat(row[0]) if row else None

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()
