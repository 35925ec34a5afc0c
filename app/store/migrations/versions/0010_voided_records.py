"""voided records: sessions, assessments and referrals entered by mistake

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06

Nullable columns (a record synced from an older laptop is simply not voided), added
with plain ADD COLUMN so that no table is copied.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("follow_up_session", "needs_assessment", "referral")


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column("voided_at", sa.DateTime(), nullable=True))
        op.add_column(table, sa.Column("void_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} DROP COLUMN void_reason")
        op.execute(f"ALTER TABLE {table} DROP COLUMN voided_at")
