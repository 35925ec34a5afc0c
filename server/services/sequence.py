"""Sequence numbers that commit in order: the ordering trap of docs/sync-protocol.md.

A number taken from a database sequence at insert time can become visible out of
order: T1 takes 10, T2 takes 11 and commits, a reader sees 11 and moves its cursor
past 10, then T1 commits 10 and nobody ever pulls it. Here every writer first locks
the single ``counter`` row (``SELECT ... FOR UPDATE``; on SQLite the write transaction
is already exclusive with ``BEGIN IMMEDIATE``) and keeps the lock until it commits, so
a transaction holding number N commits before anybody can take N+1; and a reader
that reads ``counter.last_seq`` first knows every number up to it is committed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from server.core.tables import Counter, Device, Record

COUNTER_ID = 1


class SequenceAllocator:
    """Hands out sequence numbers under the counter lock; :meth:`save` before commit.

    Numbers taken inside a savepoint that is rolled back are simply skipped: a gap is
    harmless, a reordering is not.
    """

    def __init__(self, session: Session, locked: tuple[int, uuid.UUID] | None = None) -> None:
        """``locked``: the counter's (last_seq, server_id) already read under its lock
        by the caller (:func:`lock_with_device`); else the lock is taken here."""
        self._session = session
        if locked is None:
            row = session.execute(
                select(Counter.last_seq, Counter.server_id)
                .where(Counter.id == COUNTER_ID)
                .with_for_update()
            ).one()
            locked = (int(row.last_seq), row.server_id)
        self.server_id: uuid.UUID = locked[1]
        self._last = int(locked[0])
        self._saved = self._last

    @property
    def last(self) -> int:
        return self._last

    def skip_to(self, number: int) -> None:
        """Hand out numbers above ``number`` only: after a rolled-back attempt that took
        numbers up to it (a gap is harmless; a number met again may not be)."""
        self._last = max(self._last, number)

    def next(self) -> int:
        self._last += 1
        return self._last

    def save(self) -> None:
        if self._last != self._saved:
            self._session.execute(
                update(Counter).where(Counter.id == COUNTER_ID).values(last_seq=self._last)
            )
            self._saved = self._last


@dataclass(frozen=True)
class DeviceState:
    """A device's row as read under the counter lock (None fields: no such device)."""

    status: str
    wipe_ordered_at: datetime | None
    final_push_at: datetime | None


_COUNTER_AND_DEVICE = (
    select(
        Counter.last_seq,
        Counter.server_id,
        Device.status,
        Device.wipe_ordered_at,
        Device.final_push_at,
    )
    .select_from(Device)
    .join(Counter, Counter.id == COUNTER_ID)
    .where(Device.id == bindparam("device_id"))
    # The device row first, then the counter: the order every writer of both takes them.
    .with_for_update(of=[Device.__table__, Counter.__table__])
)
"""Built once: run by every push."""


def lock_with_device(
    session: Session, device_id: uuid.UUID
) -> tuple[SequenceAllocator, DeviceState | None]:
    """The counter lock and the device's current row in one statement (a round trip
    fewer while the lock is held, issue 23). Both rows are locked, so on PostgreSQL
    the device row read is the newest committed one even after waiting for the lock
    (a row locked after a wait is re-read at its latest version; a row merely joined
    would be read as of the statement's start): a device revoked while the push
    waited pushes nothing. None: no such device (the counter is locked all the same)."""
    row = session.execute(_COUNTER_AND_DEVICE, {"device_id": device_id}).first()
    if row is None:
        return SequenceAllocator(session), None
    device = DeviceState(row.status, row.wipe_ordered_at, row.final_push_at)
    return SequenceAllocator(session, (int(row.last_seq), row.server_id)), device


def committed_high_water(session: Session) -> tuple[int, uuid.UUID]:
    """The last number whose transaction has committed (no lock), and the server id."""
    row = session.execute(
        select(Counter.last_seq, Counter.server_id).where(Counter.id == COUNTER_ID)
    ).one()
    return int(row.last_seq), row.server_id


def numbered_since(
    session: Session, after: int, upto: int, limit: int
) -> list[tuple[str, uuid.UUID, uuid.UUID | None]] | None:
    """The records whose number lies in ``(after, upto]`` (type, id, case): what changed
    between two readings of the counter; None when more than ``limit``."""
    rows = session.execute(
        select(Record.record_type, Record.record_id, Record.case_id)
        .where(Record.seq > after, Record.seq <= upto)
        .limit(limit + 1)
    ).all()
    if len(rows) > limit:
        return None
    return [(row.record_type, row.record_id, row.case_id) for row in rows]
