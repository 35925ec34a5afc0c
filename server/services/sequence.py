"""Sequence numbers that commit in order: the ordering trap of docs/sync-protocol.md.

A number taken from a database sequence at insert time can become visible out of
order: T1 takes 10, T2 takes 11 and commits, a reader sees 11 and moves its cursor
past 10, then T1 commits 10 and nobody ever pulls it. Here every writer first locks
the single ``counter`` row (``SELECT ... FOR UPDATE``; on SQLite the write transaction
is already exclusive with ``BEGIN IMMEDIATE``) and keeps the lock until it commits, so
a transaction holding number N commits before anybody can take N+1; and a reader
that reads ``counter.last_seq`` first knows every number up to it is committed.

A push batch takes the lock as late as it can (issue 23, many laptops): it is merged and
written with *provisional* numbers (:class:`ProvisionalNumbers`, far above any real
one, never committed), then under the lock :func:`number_late` shifts them to the next
real numbers in one statement per table and advances the counter, and the transaction
commits. The order and the gaps are the ones the merge made; only the offset changes.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select, text, update
from sqlalchemy.orm import Session

from server.core.tables import Counter, Device, Record

COUNTER_ID = 1
PROVISIONAL_FLOOR = 2**61
"""Provisional numbers lie above it: above every real number (so a query comparing a
record's number with a cursor, or ordering by it, treats the batch's own records as the
newest, as their real numbers will), and below 2**63 with room for any batch."""
PROVISIONAL_SPREAD = 2**60
"""Each batch starts at a random point of this span: two concurrent batches' numbers
(unique columns) practically never meet; if they did, one would wait for the other."""


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

    def written(self, last: int) -> None:
        """The counter now reads ``last`` in this transaction (:func:`number_late`)."""
        self._last = self._saved = last

    def save(self) -> None:
        if self._last != self._saved:
            self._session.execute(
                update(Counter).where(Counter.id == COUNTER_ID).values(last_seq=self._last)
            )
            self._saved = self._last


class ProvisionalNumbers(SequenceAllocator):
    """Numbers for a batch merged before the counter lock: no lock, nothing saved.

    :func:`number_late`, under the lock, turns ``(first, last]`` into real numbers.
    ``server_id`` is unknown until then."""

    def __init__(self, session: Session) -> None:  # (no lock: nothing read)
        self._session = session
        self.first = PROVISIONAL_FLOOR + secrets.randbelow(PROVISIONAL_SPREAD)
        self._last = self._saved = self.first

    @property
    def count(self) -> int:
        return self._last - self.first

    def save(self) -> None:
        raise RuntimeError("provisional numbers are made real by number_late")


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


_HIGH_WATER = select(Counter.last_seq, Counter.server_id).where(Counter.id == COUNTER_ID)


def committed_high_water(session: Session) -> tuple[int, uuid.UUID]:
    """The last number whose transaction has committed (no lock), and the server id."""
    row = session.execute(_HIGH_WATER).one()
    return int(row.last_seq), row.server_id


_LOCK_RECORDS_PG = text(
    """WITH locked AS (
        SELECT 1 FROM record
        JOIN unnest(CAST(:types AS text[]), CAST(:ids AS uuid[])) AS wanted(t, i)
            ON record.record_type = wanted.t AND record.record_id = wanted.i
        ORDER BY record.record_type, record.record_id
        FOR UPDATE OF record
    )
    SELECT last_seq, (SELECT count(*) FROM locked) AS locked FROM counter WHERE id = :counter_id"""
)


def lock_records(session: Session, keys: Iterable[tuple[str, uuid.UUID]]) -> int:
    """PostgreSQL: the stored records of ``keys`` locked (in key order, so that two
    writers of the same records wait rather than deadlock) and the committed high water,
    in one statement. The high water is read as of the statement's start, before any
    wait for those locks: an earlier number, never a later one (what was numbered
    meanwhile is then merely checked once more)."""
    types, ids = [], []
    for record_type, record_id in keys:
        types.append(record_type)
        ids.append(record_id)
    row = session.execute(
        _LOCK_RECORDS_PG, {"types": types, "ids": ids, "counter_id": COUNTER_ID}
    ).one()
    return int(row.last_seq)


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


Moved = list[tuple[str, uuid.UUID, uuid.UUID | None]]

_NUMBER_LATE_PG = text(
    """WITH counter_row AS (UPDATE counter SET last_seq = :new_last WHERE id = :counter_id),
    records AS (UPDATE record SET seq = seq + :shift WHERE seq > :low AND seq <= :high),
    exits AS (UPDATE scope_exit SET seq = seq + :shift WHERE seq > :low AND seq <= :high),
    logs AS (
        UPDATE change_log SET seq = seq + :shift
        WHERE change_id = ANY(:change_ids) AND seq > :low AND seq <= :high
    )
    SELECT record_type, record_id, case_id FROM record
    WHERE seq > :since AND seq <= :last LIMIT :limit"""
)
"""PostgreSQL: the batch's numbers made real, the counter advanced and the records
numbered since the batch read ahead listed, in one round trip under the lock (the
statement's snapshot is taken after the lock was granted: every earlier commit is
seen; its own updates are not, so the list holds other transactions' records only)."""


def number_late(
    session: Session,
    provisional: ProvisionalNumbers,
    locked: SequenceAllocator,
    since: int,
    change_ids: Sequence[uuid.UUID],
    limit: int,
) -> Moved | None:
    """PostgreSQL, under the counter lock: the batch's provisional numbers become
    ``locked.last + 1`` onwards (records, scope exits, the change-log rows of
    ``change_ids``), the counter is advanced past them, and the records numbered in
    ``(since, locked.last]`` are returned (:func:`numbered_since`; None: more than
    ``limit``). The caller commits, or rolls everything back if what it read was
    touched."""
    last = locked.last
    count = provisional.count
    if not count:
        return numbered_since(session, since, last, limit) if last != since else []
    rows = session.execute(
        _NUMBER_LATE_PG,
        {
            "shift": last - provisional.first,
            "low": provisional.first,
            "high": provisional.last,
            "new_last": last + count,
            "counter_id": COUNTER_ID,
            "change_ids": list(change_ids),
            "since": since,
            "last": last,
            "limit": limit + 1,
        },
    ).all()
    locked.written(last + count)
    if len(rows) > limit:
        return None
    return [(r.record_type, r.record_id, r.case_id) for r in rows]
