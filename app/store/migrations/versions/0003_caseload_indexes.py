"""indexes for the caseload list and the worklist

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 02:00:00

- ``ix_beneficiary_name``: the caseload's default order (name, then id) walks this
  index and stops after one page instead of sorting 50,000 rows; it also holds what
  every caseload query filters on first (deleted, closed), so counting the open cases
  and reaching a page deep in the list never read the wide table rows.
- ``ix_action_plan_current``: "the current plan" (latest plan neither closed nor
  deleted) of a beneficiary is one seek in this index, which also holds the status and
  review date the caseload shows, filters and sorts by (no table read per row).
- ``ix_referral_referred_by_id``: the worklist's referrals waiting for news, per staff.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES: tuple[tuple[str, str, list[str]], ...] = (
    (
        "ix_beneficiary_name",
        "beneficiary",
        ["last_name", "first_name", "id", "deleted_at", "case_status"],
    ),
    (
        "ix_action_plan_current",
        "action_plan",
        ["beneficiary_id", "deleted_at", "created_at", "status", "review_date"],
    ),
    ("ix_referral_referred_by_id", "referral", ["referred_by_id", "status"]),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
