"""place team-less cases in their creator's team (issue 12)

A case registered between enrolment and the first sync had no team: the laptop did
not know the owner's team yet. It now joins the team of its assigned staff member (its
creator unless reassigned), else the profile owner's team. The server repairs its copy
in its own migration, so no change needs to be queued: both sides agree.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        """
        UPDATE beneficiary SET team_id = (
            SELECT staff_member.team_id FROM staff_member
            WHERE staff_member.id = beneficiary.assigned_staff_id
        )
        WHERE team_id IS NULL AND assigned_staff_id IS NOT NULL
        """
    )
    op.execute(
        """
        UPDATE beneficiary SET team_id = (
            SELECT staff_member.team_id FROM staff_member
            WHERE staff_member.id = (
                SELECT replace(value, '-', '') FROM profile_setting
                WHERE key = 'owner_staff_id'
            )
        )
        WHERE team_id IS NULL
        """
    )


def downgrade() -> None:
    pass  # placing a case is not undone: it would hide it from its team again
