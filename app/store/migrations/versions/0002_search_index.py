"""full-text search index of beneficiaries

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 00:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from app.store import search_index

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for statement in search_index.CREATE_STATEMENTS:
        op.execute(statement)
    search_index.rebuild(op.get_bind())


def downgrade() -> None:
    for statement in search_index.DROP_STATEMENTS:
        op.execute(statement)
