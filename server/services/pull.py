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

from sqlalchemy import (
    BigInteger,
    Connection,
    Integer,
    Row,
    Select,
    Text,
    and_,
    bindparam,
    cast,
    func,
    select,
)
from sqlalchemy.orm import Session, aliased

from server.core.db import reads
from server.core.tables import Counter, Record, ScopeExit
from server.services.scope import BENEFICIARY, Viewer
from server.services.sequence import COUNTER_ID

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
    # Plain reads, each its own snapshot (on PostgreSQL without BEGIN/COMMIT: see
    # server.core.db.reads); the high-water mark read first keeps the page consistent.
    page_query, count_query = _queries(viewer)
    with reads(session) as connection:
        high, server_id = connection.execute(_HIGH_WATER).one()
        params = {**viewer.params, "cursor": cursor, "high": high}
        rows = connection.execute(page_query, {**params, "size": limit + 1}).all()
        has_more = len(rows) > limit
        page = rows[:limit]
        # At the end, jump to the high-water mark: out-of-scope numbers are passed too.
        # (A cursor beyond it comes from a database restored from backup: go back.)
        next_cursor = page[-1].seq if has_more else int(high)
        left = _left_scope(connection, viewer, cursor, next_cursor)
        expected = None
        if cursor == 0:  # a first sync: how much is coming, for its progress
            expected = connection.execute(count_query, params).scalar()
    return PulledPage(server_id, page, left, next_cursor, has_more, expected)


_PageQuery = Select[int, str, str, int, bool, str, str]
_QUERIES: dict[tuple[bool, bool, bool], tuple[_PageQuery, Select[int]]] = {}


def _queries(viewer: Viewer) -> tuple[_PageQuery, Select[int]]:
    """The page's and the count's statements for this kind of viewer, built once (issue 23:
    building a statement and its cache key cost more than running it, for a small page)."""
    built = _QUERIES.get(viewer.shape)
    if built is None:
        high = bindparam("high", type_=BigInteger)
        page = (
            select(*_PAGE_COLUMNS)
            .where(Record.seq > bindparam("cursor", type_=BigInteger), Record.seq <= high)
            .where(viewer.visible())
            .order_by(Record.seq)
            .limit(bindparam("size", type_=Integer))
        )
        count = select(func.count()).select_from(Record).where(Record.seq <= high, viewer.visible())
        built = _QUERIES.setdefault(viewer.shape, (page, count))
    return built


_HIGH_WATER = select(Counter.last_seq, Counter.server_id).where(Counter.id == COUNTER_ID)
_CASE = aliased(Record)
_EXITS = (
    select(
        ScopeExit.case_id,
        ScopeExit.team_id,
        ScopeExit.staff_id,
        _CASE.team_id,
        _CASE.assigned_staff_id,
    )
    .outerjoin(_CASE, and_(_CASE.record_type == BENEFICIARY, _CASE.record_id == ScopeExit.case_id))
    .where(ScopeExit.seq > bindparam("cursor", type_=BigInteger))
    .where(ScopeExit.seq <= bindparam("until", type_=BigInteger))
    .order_by(ScopeExit.seq)
)
"""The exits a page passes, each with its case as it is now (one statement)."""


def _left_scope(connection: Connection, viewer: Viewer, cursor: int, until: int) -> list[uuid.UUID]:
    """Cases this page passes the exit of, that the viewer had and no longer has."""
    if viewer.is_admin or until <= cursor:
        return []
    left: list[uuid.UUID] = []
    for case_id, team_id, staff_id, case_team, case_staff in connection.execute(
        _EXITS, {"cursor": cursor, "until": until}
    ):
        was_mine = (team_id is not None and team_id == viewer.team_id) or (
            staff_id is not None and staff_id == viewer.staff_id
        )
        if not was_mine or case_id in left:
            continue
        if not viewer.sees_case(case_team, case_staff):  # (no case at all: not seen)
            left.append(case_id)
    return left
