"""``GET /api/v1/pull``: the current state of records in scope after a cursor, in order.

The committed high-water mark is read *before* the records, and the page never goes
past it: every number up to it belongs to a committed transaction (writers commit in
sequence order, see :mod:`server.services.sequence`), so a cursor can never jump over a
change that commits later. ``left_scope`` lists the cases reassigned away from this
user whose ``scope_exit`` number the page passes.

The page is written as JSON straight from the stored text of each record's ``data``
(never parsed and re-serialised): an initial sync moves hundreds of thousands of
records, and this keeps the server well ahead of the laptop writing them.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Row, Text, cast, func, select
from sqlalchemy.orm import Session

from server.core.db import read_transaction
from server.core.tables import Record, ScopeExit
from server.services.scope import BENEFICIARY, Viewer
from server.services.sequence import committed_high_water

PageRow = Row[int, str, str, int, bool, str, str | None]
"""(seq, record type, record id, version, deleted, data as JSON text, case id): the ids
as the database spells them in text (32 hex digits on SQLite, dashed on PostgreSQL)."""


@dataclass(frozen=True)
class PulledPage:
    """One page of ``PullResponse`` whose records are still rows of stored JSON text."""

    server_id: uuid.UUID
    rows: Sequence[PageRow]
    left_scope: list[uuid.UUID]
    next_cursor: int
    has_more: bool
    expected: int | None = None
    restored: bool = False

    def to_json(self) -> bytes:
        """The ``PullResponse`` JSON document (docs/sync-protocol.md)."""
        records = ",".join(map(_record_json, self.rows))
        envelope = json.dumps(
            {
                "server_id": str(self.server_id),
                "left_scope": [str(case_id) for case_id in self.left_scope],
                "next_cursor": self.next_cursor,
                "has_more": self.has_more,
                "expected": self.expected,
                "restored": self.restored,
            }
        )
        return f'{envelope[:-1]},"records":[{records}]}}'.encode()


def _record_json(row: PageRow) -> str:
    """One record's JSON, ids written as text: no UUID object per record (a first sync
    sends hundreds of thousands, and building then printing them was half the work)."""
    seq, record_type, record_id, version, deleted, data, case_id = row
    case = "null" if case_id is None else f'"{_dashed(case_id)}"'
    return (
        f'{{"seq":{int(seq)},"record_type":{_type_json(record_type)},'
        f'"record_id":"{_dashed(record_id)}","version":{int(version)},'
        f'"deleted":{"true" if deleted else "false"},"data":{data},"case_id":{case}}}'
    )


def _dashed(text: str) -> str:
    """The canonical UUID spelling of a stored id (SQLite keeps 32 hex digits)."""
    if len(text) == 32:
        return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"
    return text


_TYPE_JSON: dict[str, str] = {}


def _type_json(record_type: str) -> str:
    written = _TYPE_JSON.get(record_type)
    if written is None:
        written = _TYPE_JSON.setdefault(record_type, json.dumps(record_type))
    return written


_PAGE_COLUMNS = (
    Record.seq,
    Record.record_type,
    cast(Record.record_id, Text),
    Record.version,
    Record.deleted,
    cast(Record.data, Text),
    cast(Record.case_id, Text),
)


def pull(session: Session, viewer: Viewer, cursor: int, limit: int) -> PulledPage:
    with read_transaction(session):
        high, server_id = committed_high_water(session)
        rows = (
            session.connection()
            .execute(  # Core: no ORM result machinery per row
                select(*_PAGE_COLUMNS)
                .where(Record.seq > cursor, Record.seq <= high, viewer.visible())
                .order_by(Record.seq)
                .limit(limit + 1)
            )
            .all()
        )
        has_more = len(rows) > limit
        page = rows[:limit]
        # At the end, jump to the high-water mark: out-of-scope numbers are passed too.
        # (A cursor beyond it comes from a database restored from backup: go back.)
        next_cursor = page[-1].seq if has_more else high
        left = _left_scope(session, viewer, cursor, next_cursor)
        expected = None
        if cursor == 0:  # a first sync: how much is coming, for its progress
            expected = session.scalar(
                select(func.count()).select_from(Record).where(Record.seq <= high, viewer.visible())
            )
    return PulledPage(server_id, page, left, next_cursor, has_more, expected)


def _left_scope(session: Session, viewer: Viewer, cursor: int, until: int) -> list[uuid.UUID]:
    """Cases this page passes the exit of, that the viewer had and no longer has."""
    if viewer.is_admin or until <= cursor:
        return []
    exits = session.scalars(
        select(ScopeExit)
        .where(ScopeExit.seq > cursor, ScopeExit.seq <= until)
        .order_by(ScopeExit.seq)
    ).all()
    left: list[uuid.UUID] = []
    for exit_ in exits:
        was_mine = (exit_.team_id is not None and exit_.team_id == viewer.team_id) or (
            exit_.staff_id is not None and exit_.staff_id == viewer.staff_id
        )
        if not was_mine or exit_.case_id in left:
            continue
        case = session.get(Record, (BENEFICIARY, exit_.case_id))
        if case is None or not viewer.sees_case(case.team_id, case.assigned_staff_id):
            left.append(exit_.case_id)
    return left
