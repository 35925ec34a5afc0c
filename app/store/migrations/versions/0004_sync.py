"""sync: conflicts, outbox, base versions, held records, sync state

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 02:30:00

- ``sync_conflict``: a synced record (the server creates it, laptops resolve it).
- ``sync_outbox``: local edits waiting for the server, written in the edit's own
  transaction; ``seq`` (AUTOINCREMENT) is the local order, ``change_id`` the
  idempotency key a resend reuses.
- ``sync_base``: the server version each record was last seen at.
- ``sync_held``: pulled records that cannot be stored yet (parent not arrived).
- ``sync_state``: server, device, token, cursor. Local only, like the three above.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _synced_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Uuid(), nullable=True),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("row_version", sa.Integer(), nullable=False),
    ]


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=32)


def upgrade() -> None:
    op.create_table(
        "sync_conflict",
        sa.Column("target_type", sa.String(length=64), nullable=False),
        sa.Column("target_id", sa.Uuid(), nullable=False),
        sa.Column("field", sa.String(length=64), nullable=False),
        sa.Column("kept_value", sa.JSON(), nullable=True),
        sa.Column("kept_by", sa.Uuid(), nullable=True),
        sa.Column("kept_at", sa.DateTime(), nullable=True),
        sa.Column("other_value", sa.JSON(), nullable=True),
        sa.Column("other_by", sa.Uuid(), nullable=True),
        sa.Column("other_at", sa.DateTime(), nullable=True),
        sa.Column("resolution", _enum("conflictresolution", "kept", "other"), nullable=True),
        sa.Column("resolved_by", sa.Uuid(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("case_id", sa.Uuid(), nullable=True),
        *_synced_columns(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_conflict")),
    )
    op.create_index("ix_sync_conflict_case_id", "sync_conflict", ["case_id"])
    op.create_index("ix_sync_conflict_target", "sync_conflict", ["target_type", "target_id"])

    op.create_table(
        "sync_outbox",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("change_id", sa.Uuid(), nullable=False),
        sa.Column("record_type", sa.String(length=64), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("op", sa.String(length=8), nullable=False),
        sa.Column("base_version", sa.Integer(), nullable=True),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("base_fields", sa.JSON(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column(
            "state", _enum("outboxstate", "pending", "inflight", "quarantined"), nullable=False
        ),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_sync_outbox")),
        sa.UniqueConstraint("change_id", name=op.f("uq_sync_outbox_change_id")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_sync_outbox_case_id", "sync_outbox", ["case_id"])
    op.create_index("ix_sync_outbox_record", "sync_outbox", ["record_type", "record_id"])
    op.create_index("ix_sync_outbox_state", "sync_outbox", ["state"])

    op.create_table(
        "sync_base",
        sa.Column("record_type", sa.String(length=64), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("record_type", "record_id", name=op.f("pk_sync_base")),
    )
    op.create_table(
        "sync_held",
        sa.Column("record_type", sa.String(length=64), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("record_type", "record_id", name=op.f("pk_sync_held")),
    )
    op.create_index("ix_sync_held_case_id", "sync_held", ["case_id"])
    op.create_table(
        "sync_state",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_sync_state")),
    )


def downgrade() -> None:
    for table in ("sync_state", "sync_held", "sync_base", "sync_outbox", "sync_conflict"):
        op.drop_table(table)
