"""The records a push batch touches, read in a few set-based queries (issue 23).

Merging a batch one change at a time asked the database for every record, its parent
and its change id: three round trips per change. A batch is read up front instead:
one query for the change ids already applied, one per record type for the current
states, then the records they refer to (any foreign key of the record catalogue, so a
new synced type needs nothing here): one query per type on SQLite, one for every type
on PostgreSQL, where each statement is a round trip and a plan. During the batch,
:func:`find` answers from that cache, absent records included; records created
meanwhile are added to it by :func:`add_new`. Outside a batch :func:`find` is
``session.get``.

Records read only for what they say (parents) and records a batch creates by its fast
path (:mod:`server.services.creation`) are plain :class:`Row` objects, no ORM state:
:func:`peek` reads them as they are; :func:`find`, whose callers may change what it
returns, first turns a row into an ORM ``Record`` (with no query), so that a record
created earlier in the batch and updated later is the same record.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from operator import attrgetter
from typing import Any

from sqlalchemy import (
    Dialect,
    Select,
    String,
    Table,
    Text,
    any_,
    bindparam,
    case,
    cast,
    delete,
    event,
    null,
    select,
    text,
    type_coerce,
)
from sqlalchemy.orm import ORMExecuteState, Session, make_transient_to_detached
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.types import UserDefinedType

from passerelle_core.protocol import Change
from passerelle_core.records import RECORD_TYPES
from server.core.tables import ChangeLog, Record
from server.services.bulk_insert import insert_columns, insert_many
from server.services.wire import CONFLICT_TYPE

Key = tuple[str, uuid.UUID]
CACHE = "passerelle_push_batch"
CHUNK = 500
"""Ids per IN list: well under SQLite's and PostgreSQL's parameter limits."""
CONSENT = "consent_record"
REFERRAL = "referral"
REFERRAL_CASE = "beneficiary_id"
BENEFICIARY = "beneficiary"
MERGED_INTO = "merged_into_id"
"""A case merged into another (server.services.case_move.MERGED_INTO)."""
TARGET = ("target_type", "target_id")
"""A conflict's record: named by type and id rather than by a foreign key."""


RECORDS: Table = Record.__table__  # type: ignore[assignment]
CHANGE_LOG: Table = ChangeLog.__table__  # type: ignore[assignment]
RECORD_COLUMNS = tuple(column.key for column in RECORDS.columns)
_NEW_RECORD = Record.__mapper__.class_manager.new_instance
SHARED_COLUMNS = frozenset(
    {"field_versions", "field_devices", "case_id", "team_id", "assigned_staff_id"}
)
"""Of new records, often one object for many: field versions and devices (one dict
for many: :func:`server.services.creation.create`), the ids of a case, team and
counsellor (their parent's)."""
SHARED_LOG_COLUMNS = frozenset({"device_id", "user_id", "received_at"})
"""Of a batch's change-log rows, one object for all."""


class Row:
    """A record as plain values: a parent read for its placement and data, or a record
    created by this batch's fast path (``new``). Attribute names are ``Record``'s; a
    parent's data stays JSON text until read (most parents are read for their placement
    alone), and its field versions and devices are not read at all."""

    __slots__ = (*(n for n in RECORD_COLUMNS if n != "data"), "_data", "_text", "new", "merged")
    record_type: str
    record_id: uuid.UUID
    version: int
    field_versions: dict[str, Any]
    field_devices: dict[str, Any]
    deleted: bool
    case_id: uuid.UUID | None
    team_id: uuid.UUID | None
    assigned_staff_id: uuid.UUID | None
    restricted: bool
    seq: int
    new: bool
    merged: bool | None  # a parent case's ``merged_into_id`` set, as read (None: not read)
    _data: dict[str, Any] | None
    _text: str | None

    @property
    def data(self) -> dict[str, Any]:
        data = self._data
        if data is None:
            data = self._data = json.loads(self._text or "null")
            self._text = None
        return data

    @data.setter
    def data(self, value: dict[str, Any]) -> None:
        self._data, self._text = value, None

    def get(self, name: str) -> Any:
        """``data.get(name)``, without decoding a parent's text that cannot hold that
        field: a key is written quoted as it is (the JSON serialisers escape no ASCII
        letter), so a text without ``"name"`` has no such key. (Whether a parent case
        was merged away, asked for every child created: most never decode it.)"""
        text = self._text
        if text is not None and f'"{name}"' not in text:
            return None
        return self.data.get(name)

    def values(self) -> dict[str, Any]:
        """The columns set on this row (a parent's field versions are not)."""
        if not self.new:
            return {name: getattr(self, name) for name in RECORD_COLUMNS if hasattr(self, name)}
        return {
            "record_type": self.record_type,
            "record_id": self.record_id,
            "version": self.version,
            "data": self._data,
            "field_versions": self.field_versions,
            "field_devices": self.field_devices,
            "deleted": self.deleted,
            "case_id": self.case_id,
            "team_id": self.team_id,
            "assigned_staff_id": self.assigned_staff_id,
            "restricted": self.restricted,
            "seq": self.seq,
        }


