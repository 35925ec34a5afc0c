"""search variants: names indexed without article and glued particles, infix index

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06

The words of the index change (issue 18: ``علوي`` finds ``العلوي``, ``lahc`` finds
``Belahcen``): the indexes are dropped, created anew and refilled from the table.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from app.store import search_index

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    search_index.recreate(op.get_bind())


def downgrade() -> None:
    # The previous index is a subset: the current one answers the older code's queries.
    pass
