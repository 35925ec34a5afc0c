"""Alembic environment of the server database.

Run from :meth:`server.core.db.Database.migrate` with an open connection in
``config.attributes["connection"]``: the whole upgrade is one transaction.
"""

from __future__ import annotations

from alembic import context

from server.core.tables import ServerBase

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("server migrations need a connection (see server.core.db)")

context.configure(
    connection=connection,
    target_metadata=ServerBase.metadata,
    render_as_batch=True,
    transaction_per_migration=False,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
