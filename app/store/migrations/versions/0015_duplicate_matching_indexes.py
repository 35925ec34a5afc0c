"""indexes for the duplicate check at registration

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-07

The check before saving a new beneficiary (``app.duplicates.find_matches``) reads the
files born the same day (or with day and month swapped) and those holding the same
registration number: without these indexes each is a scan of the whole table, 50 ms
at 50,000 files; with them, a few seeks.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    ("ix_beneficiary_birth_date", ["birth_date"]),
    ("ix_beneficiary_registration_number", ["registration_number"]),
)


def upgrade() -> None:
    for name, columns in INDEXES:
        op.create_index(name, "beneficiary", columns)


def downgrade() -> None:
    for name, _columns in INDEXES:
        op.drop_index(name, table_name="beneficiary")
