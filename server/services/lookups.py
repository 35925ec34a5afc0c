"""The records a push batch touches, read in a few set-based queries (issue 23).

Merging a batch one change at a time asked the database for every record, its parent
and its change id: three round trips per change. A batch is read up front instead:
one query for the change ids already applied, one per record type for the current
states, then one per record type for the records they refer to (any foreign key of the
record catalogue, so a new synced type needs nothing here). During the batch,
:func:`find` answers from that cache, absent records included; records created
meanwhile are added to it by :func:`add_new`. Outside a batch :func:`find` is
``session.get``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Table, delete, event, select
from sqlalchemy.orm import ORMExecuteState, Session, defer, make_transient_to_detached

from passerelle_core.protocol import Change
from passerelle_core.records import RECORD_TYPES
from server.core.tables import ChangeLog, Record
from server.services.bulk_insert import insert_many
from server.services.wire import CONFLICT_TYPE

Key = tuple[str, uuid.UUID]
CACHE = "passerelle_push_batch"
CHUNK = 500
"""Ids per IN list: well under SQLite's and PostgreSQL's parameter limits."""
CONSENT = "consent_record"
REFERRAL = "referral"
REFERRAL_CASE = "beneficiary_id"
BENEFICIARY = "beneficiary"
TARGET = ("target_type", "target_id")
"""A conflict's record: named by type and id rather than by a foreign key."""


RECORDS: Table = Record.__table__  # type: ignore[assignment]
CHANGE_LOG: Table = ChangeLog.__table__  # type: ignore[assignment]
RECORD_COLUMNS = tuple(column.key for column in RECORDS.columns)
_NEW_RECORD = Record.__mapper__.class_manager.new_instance


class BatchRecords:
    """Records by (type, id) for one batch; ``None`` caches an absence."""

    def __init__(self) -> None:
        self.records: dict[Key, Record | None] = {}
        self.logs: list[dict[str, Any]] = []  # change-log rows not written yet
        self.pending: dict[Key, Record] = {}  # created in this batch, not written yet
        self.joined: list[Record] = []  # created in this batch, written, in the session
        self.by_key = False  # find() asking for a key it has not cached: none pending
        # Consent records by case, for the cases of the batch's referrals (read once,
        # then the batch's own new consents added): see :func:`consents_of`.
        self.consents: dict[uuid.UUID, list[Record]] = {}

    def write_logs(self, session: Session) -> None:
        """The change-log rows of the batch so far, in one executemany (no autoflush,
        no ORM bookkeeping: :mod:`server.services.bulk_insert`)."""
        if self.logs:
            insert_many(session.connection(), CHANGE_LOG, self.logs)
            self.logs = []

    def write_records(self, session: Session, *, join: bool = False) -> None:
        """The records created so far, in one executemany; ``join``: then made
        persistent in the session (as if just loaded), for queries and later changes."""
        if not self.pending:
            return
        pending, self.pending = list(self.pending.values()), {}
        rows = [{name: record.__dict__[name] for name in RECORD_COLUMNS} for record in pending]
        insert_many(session.connection(), RECORDS, rows)
        if join:
            for record in pending:
                make_transient_to_detached(record)
                session.add(record)
            self.joined.extend(pending)
        # Otherwise the objects are left transient: the batch is over.

    def leave(self, session: Session) -> None:
        """After a failed batch: the records it joined to the session leave it."""
        for record in self.joined:
            if record in session:
                session.expunge(record)
        self.joined = []
        self.pending = {}

    def before_query(self, state: ORMExecuteState) -> None:
        """A query of the record table sees the records created earlier in the batch."""
        if self.pending and not self.by_key and Record.__mapper__ in state.all_mappers:
            self.write_records(state.session, join=True)

    def load(self, session: Session, keys: Iterable[Key], *, parents: bool = False) -> None:
        """Read every key not cached yet: one query per record type (one statement,
        compiled once: the ids are one expanding parameter). ``parents``: records read
        for their placement and data; their field versions and devices are left to be
        loaded if ever needed (most never are: a third of the JSON decoded)."""
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
                if parents:
                    query = query.options(defer(Record.field_versions), defer(Record.field_devices))
                for record in session.scalars(query):
                    self.records[(record.record_type, record.record_id)] = record
            for record_id in ids:
                self.records.setdefault((record_type, record_id), None)


