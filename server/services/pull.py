"""``GET /api/v1/pull``: the current state of records in scope after a cursor, in order.

The committed high-water mark is read *before* the records, and the page never goes
past it: every number up to it belongs to a committed transaction (writers commit in
sequence order, see :mod:`server.services.sequence`), so a cursor can never jump over a
change that commits later. ``left_scope`` lists the cases reassigned away from this
user whose ``scope_exit`` number the page passes.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.sync.protocol import PullResponse, RecordState
from server.core.db import read_transaction
from server.core.tables import Record, ScopeExit
from server.services.scope import BENEFICIARY, Viewer
from server.services.sequence import committed_high_water


def pull(session: Session, viewer: Viewer, cursor: int, limit: int) -> PullResponse:
    with read_transaction(session):
        high, server_id = committed_high_water(session)
        rows = session.scalars(
            select(Record)
            .where(Record.seq > cursor, Record.seq <= high, viewer.visible())
            .order_by(Record.seq)
            .limit(limit + 1)
        ).all()
        has_more = len(rows) > limit
        page = rows[:limit]
        # At the end, jump to the high-water mark: out-of-scope numbers are passed too.
        # (A cursor beyond it comes from a database restored from backup: go back.)
        next_cursor = page[-1].seq if has_more else high
        left = _left_scope(session, viewer, cursor, next_cursor)
        records = [
            RecordState(
                seq=row.seq,
                record_type=row.record_type,
                record_id=row.record_id,
                version=row.version,
                deleted=row.deleted,
                data=row.data,
                case_id=row.case_id,
            )
            for row in page
        ]
    return PullResponse(
        server_id=server_id,
        records=records,
        left_scope=left,
        next_cursor=next_cursor,
        has_more=has_more,
    )


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
