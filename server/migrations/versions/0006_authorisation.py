"""device end states and a login throttle with back-off (issue 15)

``device.wipe_ordered_at``: when an erase was ordered (only what was recorded before it
may still be handed in, once, within the administrator's limit); ``final_push_at``:
when that last push was taken. ``login_throttle.strikes`` and ``blocked_until``: the
per-address exponential back-off. ``team_key``: the stable key ``user add --team``
names a team by; existing teams get their current name as key.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("device") as batch:
        batch.add_column(sa.Column("wipe_ordered_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("final_push_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("login_throttle") as batch:
        batch.add_column(
            sa.Column("strikes", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )
        batch.add_column(sa.Column("blocked_until", sa.DateTime(), nullable=True))
    op.create_table(
        "team_key",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("team_id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_team_key")),
    )
    op.create_index(op.f("ix_team_key_team_id"), "team_key", ["team_id"], unique=False)
    _key_existing_teams()
    # Devices already told to erase: their order dates from now.
    op.execute(
        sa.text(
            "UPDATE device SET wipe_ordered_at = CURRENT_TIMESTAMP "
            "WHERE status IN ('wipe', 'stolen')"
        )
    )


def _key_existing_teams() -> None:
    record = sa.table(
        "record",
        sa.column("record_type", sa.String()),
        sa.column("record_id", sa.Uuid()),
        sa.column("data", sa.JSON()),
        sa.column("deleted", sa.Boolean()),
    )
    keys = sa.table("team_key", sa.column("key", sa.String()), sa.column("team_id", sa.Uuid()))
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(record.c.record_id, record.c.data).where(
            record.c.record_type == "team", record.c.deleted.is_(False)
        )
    )
    seen: dict[str, uuid.UUID] = {}
    for team_id, data in rows:
        name = str((data or {}).get("name") or "").strip().casefold()
        if name and name not in seen:
            seen[name] = team_id
    if seen:
        connection.execute(
            sa.insert(keys), [{"key": key, "team_id": team} for key, team in seen.items()]
        )


def downgrade() -> None:
    op.drop_index(op.f("ix_team_key_team_id"), table_name="team_key")
    op.drop_table("team_key")
    with op.batch_alter_table("login_throttle") as batch:
        batch.drop_column("blocked_until")
        batch.drop_column("strikes")
    with op.batch_alter_table("device") as batch:
        batch.drop_column("final_push_at")
        batch.drop_column("wipe_ordered_at")
