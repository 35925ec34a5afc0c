"""Writing an import's new beneficiaries in bulk, with what the flush pipeline would add.

Tens of thousands of ORM objects cost more in the unit of work than in SQLite: each one
is built, flushed, walked by the change capture and the access log. Here new
beneficiaries are plain rows, bound once as SQLAlchemy binds them and handed to the
driver's ``executemany`` (:mod:`app.services.import_bind`); the search index is filled
once, set-based, for the new rows; then come the same records the flush pipeline
(:mod:`app.services.flush_pipeline`) would have made for them, written in bulk too: the
author stamp, one outbox row per record (the rows :func:`app.sync.capture.write_outbox`
makes for a creation), one chained access-log entry per creation (the entries
:func:`app.services.audit_capture.append` makes) and the change notice of the
transaction (:func:`app.services.changes.note`).
``tests/services/test_import_bulk.py`` checks they match the per-row path.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from operator import itemgetter
from typing import Any, cast

from sqlalchemy import Column, Connection, Table
from sqlalchemy.orm import Session

from app.models import AccessAction, Beneficiary, OutboxState
from app.models.base import utcnow
from app.services import audit_capture, changes
from app.services.audit_capture import ACCESS_LOG
from app.services.import_bind import RowInsert
from app.store import deferred_indexes, search_index
from app.store.engine import bulk_cache
from app.sync import capture
from app.sync.records import to_wire_value, wire_columns
from app.sync.state import OUTBOX
from passerelle_core.audit_protocol import (
    CHAIN_VERSION,
    canonical_fields,
    entry_hash,
)

BENEFICIARY = cast(Table, Beneficiary.__table__)
RECORD_TYPE = "beneficiary"
INDEX_TRIGGER = "beneficiary_search_insert"
_CHUNK = 5_000  # rows per executemany: bounded memory for the bound tuples
_OUTBOX_NAMES = (
    "change_id", "record_type", "record_id", "op", "base_version", "fields", "base_fields",
    "case_id", "recorded_at", "state", "error", "attempts",
)  # fmt: skip
_LOG_NAMES = (
    "device_id", "seq", "recorded_at", "staff_id", "action", "record_type", "record_id",
    "case_id", "prev_hash", "hash",
)  # fmt: skip


class IndexesAside:
    """The secondary indexes of the tables an import fills, dropped while it writes its
    new rows and built once afterwards, in the import's one transaction.

    Each row otherwise updates seven B-trees of the beneficiary table, three of the
    outbox and three of the access log, keyed by random UUIDs; building an index from
    the finished table sorts its keys once. Worth it only when the import adds at
    least as many rows as the table holds (a rebuild reads the whole table): decided
    per table. The CIN index stays (every batch looks rows up by CIN), so do the unique
    keys (clashes are found while writing). A rollback or a crash undoes the drop with
    the rows (:func:`app.store.deferred_indexes.set_aside`).
    """

    TABLES = (BENEFICIARY.name, OUTBOX.name, ACCESS_LOG.name)
    KEPT = ("ix_beneficiary_cin",)

    def __init__(self, expected_rows: int) -> None:
        self.expected_rows = expected_rows
        self.statements: list[str] | None = None  # None: not decided yet

    def before_writing(self, connection: Connection) -> None:
        """Set the indexes aside (once, at the first write) where it pays."""
        if self.statements is not None:
            return
        tables = [t for t in self.TABLES if self.expected_rows >= _stored_rows(connection, t)]
        self.statements = deferred_indexes.set_aside(connection, tables, self.KEPT)

    def put_back(self, connection: Connection) -> None:
        """Build them again: before anything reads through them (the updates by CIN
        look up the outbox by record) and before the commit."""
        if self.statements:
            deferred_indexes.put_back(connection, self.statements)
        self.statements = []


def _stored_rows(connection: Connection, table: str) -> int:
    """About how many rows ``table`` holds (its largest rowid: no scan)."""
    found = connection.exec_driver_sql(f'SELECT max(rowid) FROM "{table}"').scalar_one()
    return int(found or 0)


def insert_beneficiaries(
    session: Session,
    actor_id: uuid.UUID | None,
    new_rows: list[dict[str, Any]],
    phases: dict[str, float] | None = None,
    index_texts: list[tuple[str, str, str]] | None = None,
    aside: IndexesAside | None = None,
) -> list[uuid.UUID]:
    """Insert ``new_rows`` (the fields a new Beneficiary would be built with); their ids.

    ``phases`` receives the seconds spent writing rows, their index, outbox and log.
    ``index_texts``: each row's search texts if computed already, in another process
    (:func:`app.services.import_check.index_texts`); otherwise the index computes them.
    ``aside``: indexes to drop at the first write; the caller puts them back
    (:meth:`IndexesAside.put_back`) before its transaction reads through them or ends.
    """
    phases = {} if phases is None else phases
    if not new_rows:
        return []
    connection = session.connection()
    bulk_cache(connection)  # the import's dirty pages stay in memory until its commit
    now = utcnow()
    if aside is not None:
        with timed(phases, "indexes"):
            aside.before_writing(connection)
    with timed(phases, "write"):
        rows = _complete_rows(new_rows, actor_id, now)
        trigger = _drop_index_trigger(connection)
        last = connection.exec_driver_sql("SELECT coalesce(max(rowid), 0) FROM beneficiary")
        after = int(last.scalar_one())
        statement = RowInsert(connection, BENEFICIARY, [c.key for c in BENEFICIARY.columns])
        for start in range(0, len(rows), _CHUNK):
            statement.execute(map(statement.bound_row, rows[start : start + _CHUNK]))
    with timed(phases, "index"):
        if trigger is not None:
            if index_texts is not None and len(index_texts) == len(rows):
                _index_texts_after(connection, after, index_texts)
            else:
                _index_rows_after(connection, after)
            connection.exec_driver_sql(trigger)
    with timed(phases, "outbox"):
        _write_outbox(connection, rows, now)
    ids = [row["id"] for row in rows]
    with timed(phases, "log"):
        append_creations(connection, actor_id, ids)
        changes.note(session, ((RECORD_TYPE, id_) for id_ in ids))
    return ids


def _drop_index_trigger(connection: Connection) -> str | None:
    """Drop the search index's insert trigger for this transaction; its DDL, to restore.

    Indexing the new rows once, set-based, costs half what the trigger costs row by row.
    The drop is part of the transaction: a failure or a crash rolls it back with the rows.
    """
    found = connection.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (INDEX_TRIGGER,)
    ).scalar_one_or_none()
    if found is not None:
        connection.exec_driver_sql(f"DROP TRIGGER {INDEX_TRIGGER}")
    return found


def _index_rows_after(connection: Connection, rowid: int) -> None:
    """What the insert trigger does, for every beneficiary stored after ``rowid``, in order."""
    connection.exec_driver_sql(
        "INSERT INTO beneficiary_search_map (beneficiary_id) "
        "SELECT id FROM beneficiary WHERE rowid > ? ORDER BY rowid",
        (rowid,),
    )
    source = (
        "FROM beneficiary AS b JOIN beneficiary_search_map AS m ON m.beneficiary_id = b.id "
        "WHERE b.rowid > ? ORDER BY b.rowid"
    )
    # The trigger's own expressions, read rather than copied: the two cannot drift apart.
    terms, identifiers = search_index._TERMS.format(t="b"), search_index._IDENTIFIERS.format(t="b")
    connection.exec_driver_sql(
        "INSERT INTO beneficiary_search (rowid, names, identifiers) "
        f"SELECT m.docid, {terms}, {identifiers} {source}",
        (rowid,),
    )
    connection.exec_driver_sql(
        "INSERT INTO beneficiary_search_infix (rowid, names) "
        f"SELECT m.docid, {search_index._FOLDED.format(t='b')} {source}",
        (rowid,),
    )


def _index_texts_after(
    connection: Connection, rowid: int, texts: list[tuple[str, str, str]]
) -> None:
    """Index the beneficiaries stored after ``rowid`` (in order: those of ``texts``)."""
    connection.exec_driver_sql(
        "INSERT INTO beneficiary_search_map (beneficiary_id) "
        "SELECT id FROM beneficiary WHERE rowid > ? ORDER BY rowid",
        (rowid,),
    )
    docids = (
        connection.exec_driver_sql(
            "SELECT m.docid FROM beneficiary AS b "
            "JOIN beneficiary_search_map AS m ON m.beneficiary_id = b.id "
            "WHERE b.rowid > ? ORDER BY b.rowid",
            (rowid,),
        )
        .scalars()
        .all()
    )
    connection.exec_driver_sql(
        "INSERT INTO beneficiary_search (rowid, names, identifiers) VALUES (?, ?, ?)",
        [
            (docid, terms, identifiers)
            for docid, (terms, identifiers, _f) in zip(docids, texts, strict=True)
        ],
    )
    connection.exec_driver_sql(
        "INSERT INTO beneficiary_search_infix (rowid, names) VALUES (?, ?)",
        [(docid, folded) for docid, (_t, _i, folded) in zip(docids, texts, strict=True)],
    )


def _write_outbox(connection: Connection, rows: list[dict[str, Any]], now: datetime) -> None:
    """The outbox rows the change capture makes for created records (``_creation``).

    A record created in this transaction has no pending outbox row nor server version to
    merge with: each gets a new row, ``upsert`` from no base, its own case.
    """
    statement = RowInsert(connection, OUTBOX, _OUTBOX_NAMES)
    to_json = statement.processor("fields")
    change_id = statement.processor("change_id")
    record_id = statement.processor("record_id")
    if to_json is None or change_id is None or record_id is None:
        raise RuntimeError("the outbox's JSON and UUID columns have processors")
    wire = _WireRow(RECORD_TYPE)
    constant = statement.bound(
        [None, RECORD_TYPE, None, None, None, None, {}, None, now, OutboxState.PENDING, None, 0]
    )
    _c, kind, _r, _o, _b, _f, no_base, _i, recorded_at, pending, no_error, attempts = constant

    def bound(row: dict[str, Any]) -> tuple[Any, ...]:
        fields = wire.of(row)
        id_ = record_id(row["id"])
        return (
            change_id(uuid.uuid4()), kind, id_, capture.op_for(fields, None), None,
            to_json(fields), no_base, id_, recorded_at, pending, no_error, attempts,
        )  # fmt: skip

    for start in range(0, len(rows), _CHUNK):
        statement.execute(map(bound, rows[start : start + _CHUNK]))


class _WireRow:
    """A row's fields as the outbox carries them (``record_to_wire`` without the id).

    Values other than text and numbers are converted once per distinct value: a team's
    id, an enum, a date shared by many rows.
    """

    def __init__(self, record_type: str) -> None:
        columns = [(name, column) for name, column in wire_columns(record_type).items()]
        self.names = [name for name, _column in columns if name != "id"]
        self._values = itemgetter(*self.names)
        self.converted: list[tuple[str, dict[Any, Any]]] = [
            (name, {}) for name, column in columns if name != "id" and not _plain(column)
        ]

    def of(self, row: dict[str, Any]) -> dict[str, Any]:
        """Every column in the wire's order (the JSON's), then the converted ones replaced
        in place (assigning an existing key keeps its position)."""
        fields = dict(zip(self.names, self._values(row), strict=True))
        for name, memo in self.converted:
            value = fields[name]
            if value is not None:
                wired = memo.get(value)
                if wired is None:
                    wired = memo[value] = to_wire_value(value)
                fields[name] = wired
        return fields


def append_creations(
    connection: Connection, staff_id: uuid.UUID | None, ids: list[uuid.UUID]
) -> None:
    """One access-log entry per record created (its own case), chained as ``append`` does.

    The entries differ only by their sequence number, record and previous hash: the
    other fields are put in their canonical form once and the varying ones substituted.
    The first entry's hash is checked against :func:`entry_hash`, the chain's definition;
    should they ever differ, every entry is hashed by the definition.
    """
    if not ids:
        return
    device = audit_capture.device_id(connection)
    seq, previous = audit_capture.chain_tail(connection, device)
    moment = utcnow()
    entry: dict[str, Any] = {
        "device_id": device, "seq": 0, "recorded_at": moment, "staff_id": staff_id,
        "action": AccessAction.CREATE, "record_type": RECORD_TYPE, "record_id": None,
        "case_id": None, "prev_hash": "",
    }  # fmt: skip
    payload = {**canonical_fields(entry), "v": CHAIN_VERSION}
    first = {**entry, "seq": seq + 1, "record_id": ids[0], "case_id": ids[0]}
    first["prev_hash"] = previous
    substituted = _Substituted(payload)
    fast = substituted.hash(seq + 1, ids[0], previous) == entry_hash(first)
    statement = RowInsert(connection, ACCESS_LOG, _LOG_NAMES)
    record_id = statement.processor("record_id")
    if record_id is None:
        raise RuntimeError("the access log's UUID columns have processors")
    device_, _s, recorded_at, staff, action, kind, *_rest = statement.bound(
        [device, 0, moment, staff_id, AccessAction.CREATE, RECORD_TYPE, None, None, "", ""]
    )
    rows: list[tuple[Any, ...]] = []
    for id_ in ids:
        seq += 1
        if fast:
            current = substituted.hash(seq, id_, previous)
        else:
            current = entry_hash(
                {**entry, "seq": seq, "record_id": id_, "case_id": id_, "prev_hash": previous}
            )
        bound_id = record_id(id_)
        rows.append(
            (device_, seq, recorded_at, staff, action, kind, bound_id, bound_id, previous, current)
        )
        previous = current
        if len(rows) >= _CHUNK:
            statement.execute(rows)
            rows = []
    statement.execute(rows)


_CANONICAL_JSON = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=True)


class _Substituted:
    """The hash of ``payload`` for each entry (a record that is its own case).

    The payload's canonical JSON is made once with markers in the varying places, then
    each entry's text is the pieces joined around its values (the sequence number as a
    JSON integer, the record id and previous hash as JSON strings): what encoding the
    whole payload again would give, at a fifth of the cost (the caller checks the first
    entry's hash against :func:`entry_hash`).
    """

    def __init__(self, payload: dict[str, Any]) -> None:
        text = _CANONICAL_JSON.encode({**payload, **_MARKS}).replace("{", "{{").replace("}", "}}")
        for name, mark in _MARKS.items():
            text = text.replace(f'"{mark}"', f"{{{name}}}")
        self.template = text

    def hash(self, seq: int, id_: uuid.UUID, previous: str) -> str:
        record = _json_text(str(id_))
        text = self.template.format(
            seq=int(seq), prev_hash=_json_text(previous), record_id=record, case_id=record
        )
        return hashlib.sha256(text.encode("ascii")).hexdigest()


_MARKS = {
    name: f"@passerelle-slot-{name}@" for name in ("seq", "prev_hash", "record_id", "case_id")
}
_json_text = json.encoder.encode_basestring_ascii


def _plain(column: Column[Any]) -> bool:
    """Text and numbers go on the wire as they are (``to_wire_value`` keeps them)."""
    try:
        kind = column.type.python_type
    except NotImplementedError:
        return False
    return kind in (str, int, bool, float)


def _complete_rows(
    new_rows: list[dict[str, Any]], actor_id: uuid.UUID | None, now: datetime
) -> list[dict[str, Any]]:
    """Every column, as the ORM would insert it: defaults applied, the author stamped."""
    template, made = _defaults()
    stamps: dict[str, Any] = {"created_at": now, "updated_at": now}
    if actor_id is not None:
        stamps["updated_by_id"] = actor_id
    made = [(name, make) for name, make in made if name not in stamps]
    rows = []
    for values in new_rows:
        row = {**template, **values, **stamps}
        for name, make in made:
            if name not in values:
                row[name] = make()
        rows.append(row)
    return rows


def _defaults() -> tuple[dict[str, Any], list[tuple[str, Callable[[], Any]]]]:
    """Column name -> its constant default (None when it has none); the called ones."""
    constant: dict[str, Any] = {}
    called: list[tuple[str, Callable[[], Any]]] = []
    for column in BENEFICIARY.columns:
        default = column.default
        constant[column.key] = None
        if default is None:
            continue
        if default.is_scalar:
            constant[column.key] = default.arg  # type: ignore[attr-defined]
        elif default.is_callable:
            called.append((column.key, _called(default.arg)))  # type: ignore[attr-defined]
        else:
            raise TypeError(f"unsupported default for beneficiary.{column.key}")
    return constant, called


def _called(function: Callable[[Any], Any]) -> Callable[[], Any]:
    return lambda: function(None)  # SQLAlchemy wraps a no-argument default to take a context


@contextmanager
def timed(phases: dict[str, float], name: str) -> Iterator[None]:
    """Add the wall seconds of the block to ``phases[name]``, its CPU seconds to ``name:cpu``."""
    started, started_cpu = time.perf_counter(), time.process_time()
    try:
        yield
    finally:
        phases[name] = phases.get(name, 0.0) + time.perf_counter() - started
        cpu = f"{name}:cpu"
        phases[cpu] = phases.get(cpu, 0.0) + time.process_time() - started_cpu
