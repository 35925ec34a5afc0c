"""record: the case index also holds the record type (issue 23, scaling)

``ix_record_case_id (case_id)`` becomes ``ix_record_case_type (case_id, record_type)``.
A push batch reads the consents of many cases at once (``case_id IN (...) AND
record_type = 'consent_record'``); SQLite's planner, without statistics, preferred the
primary key's ``record_type`` prefix for that and read every record of the type: a cost
per batch that grew with the store (0.6 s a batch at 1.1 million records). Queries by
``case_id`` alone use the new index's prefix.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-08
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_record_case_type", "record", ["case_id", "record_type"])
    op.drop_index("ix_record_case_id", table_name="record")


def downgrade() -> None:
    op.create_index("ix_record_case_id", "record", ["case_id"])
    op.drop_index("ix_record_case_type", table_name="record")
