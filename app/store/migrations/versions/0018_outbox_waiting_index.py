"""the outbox's waiting changes indexed by seq (a partial index)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-08

The push reads the next batch of waiting changes (pending or inflight) after a cursor,
in ``seq`` order. Through the state index SQLite read and sorted every waiting row after
the cursor; in ``seq`` order through the table it stepped over every quarantined or
answered row first (14 ms a batch with 50,000 of them, issue 23 item 3). This index holds
only the waiting rows, in ``seq`` order: a batch is one range of it, whatever else the
outbox holds.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_sync_outbox_waiting",
        "sync_outbox",
        ["seq"],
        sqlite_where=sa.text("state IN ('pending', 'inflight')"),
    )


def downgrade() -> None:
    op.drop_index("ix_sync_outbox_waiting", table_name="sync_outbox")
