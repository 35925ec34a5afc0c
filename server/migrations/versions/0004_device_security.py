"""device security: token rotation, the recovery public key, escrowed device keys

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("device") as batch:
        batch.add_column(sa.Column("previous_token_hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("token_rotated_at", sa.DateTime(), nullable=True))
        batch.create_unique_constraint(
            op.f("uq_device_previous_token_hash"), ["previous_token_hash"]
        )
    op.create_table(
        "recovery_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_key")),
    )
    op.create_table(
        "device_escrow",
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("sealed", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("unsealed_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("device_id", name=op.f("pk_device_escrow")),
    )


def downgrade() -> None:
    op.drop_table("device_escrow")
    op.drop_table("recovery_key")
    with op.batch_alter_table("device") as batch:
        batch.drop_constraint(op.f("uq_device_previous_token_hash"), type_="unique")
        batch.drop_column("token_rotated_at")
        batch.drop_column("previous_token_hash")
