"""Ledger migrations from the command line, with the same settings as the ledger Lambdas.

    python -m functions.consent_deletion.ledger upgrade              # to head
    python -m functions.consent_deletion.ledger downgrade base
    python -m functions.consent_deletion.ledger current
    python -m functions.consent_deletion.ledger revision -m "add a column"

Connects through LEDGER_DATABASE_URL, or LEDGER_DB_HOST / LEDGER_DB_PORT / LEDGER_DB_NAME / LEDGER_DB_USER
with IAM authentication.
"""

from __future__ import annotations

import argparse

from .engine import create_ledger_engine
from .migrate import current_revision, downgrade, upgrade, write_revision
from .settings import LedgerSettings


def _main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m functions.consent_deletion.ledger")
    actions = parser.add_subparsers(dest="action", required=True)
    actions.add_parser("upgrade").add_argument("revision", nargs="?", default="head")
    actions.add_parser("downgrade").add_argument("revision", nargs="?", default="base")
    actions.add_parser("current")
    revision_parser = actions.add_parser(
        "revision", help="write a new migration compared against the database"
    )
    revision_parser.add_argument("-m", "--message", required=True)
    arguments = parser.parse_args(argv)

    engine = create_ledger_engine(LedgerSettings.from_environ())
    try:
        if arguments.action == "upgrade":
            upgrade(engine, arguments.revision)
        elif arguments.action == "downgrade":
            downgrade(engine, arguments.revision)
        elif arguments.action == "current":
            print(current_revision(engine) or "base")
        else:
            with engine.begin() as connection:
                write_revision(connection, arguments.message)
    finally:
        engine.dispose()


if __name__ == "__main__":
    _main()