Known = Record | Row
_NEW_ROW_COLUMNS = tuple(
    (name, attrgetter("_data" if name == "data" else name)) for name in RECORD_COLUMNS
)
"""How each column is read from a new :class:`Row` (its data is never text)."""


class BatchRecords:
    """Records by (type, id) for one batch; ``None`` caches an absence."""

    def __init__(self) -> None:
        self.records: dict[Key, Known | None] = {}
        self.logs: list[dict[str, Any]] = []  # change-log rows not written yet
        self.pending: dict[Key, Known] = {}  # created in this batch, not written yet
        self.joined: list[Record] = []  # created in this batch, written, in the session
        self.by_key = False  # find() asking for a key it has not cached: none pending
        # Consent records by case, for the cases of the batch's referrals (read once,
        # then the batch's own new consents added): see :func:`consents_of`.
        self.consents: dict[uuid.UUID, list[Known]] = {}
        self.uuids: dict[str, uuid.UUID] = {}  # ids read as text (SQLite), made once
        # Placements of new records by (id of their parent row, restricted of their
        # own): :func:`server.services.creation.create`; the row kept alongside.
        self.placements: dict[tuple[int, bool], tuple[Row, Any]] = {}

    def write_logs(self, session: Session) -> None:
        """The change-log rows of the batch so far, in one executemany (no autoflush,
        no ORM bookkeeping: :mod:`server.services.bulk_insert`)."""
        if self.logs:
            insert_many(session.connection(), CHANGE_LOG, self.logs, SHARED_LOG_COLUMNS)
            self.logs = []

    def write_records(self, session: Session, *, join: bool = False) -> None:
        """The records created so far, in one executemany; ``join``: then made
        persistent in the session (as if just loaded), for queries and later changes."""
        if not self.pending:
            return
        pending, self.pending = list(self.pending.values()), {}
        if all(type(record) is Row and record.new for record in pending):
            # A seeding batch's: read column by column from the rows (no dict per row).
            columns = {name: list(map(get, pending)) for name, get in _NEW_ROW_COLUMNS}
            insert_columns(session.connection(), RECORDS, columns, SHARED_COLUMNS)
        else:
            rows = [
                record.values()
                if isinstance(record, Row)
                else {name: record.__dict__[name] for name in RECORD_COLUMNS}
                for record in pending
            ]
            insert_many(session.connection(), RECORDS, rows, SHARED_COLUMNS)
        if join:
            joined = [self._as_record(session, record) for record in pending]
            for record in joined:
                make_transient_to_detached(record)
                session.add(record)
            self.joined.extend(joined)
        # Otherwise the objects are left transient: the batch is over.

    def _as_record(self, session: Session, known: Known) -> Record:
        """The ORM record of a row (made now, without a query), kept in its place."""
        if isinstance(known, Record):
            return known
        key = (known.record_type, known.record_id)
        record: Record | None = None
        if not known.new:
            record = session.identity_map.get((Record, key, None))
        if record is None:
            record = _NEW_RECORD()
            values = known.values()
            if known.new:  # its own copies: the fast path shares them (not an ORM record's)
                values["field_versions"] = dict(values["field_versions"])
                values["field_devices"] = dict(values["field_devices"])
            record.__dict__.update(values)
            if not known.new:  # as if just loaded; its field versions load if asked for
                make_transient_to_detached(record)
                session.add(record)
        if self.records.get(key) is known:
            self.records[key] = record
        if self.pending.get(key) is known:
            self.pending[key] = record
        self._replace_consent(known, record)
        return record

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

    def loaded(self, _session: Session, instance: object) -> None:
        """A record an ORM query of the batch loaded (which its caller may change)
        replaces the plain row read for it: the batch reads one copy from then on."""
        if not isinstance(instance, Record):
            return
        state = instance.__dict__
        key = (state.get("record_type"), state.get("record_id"))
        known = self.records.get(key)  # type: ignore[arg-type]
        if isinstance(known, Row) and not known.new:
            self.records[key] = instance  # type: ignore[index]
            self._replace_consent(known, instance)

    def _replace_consent(self, known: Row, record: Record) -> None:
        if record.record_type == CONSENT and record.case_id in self.consents:
            self.consents[record.case_id] = [
                record if other is known else other for other in self.consents[record.case_id]
            ]

    def load(self, session: Session, keys: Iterable[Key], *, parents: bool = False) -> None:
        """Read every key not cached yet: one query per record type (one statement,
        compiled once: the ids are one expanding parameter). ``parents``: records read
        for their placement and data, as plain rows (:class:`Row`) without their field
        versions and devices (most never need them: a third of the JSON decoded)."""
        by_type: dict[str, set[uuid.UUID]] = {}
        for record_type, record_id in keys:
            if (record_type, record_id) not in self.records:
                by_type.setdefault(record_type, set()).add(record_id)
        if parents and by_type and session.get_bind().dialect.name == "postgresql":
            self._load_parents_pg(session, by_type)
            return
        for record_type, wanted in by_type.items():
            ids = list(wanted)  # (in no order: sorting UUIDs is Python code per compare)
            for start in range(0, len(ids), CHUNK):
                chunk = ids[start : start + CHUNK]
                if parents:
                    self._load_rows(session, record_type, chunk)
                    continue
                reads = _reads(session)
                wanted_now = {"record_type": record_type, "ids": reads.ids(chunk)}
                for record in session.scalars(reads.by_key, wanted_now):
                    self.records[(record.record_type, record.record_id)] = record
            for record_id in ids:
                self.records.setdefault((record_type, record_id), None)

    def _load_parents_pg(self, session: Session, by_type: dict[str, set[uuid.UUID]]) -> None:
        """PostgreSQL: the parents of every type in one statement per chunk of keys (a
        round trip and a plan per parent type fewer: a counsellor's edit of a case named
        its facility, team and counsellor, three statements)."""
        pairs = [
            (record_type, record_id) for record_type, ids in by_type.items() for record_id in ids
        ]
        connection = session.connection()
        identities = session.identity_map
        for start in range(0, len(pairs), CHUNK):
            chunk = pairs[start : start + CHUNK]
            wanted = {
                "types": "{" + ",".join([record_type for record_type, _ in chunk]) + "}",
                "ids": _id_array([record_id for _, record_id in chunk]),
            }
            for (
                record_type,
                record_id,
                version,
                data_text,
                deleted,
                case_id,
                team_id,
                staff_id,
                restricted,
                seq,
                merged,
            ) in connection.execute(_PARENTS_PG, wanted):
                row = _parent_row(record_type, version, data_text, deleted, restricted, seq)
                row.merged = merged
                row.record_id, row.case_id, row.team_id, row.assigned_staff_id = (
                    record_id,
                    case_id,
                    team_id,
                    staff_id,
                )
                self._keep(row, identities)
        for record_type, record_id in pairs:
            self.records.setdefault((record_type, record_id), None)

    def _load_rows(self, session: Session, record_type: str, ids: list[uuid.UUID]) -> None:
        """Parents as plain rows. On SQLite (ids stored as hex text) the ids are read as
        text and made UUIDs once per batch (a team's, a counsellor's come back on every
        row); the data is read as text, decoded if asked for."""
        connection = session.connection()
        raw = connection.dialect.name == "sqlite"
        uuids = self.uuids
        if raw:
            for record_id in ids:
                uuids[record_id.hex] = record_id
        reads = _reads(session)
        query = reads.parents_raw if raw else reads.parents
        identities = session.identity_map
        for (
            record_id,
            version,
            data_text,
            deleted,
            case_id,
            team_id,
            staff_id,
            restricted,
            seq,
            merged,
        ) in connection.execute(query, {"record_type": record_type, "ids": reads.ids(ids)}):
            row = _parent_row(record_type, version, data_text, deleted, restricted, seq)
            row.merged = None if merged is None else bool(merged)
            if raw:
                record_id = uuids[record_id]
                case_id = _uuid(uuids, case_id)
                team_id = _uuid(uuids, team_id)
                staff_id = _uuid(uuids, staff_id)
            row.record_id, row.case_id, row.team_id, row.assigned_staff_id = (
                record_id,
                case_id,
                team_id,
                staff_id,
            )
            self._keep(row, identities)

    def _keep(self, row: Row, identities: Any) -> None:
        """A parent as read, unless the session already holds it (this batch's own)."""
        key = (row.record_type, row.record_id)
        known = identities.get((Record, key, None)) if identities else None
        self.records[key] = row if known is None else known


