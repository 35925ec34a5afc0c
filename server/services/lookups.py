"""The records a push batch touches, read in a few set-based queries (issue 23).

Merging a batch one change at a time asked the database for every record, its parent
and its change id: three round trips per change. A batch is read up front instead:
one query for the change ids already applied, one per record type for the current
states, then one per record type for the records they refer to (any foreign key of the
record catalogue, so a new synced type needs nothing here). During the batch,
:func:`find` answers from that cache, absent records included; records created
meanwhile are added to it by :func:`remember`. Outside a batch :func:`find` is
``session.get``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from passerelle_core.protocol import Change
from passerelle_core.records import RECORD_TYPES
from server.core.tables import ChangeLog, Record
from server.services.wire import CONFLICT_TYPE

Key = tuple[str, uuid.UUID]
CACHE = "passerelle_push_batch"
CHUNK = 500
"""Ids per IN list: well under SQLite's and PostgreSQL's parameter limits."""
TARGET = ("target_type", "target_id")
"""A conflict's record: named by type and id rather than by a foreign key."""


class BatchRecords:
    """Records by (type, id) for one batch; ``None`` caches an absence."""

    def __init__(self) -> None:
        self.records: dict[Key, Record | None] = {}
        self.logs: list[dict[str, Any]] = []  # change-log rows not written yet

    def write_logs(self, session: Session) -> None:
        """The change-log rows of the batch so far, in one multi-row INSERT."""
        if self.logs:
            session.execute(insert(ChangeLog), self.logs)
            self.logs = []

    def load(self, session: Session, keys: Iterable[Key]) -> None:
        """Read every key not cached yet: one query per record type (one statement,
        compiled once: the ids are one expanding parameter)."""
        by_type: dict[str, set[uuid.UUID]] = {}
        for record_type, record_id in keys:
            if (record_type, record_id) not in self.records:
                by_type.setdefault(record_type, set()).add(record_id)
        for record_type, wanted in by_type.items():
            ids = sorted(wanted)
            for start in range(0, len(ids), CHUNK):
                query = select(Record).where(
                    Record.record_type == record_type,
                    Record.record_id.in_(ids[start : start + CHUNK]),
                )
                for record in session.scalars(query):
                    self.records[(record.record_type, record.record_id)] = record
            for record_id in ids:
                self.records.setdefault((record_type, record_id), None)


def prefetch(session: Session, changes: Sequence[Change]) -> BatchRecords:
    """The batch's records, then every record they or their pushed fields refer to."""
    cache = BatchRecords()
    cache.load(session, ((c.record_type, c.record_id) for c in changes))
    referred: set[Key] = set()
    for change in changes:
        stored = cache.records.get((change.record_type, change.record_id))
        for data in (change.fields, stored.data if stored is not None else None):
            if data is not None:
                referred.update(references(change.record_type, data))
    cache.load(session, referred)
    return cache


def references(record_type: str, data: dict[str, Any]) -> Iterator[Key]:
    """The records a record's data names: its foreign keys, or a conflict's target."""
    fields = RECORD_TYPES.get(record_type, {})
    for name, field in fields.items():
        if field.foreign_key is not None:
            key = _key(field.foreign_key, data.get(name))
            if key is not None:
                yield key
    if record_type == CONFLICT_TYPE:
        target_type = data.get(TARGET[0])
        if isinstance(target_type, str):
            key = _key(target_type, data.get(TARGET[1]))
            if key is not None:
                yield key


def applied_changes(session: Session, change_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Any]:
    """The change-log rows of the change ids already applied (one query per chunk)."""
    found: dict[uuid.UUID, Any] = {}
    for start in range(0, len(change_ids), CHUNK):
        chunk = change_ids[start : start + CHUNK]
        rows = session.execute(
            select(
                ChangeLog.change_id, ChangeLog.record_type, ChangeLog.record_id, ChangeLog.result
            ).where(ChangeLog.change_id.in_(chunk))
        )
        for row in rows:
            found[row.change_id] = row
    return found


@contextmanager
def batching(session: Session, cache: BatchRecords) -> Iterator[BatchRecords]:
    """:func:`find` answers from ``cache`` inside the block."""
    session.info[CACHE] = cache
    try:
        yield cache
    finally:
        session.info.pop(CACHE, None)


def find(session: Session, record_type: str, record_id: uuid.UUID) -> Record | None:
    """The record stored under this key (or created in this batch), None when absent."""
    cache: BatchRecords | None = session.info.get(CACHE)
    if cache is None:
        return session.get(Record, (record_type, record_id))
    key = (record_type, record_id)
    if key not in cache.records:
        cache.records[key] = session.get(Record, key)
    return cache.records[key]


def remember(session: Session, record: Record) -> None:
    """A record just added to the session: found by :func:`find` before any flush."""
    cache: BatchRecords | None = session.info.get(CACHE)
    if cache is not None:
        cache.records[(record.record_type, record.record_id)] = record


def forget(session: Session, record: Record) -> None:
    """A record created by a change that was then refused: absent again."""
    cache: BatchRecords | None = session.info.get(CACHE)
    if cache is not None:
        cache.records[(record.record_type, record.record_id)] = None


def in_batch(session: Session) -> bool:
    return CACHE in session.info


def write_logs(session: Session) -> None:
    """Before reading the change log inside a batch: its rows so far written."""
    cache: BatchRecords | None = session.info.get(CACHE)
    if cache is not None:
        cache.write_logs(session)


def _key(record_type: str, value: Any) -> Key | None:
    if value is None:
        return None
    try:
        return record_type, uuid.UUID(str(value))
    except ValueError:
        return None
