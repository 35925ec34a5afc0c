"""place team-less cases in their creator's team (issue 12)

A case registered on a laptop between enrolment and its first sync reached the server
with no team: only its creator could see it. Each such case now joins the team of the
account that created it (the author of its first change; else its assigned staff
member's team), and every record of the case gets a new sequence number so the team
pulls it whole.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

record = sa.table(
    "record",
    sa.column("record_type", sa.String),
    sa.column("record_id", sa.Uuid),
    sa.column("data", sa.JSON),
    sa.column("case_id", sa.Uuid),
    sa.column("team_id", sa.Uuid),
    sa.column("seq", sa.BigInteger),
)
change_log = sa.table(
    "change_log",
    sa.column("id", sa.BigInteger),
    sa.column("record_type", sa.String),
    sa.column("record_id", sa.Uuid),
    sa.column("user_id", sa.Uuid),
)
server_user = sa.table("server_user", sa.column("id", sa.Uuid), sa.column("team_id", sa.Uuid))
counter = sa.table("counter", sa.column("id", sa.Integer), sa.column("last_seq", sa.BigInteger))


def upgrade() -> None:
    bind = op.get_bind()
    teams = dict(bind.execute(sa.select(server_user.c.id, server_user.c.team_id)).all())
    cases = bind.execute(
        sa.select(record.c.record_id, record.c.data).where(
            record.c.record_type == "beneficiary", record.c.team_id.is_(None)
        )
    ).all()
    last = bind.execute(
        sa.select(counter.c.last_seq).where(counter.c.id == 1).with_for_update()
    ).scalar()
    if not cases or last is None:
        return
    for case_id, data in cases:
        creator = bind.execute(
            sa.select(change_log.c.user_id)
            .where(change_log.c.record_type == "beneficiary", change_log.c.record_id == case_id)
            .order_by(change_log.c.id)
            .limit(1)
        ).scalar()
        team = teams.get(creator)
        if team is None and data.get("assigned_staff_id"):
            team = teams.get(uuid.UUID(data["assigned_staff_id"]))
        if team is None:
            continue
        bind.execute(
            record.update()
            .where(record.c.record_type == "beneficiary", record.c.record_id == case_id)
            .values(data={**data, "team_id": str(team)})
        )
        members = bind.execute(
            sa.select(record.c.record_type, record.c.record_id)
            .where(record.c.case_id == case_id)
            .order_by(record.c.seq)
        ).all()
        for record_type, record_id in members:
            last += 1
            bind.execute(
                record.update()
                .where(record.c.record_type == record_type, record.c.record_id == record_id)
                .values(team_id=team, seq=last)
            )
    bind.execute(counter.update().where(counter.c.id == 1).values(last_seq=last))


def downgrade() -> None:
    pass  # placing a case is not undone: it would hide it from its team again