def prefetch(
    session: Session, changes: Sequence[Change], cache: BatchRecords | None = None
) -> BatchRecords:
    """The batch's records, then every record they or their pushed fields refer to."""
    cache = BatchRecords() if cache is None else cache
    cache.load(session, ((c.record_type, c.record_id) for c in changes))
    referred: set[Key] = set()
    for change in changes:
        stored = cache.records.get((change.record_type, change.record_id))
        for data in (change.fields, stored.data if stored is not None else None):
            if data is not None:
                referred.update(references(change.record_type, data))
    cache.load(session, referred, parents=True)
    _load_consents(session, changes, cache)
    return cache


def _load_consents(session: Session, changes: Sequence[Change], cache: BatchRecords) -> None:
    """The consents of every case a referral of the batch names, in one query per chunk:
    a referral needs one (permissions), and asking the database per referral wrote the
    batch's pending records first and joined them to the session, a quarter of a
    seeding batch's time."""
    cases: set[uuid.UUID] = set()
    for change in changes:
        if change.record_type == REFERRAL:
            stored = cache.records.get((change.record_type, change.record_id))
            for data in (change.fields, stored.data if stored is not None else None):
                key = _key(BENEFICIARY, data.get(REFERRAL_CASE)) if data is not None else None
                if key is not None:
                    cases.add(key[1])
    wanted = sorted(cases - cache.consents.keys())
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        for case_id in chunk:
            cache.consents[case_id] = []
        query = select(Record).where(Record.record_type == CONSENT, Record.case_id.in_(chunk))
        for record in session.scalars(query):
            key = (record.record_type, record.record_id)
            record = cache.records.setdefault(key, record) or record
            if record.case_id is not None and record.case_id in cache.consents:
                cache.consents[record.case_id].append(record)


def consents_of(session: Session, case_id: uuid.UUID) -> list[Record] | None:
    """The living consent records of a case as this batch stands (its own new and
    changed ones included), or None when not known here: then ask the database."""
    cache: BatchRecords | None = session.info.get(CACHE)
    if cache is None:
        return None
    known = cache.consents.get(case_id)
    if known is None:
        return None
    return [
        record
        for record in known
        if cache.records.get((record.record_type, record.record_id)) is record
        and record.case_id == case_id
        and not record.deleted
    ]


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
    """:func:`find` answers from ``cache`` inside the block, and records are created
    pending (:func:`add_new`) until the block writes them."""
    session.info[CACHE] = cache
    event.listen(session, "do_orm_execute", cache.before_query)
    try:
        yield cache
        cache.write_records(session)
    finally:
        event.remove(session, "do_orm_execute", cache.before_query)
        session.info.pop(CACHE, None)


def add_new(session: Session, values: dict[str, Any]) -> Record:
    """A new record (every column in ``values``): pending inside a batch, written by
    its executemany; outside a batch added to the session and flushed."""
    cache: BatchRecords | None = session.info.get(CACHE)
    if cache is None:
        record = Record(**values)
        session.add(record)
        session.flush()
        return record
    record = _NEW_RECORD()
    record.__dict__.update(values)  # no attribute events: a plain object until written
    key = (record.record_type, record.record_id)
    cache.pending[key] = record
    cache.records[key] = record
    if record.record_type == CONSENT and record.case_id in cache.consents:
        cache.consents[record.case_id].append(record)
    return record


def find(session: Session, record_type: str, record_id: uuid.UUID) -> Record | None:
    """The record stored under this key (or created in this batch), None when absent."""
    cache: BatchRecords | None = session.info.get(CACHE)
    if cache is None:
        return session.get(Record, (record_type, record_id))
    key = (record_type, record_id)
    if key not in cache.records:  # so not created in this batch either
        cache.by_key = True
        try:
            cache.records[key] = session.get(Record, key)
        finally:
            cache.by_key = False
    return cache.records[key]


def forget(session: Session, record: Record) -> None:
    """A record created by a change that was then refused: absent again (and its row
    removed if a query of the batch had already written it)."""
    cache: BatchRecords | None = session.info.get(CACHE)
    key = (record.record_type, record.record_id)
    if cache is not None:
        cache.records[key] = None
        if cache.pending.pop(key, None) is not None:
            return
    if record in session:
        session.expunge(record)
        session.connection().execute(
            delete(Record).where(
                Record.record_type == record.record_type, Record.record_id == record.record_id
            )
        )


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
