"""document contents in chunks; the cursor each device pulled from (issue 20)

A document's description is a ``record`` like any other; its content is stored here,
chunk by chunk, as laptops send it (docs/sync-protocol.md, "Documents").
``device.applied_cursor``: the highest cursor a device asked a pull from, so a laptop
not yet told that a case was transferred away may still hand in its edits.

Revision ID: 0010
Revises: 0007
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("device") as batch:
        batch.add_column(sa.Column("applied_cursor", sa.BigInteger(), nullable=True))
    op.create_table(
        "document_content",
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("complete", sa.Boolean(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("document_id", name=op.f("pk_document_content")),
    )
    op.create_table(
        "document_chunk",
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("document_id", "position", name=op.f("pk_document_chunk")),
    )


def downgrade() -> None:
    with op.batch_alter_table("device") as batch:
        batch.drop_column("applied_cursor")
    op.drop_table("document_chunk")
    op.drop_table("document_content")
