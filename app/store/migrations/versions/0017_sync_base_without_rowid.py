"""sync_base keyed by its natural key alone (WITHOUT ROWID)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07

Every pulled record reads and writes its ``sync_base`` version by (record type, record
id). As a rowid table that was two random-keyed B-trees (the primary key's index, then
the row by rowid); at 50,000 beneficiaries (over a million versions) both outgrew the page
cache and each pulled change read and decrypted leaf pages of each (issue 23, item 3).
Without a rowid the key's tree holds the version: one tree, one search. Every query on
the table names its record type, or type and id (the key's prefix), so plans are the
same searches. The rows are copied in key order (one pass, nothing lost).
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLE = (
    "CREATE TABLE {name} (\n"
    "\trecord_type VARCHAR(64) NOT NULL, \n"
    "\trecord_id CHAR(32) NOT NULL, \n"
    "\tversion INTEGER NOT NULL, \n"
    "\tCONSTRAINT pk_sync_base PRIMARY KEY (record_type, record_id)\n"
    "){options}"
)


def _rebuild(options: str) -> None:
    op.execute(_TABLE.format(name="sync_base_rebuilt", options=options))
    op.execute(
        "INSERT INTO sync_base_rebuilt (record_type, record_id, version)"
        " SELECT record_type, record_id, version FROM sync_base ORDER BY record_type, record_id"
    )
    op.execute("DROP TABLE sync_base")
    op.execute("ALTER TABLE sync_base_rebuilt RENAME TO sync_base")


def upgrade() -> None:
    _rebuild(" WITHOUT ROWID")


def downgrade() -> None:
    _rebuild("")
