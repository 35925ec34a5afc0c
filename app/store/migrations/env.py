"""Alembic environment for a laptop profile.

Always run from :mod:`app.store.migrate` with an open connection in
``config.attributes["connection"]``, so the whole upgrade runs in the caller's single
transaction: a failed migration leaves the profile exactly as it was.
"""

from __future__ import annotations

from alembic import context

from app.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("profile migrations need a connection (see app.store.migrate)")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    transaction_per_migration=False,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
