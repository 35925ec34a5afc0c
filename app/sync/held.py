"""Records still held after a pull, and why, for the sync's summary.

No record is held for a uniqueness rule any more (two files with one CIN are both
stored and flagged as a likely duplicate); what can still be held is a record whose
parent has not arrived, or one this version cannot store (a newer server's type or
field). The summary names each, so a person knows what the laptop does not show yet.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import Engine, func, select

from app.store import writelock
from app.sync.state import HELD

SHOWN = 20
"""At most this many held records are named one by one; the rest are counted."""


class HeldWhy(StrEnum):
    WAITING_FOR_PARENT = "waiting_for_parent"
    NEWER_VERSION = "newer_version"
    CLASH = "clash"


@dataclass(frozen=True)
class HeldLine:
    record_type: str
    record_id: uuid.UUID
    why: HeldWhy


def why_held(reason: str | None) -> HeldWhy:
    """The stored reason (technical English) as one of the kinds a person is told."""
    text = reason or ""
    if text.startswith("waiting for"):
        return HeldWhy.WAITING_FOR_PARENT
    if "clash" in text:
        return HeldWhy.CLASH
    return HeldWhy.NEWER_VERSION


def held_lines(engine: Engine, limit: int = SHOWN) -> tuple[list[HeldLine], int]:
    """The first ``limit`` held records (oldest first) and how many are held in all."""
    with writelock.reading(engine).connect() as connection:
        total = connection.scalar(select(func.count()).select_from(HELD)) or 0
        rows = connection.execute(
            select(HELD.c.record_type, HELD.c.record_id, HELD.c.reason)
            .order_by(HELD.c.seq)
            .limit(limit)
        ).all()
    lines = [HeldLine(row.record_type, row.record_id, why_held(row.reason)) for row in rows]
    return lines, total
