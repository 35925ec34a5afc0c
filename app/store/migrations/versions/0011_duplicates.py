"""duplicates: one CIN on two files is stored, merged files, duplicate decisions

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07

The unique index on a living CIN goes (two laptops may register one person offline:
sync stores both and a person merges them); a plain index keeps CIN look-ups fast.
``beneficiary.merged_into_id`` marks a merged-away file (a tombstone) with plain
ADD COLUMN, so no table is copied; ``duplicate_decision`` records merges and "not a
duplicate" decisions.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("DROP INDEX IF EXISTS uq_beneficiary_cin_live")
    op.create_index("ix_beneficiary_cin", "beneficiary", ["cin"], unique=False)
    op.add_column("beneficiary", sa.Column("merged_into_id", sa.Uuid(), nullable=True))
    op.create_table(
        "duplicate_decision",
        sa.Column("beneficiary_id", sa.Uuid(), nullable=False),
        sa.Column("other_id", sa.Uuid(), nullable=False),
        sa.Column("verdict", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("decided_by_id", sa.Uuid(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Uuid(), nullable=True),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["beneficiary_id"],
            ["beneficiary.id"],
            name=op.f("fk_duplicate_decision_beneficiary_id_beneficiary"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duplicate_decision")),
    )
    op.create_index(
        op.f("ix_duplicate_decision_beneficiary_id"), "duplicate_decision", ["beneficiary_id"]
    )
    op.create_index(op.f("ix_duplicate_decision_other_id"), "duplicate_decision", ["other_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_duplicate_decision_other_id"), table_name="duplicate_decision")
    op.drop_index(op.f("ix_duplicate_decision_beneficiary_id"), table_name="duplicate_decision")
    op.drop_table("duplicate_decision")
    op.execute("ALTER TABLE beneficiary DROP COLUMN merged_into_id")
    op.drop_index("ix_beneficiary_cin", table_name="beneficiary")
    op.create_index(
        "uq_beneficiary_cin_live",
        "beneficiary",
        ["cin"],
        unique=True,
        sqlite_where=sa.text("cin IS NOT NULL AND deleted_at IS NULL"),
    )