def _parent_row(
    record_type: str, version: int, data_text: str | None, deleted: Any, restricted: Any, seq: int
) -> Row:
    """A parent's row but for its ids and ``merged`` (their forms depend on the backend)."""
    row = Row()
    row.record_type = record_type
    row.version = version
    row._data, row._text = None, data_text
    row.deleted = bool(deleted)
    row.restricted = bool(restricted)
    row.seq = seq
    row.new = False
    return row


def _parent_columns(raw: bool) -> list[Any]:
    """The columns of a parent row, in :meth:`BatchRecords._load_rows`'s order."""

    def text(name: str) -> Any:
        column = RECORDS.c[name]
        return type_coerce(column, String) if raw else column

    # Whether a case was merged away, read by the database from its data (asked for
    # every child the batch creates; its text would be decoded for it: a case's data
    # names every field, ``merged_into_id`` included).
    merged = case(
        (
            RECORDS.c.record_type == BENEFICIARY,
            RECORDS.c.data[MERGED_INTO].as_string().is_not(None),
        ),
        else_=null(),
    )
    return [
        text("record_id"), RECORDS.c.version, cast(RECORDS.c.data, Text), RECORDS.c.deleted,
        text("case_id"), text("team_id"), text("assigned_staff_id"), RECORDS.c.restricted,
        RECORDS.c.seq, merged,
    ]  # fmt: skip


