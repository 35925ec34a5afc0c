"""the epoch a device has seen: the last cursor the server handed it (issue 12)

A device whose cursor is beyond what this database ever handed it is talking to a
database restored from an older copy: the pull says so and the laptop sends
everything again (docs/sync-protocol.md, "Server identity and epoch").

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("device") as batch:
        batch.add_column(sa.Column("served_cursor", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("device") as batch:
        batch.drop_column("served_cursor")
