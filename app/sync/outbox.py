"""What the UI and the command line need to know about sync, and bulk queueing.

``queue_all`` puts every record the server has never seen into the outbox: rows written
by bulk Core inserts (the demo generator, a migration of old data) bypass capture by
design, and this is how they reach a server (e.g. to seed one for a benchmark).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from app.models import SYNCED_MODELS, OutboxState, SyncConflict
from app.models.base import utcnow
from app.store import writelock
from app.store.profile import Profile
from app.sync import state
from app.sync.capture import CaseWalker
from app.sync.records import CASE_LINKS, to_wire_value
from app.sync.state import BASE, OUTBOX, model_table

QUEUE_BATCH = 5000


@dataclass(frozen=True)
class QuarantinedChange:
    """A change the server refused for good: shown to the person, never resent."""

    change_id: uuid.UUID
    record_type: str
    record_id: uuid.UUID
    fields: dict[str, Any]
    error: str | None
    recorded_at: datetime


def is_enrolled(profile: Profile) -> bool:
    with writelock.reading(profile.engine).connect() as connection:  # never waits
        return state.get(connection, state.DEVICE_TOKEN) is not None


def last_sync_at(profile: Profile) -> datetime | None:
    """When the last sync completed (push and every pulled page), if ever."""
    with writelock.reading(profile.engine).connect() as connection:  # never waits
        return state.get_datetime(connection, state.LAST_SYNC_AT)


def must_erase(profile: Profile) -> bool:
    """The server ordered an erase that did not complete: call ``engine.erase`` now."""
    with writelock.reading(profile.engine).connect() as connection:  # never waits
        return state.get(connection, state.WIPE) is not None


def pending_count(profile: Profile) -> int:
    """Changes waiting to be pushed (pending or sent without an answer yet)."""
    waiting = (OutboxState.PENDING, OutboxState.INFLIGHT)
    query = select(func.count()).select_from(OUTBOX).where(OUTBOX.c.state.in_(waiting))
    with writelock.reading(profile.engine).connect() as connection:  # never waits
        return int(connection.execute(query).scalar_one())


def open_conflict_count(profile: Profile) -> int:
    query = (
        select(func.count())
        .select_from(SyncConflict)
        .where(SyncConflict.resolution.is_(None), SyncConflict.deleted_at.is_(None))
    )
    with writelock.reading(profile.engine).connect() as connection:  # never waits
        return int(connection.execute(query).scalar_one())


def quarantined(profile: Profile) -> list[QuarantinedChange]:
    query = select(OUTBOX).where(OUTBOX.c.state == OutboxState.QUARANTINED).order_by(OUTBOX.c.seq)
    with writelock.reading(profile.engine).connect() as connection:  # never waits
        return [
            QuarantinedChange(
                r.change_id, r.record_type, r.record_id, r.fields, r.error, r.recorded_at
            )
            for r in connection.execute(query)
        ]


def resend_quarantined(profile: Profile) -> int:
    """Queue the refused changes again, e.g. once the server was updated to know their
    record type or field. Each gets a new change id: the server remembers its refusal
    of the old one and would only repeat it."""
    with profile.engine.begin() as connection:
        seqs = list(
            connection.execute(
                select(OUTBOX.c.seq).where(OUTBOX.c.state == OutboxState.QUARANTINED)
            ).scalars()
        )
        for seq in seqs:
            connection.execute(
                update(OUTBOX)
                .where(OUTBOX.c.seq == seq)
                .values(state=OutboxState.PENDING, error=None, attempts=0, change_id=uuid.uuid4())
            )
    return len(seqs)


def queue_all(profile: Profile) -> int:
    """Queue as creations every record with no server version and no outbox row yet."""
    with profile.engine.begin() as connection:
        return queue_records(connection, _unqueued, base_version=None)


def queue_records(
    connection: Connection, select_rows: Callable[[str], Any], base_version: int | None
) -> int:
    """Queue each row ``select_rows(record_type)`` gives as one whole-record upsert.

    Parents first (SYNCED_MODELS order), so the server never waits for a parent.
    ``base_version`` None: the server never saw the record; 0: it may hold an older copy
    (a restored server), and any field another device wrote there is kept as a conflict.
    """
    queued = 0
    now = utcnow()
    cases: dict[str, dict[uuid.UUID, uuid.UUID | None]] = {}
    walker = CaseWalker(connection)
    for model in SYNCED_MODELS:
        table = model_table(model)
        cases[table.name] = {}
        batch: list[dict[str, Any]] = []
        for row in connection.execute(select_rows(table.name)).mappings():
            case_id = _case_of(table.name, row, cases, walker)
            cases[table.name][row["id"]] = case_id
            batch.append(_creation(table.name, row, case_id, now, base_version))
            if len(batch) >= QUEUE_BATCH:
                queued += _insert(connection, batch)
        queued += _insert(connection, batch)
    return queued


def _unqueued(record_type: str) -> Any:
    table = state.table_of(record_type)
    known = select(BASE.c.record_id).where(BASE.c.record_type == record_type)
    queued = select(OUTBOX.c.record_id).where(OUTBOX.c.record_type == record_type)
    return select(table).where(table.c.id.not_in(known), table.c.id.not_in(queued))


def unsent(record_type: str) -> Any:
    """Every record of the type without a change waiting in the outbox."""
    table = state.table_of(record_type)
    waiting = select(OUTBOX.c.record_id).where(
        OUTBOX.c.record_type == record_type,
        OUTBOX.c.state.in_((OutboxState.PENDING, OutboxState.INFLIGHT)),
    )
    return select(table).where(table.c.id.not_in(waiting))


def _case_of(
    record_type: str,
    row: Any,
    cases: dict[str, dict[uuid.UUID, uuid.UUID | None]],
    walker: CaseWalker,
) -> uuid.UUID | None:
    """The case, from parents queued just before (SYNCED_MODELS is parents-first)."""
    if record_type == "beneficiary":
        return uuid.UUID(str(row["id"]))
    link = CASE_LINKS.get(record_type)
    if link is None or row[link[0]] is None:
        return None
    field, parent_type = link
    if parent_type == "beneficiary":
        return uuid.UUID(str(row[field]))
    parent_cases = cases.get(parent_type, {})
    if row[field] in parent_cases:
        return parent_cases[row[field]]
    return walker.case_of(record_type, row["id"], dict(row))  # parent synced earlier


def _creation(
    record_type: str,
    row: Any,
    case_id: uuid.UUID | None,
    now: datetime,
    base_version: int | None = None,
) -> dict[str, Any]:
    fields = {
        name: to_wire_value(value)
        for name, value in row.items()
        if name not in ("id", "row_version")
    }
    return {
        "change_id": uuid.uuid4(),
        "record_type": record_type,
        "record_id": row["id"],
        "op": "upsert",
        "base_version": base_version,
        "fields": fields,
        "base_fields": {},
        "case_id": case_id,
        "recorded_at": now,
        "state": OutboxState.PENDING,
        "error": None,
        "attempts": 0,
    }


def _insert(connection: Connection, batch: list[dict[str, Any]]) -> int:
    if not batch:
        return 0
    connection.execute(insert(OUTBOX), batch)
    count = len(batch)
    batch.clear()
    return count