_PARENTS_PG = text(
    f"""SELECT record.record_type, record.record_id, record.version,
        CAST(record.data AS TEXT), record.deleted, record.case_id, record.team_id,
        record.assigned_staff_id, record.restricted, record.seq,
        CASE WHEN record.record_type = '{BENEFICIARY}'
            THEN (record.data ->> '{MERGED_INTO}') IS NOT NULL END
    FROM record
    JOIN unnest(CAST(:types AS text[]), CAST(:ids AS uuid[])) AS wanted(t, i)
        ON record.record_type = wanted.t AND record.record_id = wanted.i"""
)
"""PostgreSQL: the parents of a batch, every type at once, as
:meth:`BatchRecords._load_rows` reads them (its columns, the type first). The types
and ids go as the text of two arrays (record types are table names: no quoting)."""

_IDS: BindParameter[Any] = bindparam("ids", expanding=True)
"""The ids of one query, one expanding parameter: the statement is built once (building
``in_(ids)`` checks every id, a sixth of a batch's reads)."""


class _IdArrayText(UserDefinedType[str]):
    """A ``uuid[]`` parameter sent as PostgreSQL's text form of the array, ``{hex,...}``
    (:func:`_id_array`), as it is: psycopg dumps a list of UUIDs element by element in
    Python, a regular-expression search each (3-6 us an id, twice what the whole read
    costs without it). A ``str`` goes as an untyped value, which the server reads as
    the array that ``= ANY(...)`` of a uuid column needs."""

    cache_ok = True

    def get_col_spec(self, **_kw: Any) -> str:
        return "UUID[]"

    def bind_processor(self, _dialect: Dialect) -> None:
        return None


