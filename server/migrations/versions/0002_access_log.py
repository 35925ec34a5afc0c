"""access log: the server's copy of every laptop's hash-chained access log

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01

Rows are append-only: triggers refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL),
so neither a bug nor a careless script can rewrite what the laptops sent. Someone with
the database owner's rights can drop them; ``passerelle-server audit verify`` then still
shows any row changed afterwards.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MESSAGE = "access_log is append-only"
SQLITE_TRIGGERS = {"access_log_no_update": "UPDATE", "access_log_no_delete": "DELETE"}


def upgrade() -> None:
    op.create_table(
        "access_log",
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("staff_id", sa.Uuid(), nullable=True),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("record_type", sa.String(length=64), nullable=True),
        sa.Column("record_id", sa.Uuid(), nullable=True),
        sa.Column("case_id", sa.Uuid(), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by", sa.Uuid(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("device_id", "seq", name=op.f("pk_access_log")),
    )
    op.create_index(op.f("ix_access_log_recorded_at"), "access_log", ["recorded_at"])
    op.create_index(op.f("ix_access_log_staff_id"), "access_log", ["staff_id"])
    op.create_index(op.f("ix_access_log_case_id"), "access_log", ["case_id"])
    op.create_index(op.f("ix_access_log_uploaded_by"), "access_log", ["uploaded_by"])
    if op.get_context().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION access_log_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN RAISE EXCEPTION '{MESSAGE}'; END $$"
        )
        op.execute(
            "CREATE TRIGGER access_log_no_change BEFORE UPDATE OR DELETE ON access_log "
            "FOR EACH ROW EXECUTE FUNCTION access_log_append_only()"
        )
        op.execute(
            "CREATE TRIGGER access_log_no_truncate BEFORE TRUNCATE ON access_log "
            "FOR EACH STATEMENT EXECUTE FUNCTION access_log_append_only()"
        )
    else:
        for name, statement in SQLITE_TRIGGERS.items():
            op.execute(
                f"CREATE TRIGGER {name} BEFORE {statement} ON access_log "
                f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
            )


def downgrade() -> None:
    op.drop_table("access_log")  # its triggers go with it
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS access_log_append_only()")
