"""Alembic environment for the ledger: runs on the connection and metadata that migrate.py passes in."""

from __future__ import annotations

from alembic import context

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run ledger migrations through functions.consent_deletion.ledger.migrate")

context.configure(
    connection=connection,
    target_metadata=config.attributes["target_metadata"],
    # SQLite cannot ALTER most things: autogenerate batch operations, which are plain ALTERs elsewhere.
    render_as_batch=True,
)
with context.begin_transaction():
    context.run_migrations()