_ID_ARRAY: BindParameter[Any] = bindparam("ids", type_=_IdArrayText())
"""PostgreSQL: the ids as one array (``= ANY(:ids)``). An expanding list is rendered
into the SQL as one placeholder per id, a new statement text at every size that psycopg
parses again and the server plans again (a tenth of a PostgreSQL push's CPU)."""


def _id_array(ids: Sequence[uuid.UUID]) -> str:
    """The text of a ``uuid[]`` (the server reads a uuid's 32 hex digits without dashes)."""
    return "{" + ",".join([record_id.hex for record_id in ids]) + "}"


def _id_list(ids: Sequence[uuid.UUID]) -> Sequence[uuid.UUID]:
    return ids


@dataclass(frozen=True)
class _Reads:
    """The batch's read statements, each built once, for one way of passing ids."""

    by_key: Select[Any]
    parents: Select[Any]
    parents_raw: Select[Any]
    consents: Select[Any]
    applied: Select[Any]
    ids: Callable[[Sequence[uuid.UUID]], Any]  # the value of the ``ids`` parameter


def _reads_with(ids_in: Callable[[Any], Any], ids: Callable[[Sequence[uuid.UUID]], Any]) -> _Reads:
    record_type: BindParameter[str] = bindparam("record_type")
    return _Reads(
        by_key=select(Record).where(Record.record_type == record_type, ids_in(Record.record_id)),
        parents=select(*_parent_columns(False)).where(
            RECORDS.c.record_type == record_type, ids_in(RECORDS.c.record_id)
        ),
        parents_raw=select(*_parent_columns(True)).where(
            RECORDS.c.record_type == record_type, ids_in(RECORDS.c.record_id)
        ),
        consents=select(Record).where(Record.record_type == CONSENT, ids_in(Record.case_id)),
        applied=select(
            CHANGE_LOG.c.change_id,
            CHANGE_LOG.c.record_type,
            CHANGE_LOG.c.record_id,
            CHANGE_LOG.c.result,
        ).where(ids_in(CHANGE_LOG.c.change_id)),
        ids=ids,
    )


_LISTED = _reads_with(lambda column: column.in_(_IDS), _id_list)
_ARRAYED = _reads_with(lambda column: column == any_(_ID_ARRAY), _id_array)


def _reads(session: Session) -> _Reads:
    """PostgreSQL passes a batch's ids as one array, SQLite as a list."""
    return _ARRAYED if session.get_bind().dialect.name == "postgresql" else _LISTED


def _uuid(known: dict[str, uuid.UUID], value: str | None) -> uuid.UUID | None:
    if value is None:
        return None
    found = known.get(value)
    if found is None:
        found = known[value] = uuid.UUID(hex=value)
    return found


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
                referred.update(references(change.record_type, data, cache.uuids))
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
    wanted = list(cases - cache.consents.keys())
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        for case_id in chunk:
            cache.consents[case_id] = []
        reads = _reads(session)
        for record in session.scalars(reads.consents, {"ids": reads.ids(chunk)}):
            key = (record.record_type, record.record_id)
            known = cache.records.get(key)
            if known is None or (isinstance(known, Row) and not known.new):
                known = cache.records[key] = record  # the ORM copy from now on
            if known.case_id is not None and known.case_id in cache.consents:
                cache.consents[known.case_id].append(known)


def consents_of(session: Session, case_id: uuid.UUID) -> list[Known] | None:
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


def references(
    record_type: str, data: dict[str, Any], uuids: dict[str, uuid.UUID] | None = None
) -> Iterator[Key]:
    """The records a record's data names: its foreign keys, or a conflict's target.
    ``uuids``: ids already made from their text (a batch names its parents many times)."""
    for name, target in _foreign_keys(record_type):
        key = _key(target, data.get(name), uuids)
        if key is not None:
            yield key
    if record_type == CONFLICT_TYPE:
        target_type = data.get(TARGET[0])
        if isinstance(target_type, str):
            key = _key(target_type, data.get(TARGET[1]), uuids)
            if key is not None:
                yield key


