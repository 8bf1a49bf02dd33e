"""The layout of a SqliteStore's file: its tables, one upgrade step per layout version, and opening a file.

The file records the version of its layout (`PRAGMA user_version`), so a store outlives engine upgrades:
opening a file written by an earlier version upgrades it in place; one written by a later version is
refused and left as it was.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

# Counts a Map Run's child (the row NEW of map_run_children) under its status, when it is the current one.
_COUNT_NEW_CHILD = (
    "INSERT INTO map_run_counts (map_run_arn, status, executions, items) "
    "SELECT NEW.map_run_arn, NEW.status, 1, NEW.item_count WHERE NEW.current = 1 "
    "ON CONFLICT (map_run_arn, status) "
    "DO UPDATE SET executions = executions + 1, items = items + excluded.items;"
)

# The layout, one step per version: step N takes a store from version N - 1 to N (`PRAGMA user_version`).
# Change the layout by appending a step (never by editing one a store may have run already). Step 1 is the
# layout of stores written before the version was recorded; it only creates what is missing, so it also
# upgrades those stores in place.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        "CREATE TABLE IF NOT EXISTS state_machines "
        "(arn TEXT PRIMARY KEY, created REAL NOT NULL, body TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS tags (arn TEXT PRIMARY KEY, body TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS definitions (digest TEXT PRIMARY KEY, body TEXT NOT NULL)",
        """CREATE TABLE IF NOT EXISTS executions (
            id INTEGER PRIMARY KEY,
            arn TEXT NOT NULL UNIQUE,
            state_machine_arn TEXT NOT NULL,
            status TEXT NOT NULL,
            start_date REAL NOT NULL,
            body TEXT NOT NULL,
            frame TEXT,
            due REAL,
            skippable_due REAL,
            runnable INTEGER NOT NULL DEFAULT 0
        )""",
        "CREATE INDEX IF NOT EXISTS executions_by_machine ON executions (state_machine_arn, start_date)",
        "CREATE INDEX IF NOT EXISTS executions_by_due ON executions (due) WHERE due IS NOT NULL",
        "CREATE INDEX IF NOT EXISTS executions_by_skippable_due ON executions (skippable_due) "
        "WHERE skippable_due IS NOT NULL",
        "CREATE INDEX IF NOT EXISTS executions_runnable ON executions (runnable) WHERE runnable = 1",
        """CREATE TABLE IF NOT EXISTS events (
            execution_id INTEGER NOT NULL,
            id INTEGER NOT NULL,
            body TEXT NOT NULL,
            PRIMARY KEY (execution_id, id)
        ) WITHOUT ROWID""",
        "CREATE TABLE IF NOT EXISTS tokens (token TEXT PRIMARY KEY, execution_arn TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS tokens_by_execution ON tokens (execution_arn)",
        "CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
    ),
    (
        """CREATE TABLE state_machine_versions (
            arn TEXT PRIMARY KEY,
            state_machine_arn TEXT NOT NULL,
            number INTEGER NOT NULL,
            body TEXT NOT NULL
        )""",
        "CREATE INDEX versions_by_machine ON state_machine_versions (state_machine_arn, number)",
        """CREATE TABLE state_machine_aliases (
            arn TEXT PRIMARY KEY,
            state_machine_arn TEXT NOT NULL,
            created REAL NOT NULL,
            body TEXT NOT NULL
        )""",
        "CREATE INDEX aliases_by_machine ON state_machine_aliases (state_machine_arn, created)",
    ),
    (
        "CREATE TABLE activities (arn TEXT PRIMARY KEY, created REAL NOT NULL, body TEXT NOT NULL)",
        """CREATE TABLE activity_tasks (
            id INTEGER PRIMARY KEY,
            token TEXT NOT NULL UNIQUE,
            activity_arn TEXT NOT NULL,
            body TEXT NOT NULL
        )""",
        "CREATE INDEX activity_tasks_by_activity ON activity_tasks (activity_arn, id)",
    ),
    (
        """CREATE TABLE map_runs (
            id INTEGER PRIMARY KEY,
            arn TEXT NOT NULL UNIQUE,
            execution_arn TEXT NOT NULL,
            body TEXT NOT NULL
        )""",
        "CREATE INDEX map_runs_by_execution ON map_runs (execution_arn, id)",
    ),
    (
        # The children of each Map Run, so that a run's children and their counts are found without reading
        # the other executions of its state machine. `current` is 0 for an Express child a redrive of the run
        # replaced with a new one of the same name (DescribeMapRun counts only the current one).
        """CREATE TABLE map_run_children (
            execution_id INTEGER PRIMARY KEY,
            map_run_arn TEXT NOT NULL,
            name TEXT NOT NULL,
            status TEXT NOT NULL,
            item_count INTEGER NOT NULL,
            current INTEGER NOT NULL DEFAULT 1
        )""",
        "CREATE INDEX map_run_children_by_status "
        "ON map_run_children (map_run_arn, status, current, item_count)",
        "CREATE INDEX map_run_children_by_name ON map_run_children (map_run_arn, name)",
        "INSERT INTO map_run_children (execution_id, map_run_arn, name, status, item_count) "
        "SELECT id, json_extract(body, '$.map_run_arn'), json_extract(body, '$.name'), status, "
        "COALESCE(json_extract(body, '$.item_count'), 1) "
        "FROM executions WHERE json_extract(body, '$.map_run_arn') IS NOT NULL",
        "UPDATE map_run_children SET current = 0 WHERE execution_id < (SELECT MAX(later.execution_id) "
        "FROM map_run_children AS later WHERE later.map_run_arn = map_run_children.map_run_arn "
        "AND later.name = map_run_children.name)",
    ),
    (
        # Each Map Run's current children counted by status, kept by triggers as children start and change,
        # so that DescribeMapRun reads a few rows however many children the run has.
        """CREATE TABLE map_run_counts (
            map_run_arn TEXT NOT NULL,
            status TEXT NOT NULL,
            executions INTEGER NOT NULL,
            items INTEGER NOT NULL,
            PRIMARY KEY (map_run_arn, status)
        ) WITHOUT ROWID""",
        "INSERT INTO map_run_counts (map_run_arn, status, executions, items) "
        "SELECT map_run_arn, status, COUNT(*), SUM(item_count) FROM map_run_children WHERE current = 1 "
        "GROUP BY map_run_arn, status",
        f"""CREATE TRIGGER map_run_child_started AFTER INSERT ON map_run_children WHEN NEW.current = 1
        BEGIN {_COUNT_NEW_CHILD} END""",
        f"""CREATE TRIGGER map_run_child_changed AFTER UPDATE OF status, current ON map_run_children
        WHEN OLD.status IS NOT NEW.status OR OLD.current IS NOT NEW.current
        BEGIN
            UPDATE map_run_counts SET executions = executions - 1, items = items - OLD.item_count
            WHERE OLD.current = 1 AND map_run_arn = OLD.map_run_arn AND status = OLD.status;
            {_COUNT_NEW_CHILD}
        END""",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)


class StoreVersionError(sqlite3.DatabaseError):
    """The file holds a store in a layout this version of the engine does not know (a newer one)."""


def open_database(path: Path) -> sqlite3.Connection:
    """A connection to the store in `path`, its layout brought to `SCHEMA_VERSION` (WAL journal,
    synchronous=NORMAL); `StoreVersionError` when the file is of a newer layout."""
    db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
    try:
        _refuse_newer(path, _schema_version(db))  # before anything below writes to the file
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA foreign_keys=OFF")
        _upgrade(path, db)
    except BaseException:
        db.close()
        raise
    return db


def _schema_version(db: sqlite3.Connection) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def _upgrade(path: Path, db: sqlite3.Connection) -> None:
    """Bring the layout to `SCHEMA_VERSION` in one transaction (a new file starts from version 0)."""
    if _schema_version(db) == SCHEMA_VERSION:
        return  # the usual case takes no write lock, so opening never waits for a busy engine
    db.execute("BEGIN IMMEDIATE")
    try:
        version = _schema_version(db)  # another process may have upgraded it meanwhile
        _refuse_newer(path, version)
        for step in MIGRATIONS[version:]:
            for statement in step:
                db.execute(statement)
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


def _refuse_newer(path: Path, version: int) -> None:
    if version > SCHEMA_VERSION:
        raise StoreVersionError(
            f"{path} holds a store of layout version {version}, written by a newer version of the "
            f"engine (this one reads up to version {SCHEMA_VERSION}): open it with that newer version, "
            "or move the file away to start with an empty store"
        )
