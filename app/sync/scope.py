"""Removing a case that left this laptop's scope, once nothing of ours still waits for it.

The server names such cases once (``left_scope``); the laptop keeps their ids in its sync
state until the case's own edits have been pushed, then deletes every record of the
case (children first), their base versions and any held record. A case that comes back
into scope is simply delivered again, whole.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import Connection, Select, delete, select

from app.models import SYNCED_MODELS, OutboxState
from app.sync.documents import pending_upload_cases
from app.sync.records import CASE_LINKS
from app.sync.state import BASE, HELD, LEFT_SCOPE, OUTBOX, get_json, model_table, put_json

WAITING = (OutboxState.PENDING, OutboxState.INFLIGHT)


def note_page_scope(
    connection: Connection,
    arrived: Iterable[uuid.UUID],
    left: Iterable[uuid.UUID],
    waiting: set[str] | None = None,
) -> set[str]:
    """Cases a page delivered are in scope again (never removed); those it says left are
    noted for removal after the last page: one read and at most one write (none when
    nothing changes). ``waiting``: the stored list as the caller last read or wrote it
    (None: read it). Returns the list as now stored."""
    if waiting is None:
        waiting = set(get_json(connection, LEFT_SCOPE, []))
    now = set(waiting)
    if now:  # the usual case: no id spelled out for every case of every page
        now -= {str(case_id) for case_id in arrived}
    now.update(str(case_id) for case_id in left)
    if now != waiting:
        put_json(connection, LEFT_SCOPE, sorted(now))
    return now


def remove_left_cases(connection: Connection, limit: int | None = None) -> tuple[int, int, int]:
    """Remove the cases that left scope and have no edit waiting.

    Returns (removed, still waiting for their edits, held by the fail-safe): more than
    ``limit`` removable cases at once are all kept, listed, until a removal is confirmed.
    """
    waiting = [uuid.UUID(value) for value in get_json(connection, LEFT_SCOPE, [])]
    if not waiting:
        return 0, 0, 0
    busy = set(
        connection.execute(
            select(OUTBOX.c.case_id).where(
                OUTBOX.c.case_id.in_(waiting), OUTBOX.c.state.in_(WAITING)
            )
        ).scalars()
    )
    busy |= set(waiting) & pending_upload_cases(connection)  # a document still to send
    removable = [case_id for case_id in waiting if case_id not in busy]
    if limit is not None and len(removable) > limit:
        return 0, len(busy), len(removable)  # nothing removed: all stay listed
    for case_id in removable:
        remove_case(connection, case_id)
    put_json(connection, LEFT_SCOPE, sorted(str(case_id) for case_id in busy))
    return len(removable), len(busy), 0


def remove_case(connection: Connection, case_id: uuid.UUID) -> None:
    """Delete every local record of one case, children before parents."""
    for model in reversed(SYNCED_MODELS):
        table = model_table(model)
        ids = case_members(table.name, case_id)
        if ids is None:
            continue
        record_ids = list(connection.execute(ids).scalars())
        if not record_ids:
            continue
        connection.execute(delete(table).where(table.c.id.in_(record_ids)))
        connection.execute(
            delete(BASE).where(BASE.c.record_type == table.name, BASE.c.record_id.in_(record_ids))
        )
    connection.execute(delete(HELD).where(HELD.c.case_id == case_id))


def case_members(record_type: str, case_id: uuid.UUID) -> Select[tuple[uuid.UUID]] | None:
    """The ids of ``record_type`` rows that belong to the case; None for organisation data."""
    table = model_table(_MODELS[record_type])
    if record_type == "beneficiary":
        return select(table.c.id).where(table.c.id == case_id)
    link = CASE_LINKS.get(record_type)
    if link is None:
        return None
    field, parent_type = link
    if parent_type == "beneficiary":
        return select(table.c.id).where(table.c[field] == case_id)
    parents = case_members(parent_type, case_id)
    assert parents is not None  # every parent type in CASE_LINKS belongs to a case
    return select(table.c.id).where(table.c[field].in_(parents))


_MODELS = {model_table(model).name: model for model in SYNCED_MODELS}