@cache
def _foreign_keys(record_type: str) -> tuple[tuple[str, str], ...]:
    fields = RECORD_TYPES.get(record_type, {})
    return tuple(
        (name, field.foreign_key) for name, field in fields.items() if field.foreign_key is not None
    )


def applied_changes(session: Session, change_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Any]:
    """The change-log rows of the change ids already applied (one query per chunk: a
    Core statement on the connection, without the session's ORM execution)."""
    found: dict[uuid.UUID, Any] = {}
    reads = _reads(session)
    connection = session.connection()
    for start in range(0, len(change_ids), CHUNK):
        chunk = change_ids[start : start + CHUNK]
        for row in connection.execute(reads.applied, {"ids": reads.ids(chunk)}):
            found[row.change_id] = row
    return found


@contextmanager
def batching(session: Session, cache: BatchRecords) -> Iterator[BatchRecords]:
    """:func:`find` answers from ``cache`` inside the block, and records are created
    pending (:func:`add_new`) until the block writes them."""
    session.info[CACHE] = cache
    event.listen(session, "do_orm_execute", cache.before_query)
    event.listen(session, "loaded_as_persistent", cache.loaded)
    try:
        yield cache
        cache.write_records(session)
    finally:
        event.remove(session, "do_orm_execute", cache.before_query)
        event.remove(session, "loaded_as_persistent", cache.loaded)
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
    """The record stored under this key (or created in this batch), None when absent:
    an ORM record, which the caller may change."""
    cache: BatchRecords | None = session.info.get(CACHE)
    if cache is None:
        return session.get(Record, (record_type, record_id))
    known = peek(session, record_type, record_id)
    if known is None or isinstance(known, Record):
        return known
    return cache._as_record(session, known)


def peek(session: Session, record_type: str, record_id: uuid.UUID) -> Known | None:
    """The record under this key as the batch knows it, to be read only (a plain
    :class:`Row` when read as a parent or created by the fast path); None when absent."""
    cache: BatchRecords | None = session.info.get(CACHE)
    if cache is None:
        return session.get(Record, (record_type, record_id))
    key = (record_type, record_id)
    try:
        return cache.records[key]
    except KeyError:  # so not created in this batch either
        pass
    cache.by_key = True
    try:
        found = cache.records[key] = session.get(Record, key)
    finally:
        cache.by_key = False
    return found


def batch_of(session: Session) -> BatchRecords | None:
    """The batch being merged in this session, if any."""
    cache: BatchRecords | None = session.info.get(CACHE)
    return cache


def add_row(cache: BatchRecords, row: Row) -> None:
    """A record created by the fast path: pending, written by the batch's executemany."""
    key = (row.record_type, row.record_id)
    cache.pending[key] = row
    cache.records[key] = row
    if row.record_type == CONSENT and row.case_id in cache.consents:
        cache.consents[row.case_id].append(row)


def forget(session: Session, record: Known) -> None:
    """A record created by a change that was then refused: absent again (and its row
    removed if a query of the batch had already written it)."""
    cache: BatchRecords | None = session.info.get(CACHE)
    key = (record.record_type, record.record_id)
    if cache is not None:
        cache.records[key] = None
        if cache.pending.pop(key, None) is not None:
            return
    if isinstance(record, Record) and record in session:
        session.expunge(record)
        session.connection().execute(
            delete(Record).where(
                Record.record_type == record.record_type, Record.record_id == record.record_id
            )
        )


def write_logs(session: Session) -> None:
    """Before reading the change log inside a batch: its rows so far written."""
    cache: BatchRecords | None = session.info.get(CACHE)
    if cache is not None:
        cache.write_logs(session)


def _key(record_type: str, value: Any, uuids: dict[str, uuid.UUID] | None = None) -> Key | None:
    if value is None:
        return None
    if uuids is not None and type(value) is str:
        known = uuids.get(value)
        if known is None:
            try:
                known = uuids[value] = uuid.UUID(value)
            except ValueError:
                return None
        return record_type, known
    try:
        return record_type, uuid.UUID(str(value))
    except ValueError:
        return None
