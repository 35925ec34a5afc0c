"""Seeded identities and timestamps, and the buffer that bulk-inserts generated rows.

Determinism rests on two rules kept here: every random draw comes from the one
``random.Random`` of a generation run, and every row carries *all* its columns, so no
column default (``uuid.uuid4``, ``utcnow``) ever runs during a bulk insert.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, insert

from app.models import SYNCED_MODELS

Row = dict[str, Any]
WORK_START_MINUTE = 8 * 60
WORK_END_MINUTE = 17 * 60
"""Records are stamped within office hours (UTC), at most the evening of ``today``."""


class Clock:
    """Random identifiers and office-hours timestamps drawn from one seeded generator."""

    def __init__(self, rng: random.Random, today: date) -> None:
        self.rng = rng
        self.today = today

    def new_id(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def at(self, day: date) -> datetime:
        """A moment of ``day`` during office hours, as an aware UTC datetime."""
        minute = self.rng.randrange(WORK_START_MINUTE, WORK_END_MINUTE)
        return datetime(day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=UTC)

    def past(self, day: date) -> date:
        """``day``, or ``today`` when ``day`` lies in the future (an event already happened)."""
        return day if day <= self.today else self.today

    def between(self, start: date, end: date) -> date:
        """A day in [start, end]; ``start`` when the range is empty."""
        span = (end - start).days
        return start if span <= 0 else start + timedelta(days=self.rng.randint(0, span))


def synced(
    row_id: uuid.UUID,
    created_at: datetime,
    updated_at: datetime | None = None,
    updated_by_id: uuid.UUID | None = None,
    row_version: int = 1,
) -> Row:
    """The columns every synced record has (see ``SyncedMixin``)."""
    return {
        "id": row_id,
        "created_at": created_at,
        "updated_at": updated_at or created_at,
        "updated_by_id": updated_by_id,
        "deleted_at": None,
        "row_version": row_version,
    }


NOT_VOIDED: Row = {"voided_at": None, "void_reason": None}
"""Sessions, assessments and referrals of the demo were not entered by mistake."""


class RowBuffer:
    """Rows per table, written parents-first with one executemany per table.

    Foreign keys are enforced on every statement, so the flush follows
    ``SYNCED_MODELS`` (parents before children); a caller keeps each batch closed
    under references (a child's parent is in the same batch or an earlier one).
    """

    def __init__(self) -> None:
        self.rows: dict[str, list[Row]] = {
            model.__table__.name: []  # type: ignore[attr-defined]
            for model in SYNCED_MODELS
        }
        self._checked: set[str] = set()

    def __len__(self) -> int:
        return sum(len(rows) for rows in self.rows.values())

    def flush(self, connection: Connection, count: Callable[[str, int], None]) -> None:
        for model in SYNCED_MODELS:
            table = model.__table__  # type: ignore[attr-defined]
            rows = self.rows[table.name]
            if not rows:
                continue
            self._check_columns(table.name, set(table.columns.keys()), rows[0])
            connection.execute(insert(table), rows)
            count(table.name, len(rows))
            rows.clear()

    def _check_columns(self, table: str, columns: set[str], row: Row) -> None:
        """Every column must be given: a missing one would take a random or clock default."""
        if table in self._checked:
            return
        if set(row) != columns:
            missing, extra = sorted(columns - set(row)), sorted(set(row) - columns)
            raise ValueError(f"demo rows for {table}: missing {missing}, unknown {extra}")
        self._checked.add(table)
