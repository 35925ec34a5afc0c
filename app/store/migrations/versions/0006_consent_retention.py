"""consent and retention: the mark of an anonymised case

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01

Consent needs no schema change (``consent_record`` already holds purpose, partner and
withdrawal). Retention marks a case whose identity it erased with ``anonymised_on``
(nullable: a record synced from an older laptop simply has none).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN: the beneficiary table keeps its search triggers.
    op.add_column("beneficiary", sa.Column("anonymised_on", sa.Date(), nullable=True))


def downgrade() -> None:
    # Native DROP COLUMN (SQLite 3.35+), not a batch copy that would drop the triggers.
    op.execute("ALTER TABLE beneficiary DROP COLUMN anonymised_on")
