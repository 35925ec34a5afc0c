"""documents of a case file (description synced, content in chunks) and case transfers

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07

``case_document`` and ``case_transfer`` are synced, case-scoped tables (issue 20). A
document's content lives in ``document_chunk`` rows of this same encrypted database
(never a file); ``document_content`` is where this laptop stands with it. Both cascade
from the document, so removing a case removes its contents.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
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


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def upgrade() -> None:
    kinds = ("identity", "judicial", "signed_plan", "partner_letter", "certificate", "other")
    op.create_table(
        "case_document",
        sa.Column("beneficiary_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(*kinds, name="documentkind", native_enum=False, length=32),
            nullable=False,
        ),  # fmt: skip
        sa.Column("document_date", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("media_type", sa.String(length=40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("plan_id", sa.Uuid(), nullable=True),
        sa.Column("added_by_id", sa.Uuid(), nullable=True),
        *_common(),
        _fk("case_document", "beneficiary_id", "beneficiary"),
        _fk("case_document", "plan_id", "action_plan"),
        _fk("case_document", "added_by_id", "staff_member"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_document")),
    )
    op.create_index(
        op.f("ix_case_document_beneficiary_id"), "case_document", ["beneficiary_id"], unique=False
    )
    op.create_table(
        "document_chunk",
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["case_document.id"],
            name=op.f("fk_document_chunk_document_id_case_document"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("document_id", "position", name=op.f("pk_document_chunk")),
    )
    op.create_table(
        "document_content",
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("complete", sa.Boolean(), nullable=False),
        sa.Column("uploaded", sa.Boolean(), nullable=False),
        sa.Column("refused", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["case_document.id"],
            name=op.f("fk_document_content_document_id_case_document"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("document_id", name=op.f("pk_document_content")),
    )
    op.create_table(
        "case_transfer",
        sa.Column("beneficiary_id", sa.Uuid(), nullable=False),
        sa.Column("transferred_on", sa.Date(), nullable=False),
        sa.Column("transferred_by_id", sa.Uuid(), nullable=True),
        sa.Column("from_staff_id", sa.Uuid(), nullable=True),
        sa.Column("from_team_id", sa.Uuid(), nullable=True),
        sa.Column("to_staff_id", sa.Uuid(), nullable=True),
        sa.Column("to_team_id", sa.Uuid(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        *_common(),
        _fk("case_transfer", "beneficiary_id", "beneficiary"),
        _fk("case_transfer", "transferred_by_id", "staff_member"),
        _fk("case_transfer", "from_staff_id", "staff_member"),
        _fk("case_transfer", "from_team_id", "team"),
        _fk("case_transfer", "to_staff_id", "staff_member"),
        _fk("case_transfer", "to_team_id", "team"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_transfer")),
    )
    op.create_index(
        op.f("ix_case_transfer_beneficiary_id"), "case_transfer", ["beneficiary_id"], unique=False
    )
    op.create_index("ix_case_transfer_to_team_id", "case_transfer", ["to_team_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_case_transfer_to_team_id", table_name="case_transfer")
    op.drop_index(op.f("ix_case_transfer_beneficiary_id"), table_name="case_transfer")
    op.drop_table("case_transfer")
    op.drop_table("document_content")
    op.drop_table("document_chunk")
    op.drop_index(op.f("ix_case_document_beneficiary_id"), table_name="case_document")
    op.drop_table("case_document")
