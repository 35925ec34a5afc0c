"""access log: append-only, hash-chained per device

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01

- ``access_log``: who opened, changed, printed or exported which record (ids only, never
  content), one chain per device (``seq``, ``prev_hash``, ``hash``).
- Two triggers refuse UPDATE and DELETE of its rows, whatever code runs the statement.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRIGGERS = {
    "access_log_no_update": "UPDATE",
    "access_log_no_delete": "DELETE",
}


def upgrade() -> None:
    op.create_table(
        "access_log",
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("staff_id", sa.Uuid(), nullable=True),
        sa.Column(
            "action", sa.Enum(name="accessaction", native_enum=False, length=32), nullable=False
        ),
        sa.Column("record_type", sa.String(length=64), nullable=True),
        sa.Column("record_id", sa.Uuid(), nullable=True),
        sa.Column("case_id", sa.Uuid(), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("device_id", "seq", name=op.f("pk_access_log")),
    )
    op.create_index(op.f("ix_access_log_case_id"), "access_log", ["case_id"])
    op.create_index(op.f("ix_access_log_recorded_at"), "access_log", ["recorded_at"])
    op.create_index(op.f("ix_access_log_staff_id"), "access_log", ["staff_id"])
    for name, statement in TRIGGERS.items():
        op.execute(
            f"CREATE TRIGGER {name} BEFORE {statement} ON access_log "
            "BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END"
        )


def downgrade() -> None:
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("access_log")
