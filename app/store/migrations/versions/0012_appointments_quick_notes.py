"""appointments and quick notes

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-07

Two new synced, case-scoped tables (issue 20): appointments (planned, done, missed,
cancelled; the session that closed one is a plain id, it may be psychologist-only and
absent from this laptop) and quick notes (append-only short contacts).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _common() -> list[sa.Column[object]]:
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
        "appointment",
        sa.Column("beneficiary_id", sa.Uuid(), nullable=False),
        sa.Column("staff_id", sa.Uuid(), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=True),
        sa.Column("place", _enum("appointmentplace", "facility", "office"), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=True),
        sa.Column("action_id", sa.Uuid(), nullable=True),
        sa.Column(
            "status",
            _enum("appointmentstatus", "planned", "done", "missed", "cancelled"),
            nullable=False,
        ),
        sa.Column("session_id", sa.Uuid(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        *_common(),
        sa.ForeignKeyConstraint(
            ["action_id"], ["action.id"], name=op.f("fk_appointment_action_id_action")
        ),
        sa.ForeignKeyConstraint(
            ["beneficiary_id"],
            ["beneficiary.id"],
            name=op.f("fk_appointment_beneficiary_id_beneficiary"),
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff_member.id"], name=op.f("fk_appointment_staff_id_staff_member")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointment")),
    )
    op.create_index(
        op.f("ix_appointment_beneficiary_id"), "appointment", ["beneficiary_id"], unique=False
    )
    op.create_index(op.f("ix_appointment_starts_at"), "appointment", ["starts_at"], unique=False)
    op.create_index(
        "ix_appointment_staff_starts", "appointment", ["staff_id", "starts_at"], unique=False
    )
    op.create_table(
        "quick_note",
        sa.Column("beneficiary_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            _enum("quicknotekind", "phone", "corridor", "family_message", "partner_message"),
            nullable=False,
        ),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("noted_on", sa.Date(), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=True),
        *_common(),
        sa.ForeignKeyConstraint(
            ["author_id"], ["staff_member.id"], name=op.f("fk_quick_note_author_id_staff_member")
        ),
        sa.ForeignKeyConstraint(
            ["beneficiary_id"],
            ["beneficiary.id"],
            name=op.f("fk_quick_note_beneficiary_id_beneficiary"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quick_note")),
    )
    op.create_index(
        op.f("ix_quick_note_beneficiary_id"), "quick_note", ["beneficiary_id"], unique=False
    )
    op.create_index(op.f("ix_quick_note_noted_on"), "quick_note", ["noted_on"], unique=False)


def downgrade() -> None:
    op.drop_table("quick_note")
    op.drop_table("appointment")
