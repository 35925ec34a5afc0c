"""Applying one pulled page: server states written with Core, in the caller's transaction.

A page holds current *states*, not deltas, so applying it twice is harmless: the page
and its cursor commit together, and a crash replays the page from the same cursor.

Three rules keep local work and integrity safe:

- a field with an edit waiting in the outbox (pending or inflight) is never
  overwritten: the push settles it, and the server re-delivers the record afterwards;
- a record whose parent is not here yet (a child delivered before its parent, possibly
  on a later page) is *held* in ``sync_held`` and stored as soon as the parent arrives,
  so the database never holds a dangling reference;
- a record that clashes with a local one (a unique CIN or referral reference) is held
  too, with the reason, instead of blocking every later page.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import compress
from operator import is_not, ne, or_
from typing import TypeVar

from sqlalchemy import Connection, Delete, Select, bindparam, delete, exists, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from app.models import OutboxState
from app.store import deferred_indexes
from app.sync import wire_plan, writes
from app.sync.decode import DIALECT, decoded_row, foreign_keys, insert_columns, stored_values
from app.sync.incoming import DecodedPage, HeldIndex, Incoming, Key, case_uuid
from app.sync.records import SYNCED_TYPES, WireError
from app.sync.state import (
    CURSOR,
    FIRST_SYNC_EXPECTED,
    HELD,
    OUTBOX,
    STATE,
    model_table,
    table_of,
)
from passerelle_core.protocol import RecordState

CHUNK = 500
WAITING = (OutboxState.PENDING, OutboxState.INFLIGHT)
HELD_MISSING_PARENT = "waiting for {table} {id}"
HELD_CLASH = "clashes with a local record"

T = TypeVar("T")
Held = dict[Key, tuple[Incoming, str, Key | None]]  # record, reason, parent waited for
RowReader = Callable[[Connection, str, list[str]], Mapping[str, tuple[object, ...] | None]]


@dataclass
class PageOutcome:
    applied: int = 0
    merged: int = 0  # records whose local pending fields were kept
    held: int = 0
    skipped: int = 0  # no longer used: unknown record types are held (newer server)
    case_ids: set[uuid.UUID] = field(default_factory=set)
    record_types: set[str] = field(default_factory=set)  # of the records written


@dataclass
class PullState:
    """What one pull learns across its pages: ids already stored, records held back.

    ``empty_types`` are the record types with no local row when the pull began: every
    row of theirs since was written by this pull and is in ``known``, so an initial sync
    never asks the database whether a record exists. (A record created on the laptop
    meanwhile is not on the server before the next push: it cannot arrive in this pull.)
    """

    known: set[Key] = field(default_factory=set)
    held: HeldIndex = field(default_factory=HeldIndex)
    empty_types: frozenset[str] | None = None
    # Sync state only this pull writes while it runs, kept here once read (or given by
    # the caller, read at the sync's start): each page then reads none of it again.
    left: set[str] | None = None  # cases waiting for removal (``LEFT_SCOPE``)
    first_sync: tuple[int, int] | None = None  # (expected, received so far) of a first sync
    first_sync_read: bool = False  # ``first_sync`` is known (None: no first sync running)
    start: tuple[int, bool] | None = None  # (cursor, fast path possible) known beforehand

    def forget(self) -> None:
        """After local rows were removed (cases left the scope): start afresh."""
        self.known.clear()
        self.held = HeldIndex()
        self.empty_types = None

    def find_empty_types(self, connection: Connection) -> frozenset[str]:
        if self.empty_types is None:
            found = connection.execute(_any_rows()).one()
            self.empty_types = frozenset(
                name for name, any_row in zip(SYNCED_TYPES, found, strict=True) if not any_row
            )
        return self.empty_types


@cache
def _any_rows() -> Select[*tuple[bool, ...]]:
    """Whether each synced table has a row, in one statement (one per table cost about
    as much as an incremental sync's writes)."""
    return select(*(exists(select(table_of(name).c.id)) for name in SYNCED_TYPES))


@contextlib.contextmanager
def fast_path(connection: Connection, looked: bool = True) -> Iterator[bool]:
    """An initial sync into an empty profile writes without secondary indexes and search
    index, built once when the pull stops, however it stops (True when it does).

    Taken when nothing local could be lost or mis-indexed by it: no outbox entry at all,
    and either no person yet with the cursor at 0, or a first sync still unfinished (a
    resumed one; a fast path killed earlier was completed when the profile was opened).
    The statements set aside are saved with the drop, so a kill at any point leaves
    either them (restored at the next unlock) or the whole schema.

    ``looked``: False when :func:`may_take_fast_path`, asked without the write lock,
    found it cannot be taken: an incremental sync then spends no write transaction
    here. Otherwise the check is made (again) in a write transaction.
    """
    taken = False
    if looked:
        with connection.begin():
            taken = may_take_fast_path(connection)
            if taken:
                deferred_indexes.defer(connection, {table_of(name).name for name in SYNCED_TYPES})
    try:
        yield taken
    finally:
        if connection.in_transaction():
            connection.rollback()
        if taken:
            with connection.begin():
                deferred_indexes.restore(connection)


def may_take_fast_path(connection: Connection) -> bool:
    """Whether :func:`fast_path` would be taken (asked on a reading connection first)."""
    return deferred_indexes.is_deferred(connection) or _fresh(connection)


_ANY_WAITING = select(OUTBOX.c.seq).where(OUTBOX.c.state.in_(WAITING)).limit(1)
"""Built once: a pull-back of many pages asks it on every page."""

_FRESH_STATE = select(STATE.c.key, STATE.c.value).where(
    STATE.c.key.in_((CURSOR, FIRST_SYNC_EXPECTED))
)


def _fresh(connection: Connection) -> bool:
    values = {key: value for key, value in connection.execute(_FRESH_STATE)}
    expected = values.get(FIRST_SYNC_EXPECTED) is not None
    if not expected and int(values.get(CURSOR) or 0) != 0:
        return False  # synced before, first sync finished: the usual incremental sync
    if connection.execute(select(OUTBOX.c.seq).limit(1)).first() is not None:
        return False
    if expected:
        return True
    people = model_table(SYNCED_TYPES["beneficiary"])
    return connection.execute(select(people.c.id).limit(1)).first() is None


class PageApplier:
    """Writes pulled states into the profile, within the caller's transaction."""

    def __init__(self, connection: Connection, pull: PullState | None = None) -> None:
        if connection.dialect.name != "sqlite":
            raise ValueError("pulled records are written to a SQLCipher profile")
        self.connection = connection
        self.pull = pull if pull is not None else PullState()
        self.known = self.pull.known
        self.held_before: set[Key] = set()

    def apply(self, states: Sequence[RecordState | Incoming] | DecodedPage) -> PageOutcome:
        if isinstance(states, DecodedPage):
            clean = self._apply_clean(states)
            if clean is not None:
                return clean
            states = states.records()
        return self._apply_careful(states)

    def _apply_careful(
        self, states: Sequence[RecordState | Incoming], arriving_too: Iterable[Key] = ()
    ) -> PageOutcome:
        """The careful path: existence, protected fields, parents, clashes, held records.
        ``arriving_too``: keys of the page written just before from its columns (their
        held children are retried here)."""
        outcome = PageOutcome()
        index = self.pull.held
        incoming: dict[Key, Incoming] = {}
        page: list[Incoming] = []
        for state in states:
            # A type this version does not know (a newer server) is not skipped: it fails
            # to decode below and is held, kept until an update of this laptop knows it.
            page.append(state if type(state) is Incoming else Incoming.of(state))
        arriving = [*(r.key for r in page), *arriving_too]
        retried = index.candidates(arriving) if index.loaded else index.load(self.connection)
        for waiting in retried:
            waiting.forget_decoding()  # compared afresh: its protected fields may be free now
            incoming[waiting.key] = waiting
        self.held_before = set(incoming)
        for record in page:
            key = record.key
            previous = incoming.get(key)
            if previous is None or previous.seq <= record.seq:
                incoming[key] = record
        held: Held = {}
        ready: list[Incoming] = []
        for record in incoming.values():
            if not record.decoded:
                fast = decoded_row(record.record_type, record.data, record.hex)
                if fast is not None:  # as the decoding process decodes a record
                    record.row, record.parents = fast
                    record.decoded = True
                    ready.append(record)
                    continue
                try:
                    record.values = stored_values(record.record_type, record.data)
                except WireError as error:
                    held[record.key] = (record, str(error), None)
                    continue
                record.values["id"] = record.hex
                record.decoded = True
            ready.append(record)
        if len(incoming) >= CHUNK:  # a large page: spare the reads of tables empty before
            self.pull.find_empty_types(self.connection)
        self._mark_existing(ready)
        outcome.merged = self._protect_waiting_fields(ready)
        for record, reason, parent in self._missing_parents(ready):
            held[record.key] = (record, reason, parent)
        ready = [r for r in ready if r.key not in held]
        # Records held before are retried apart: one that still clashes must not send
        # every later page down the slow one-by-one path.
        fresh = [r for r in ready if r.key not in self.held_before]
        again = [r for r in ready if r.key in self.held_before]
        for record in [*self._write(fresh), *self._write(again)]:
            held[record.key] = (record, HELD_CLASH, None)
        written = [r for r in ready if r.key not in held]
        self.known.update(r.key for r in written)
        writes.record_bases(self.connection, ((*r.key, r.version) for r in written))
        self._replace_held(held)
        outcome.applied = len(written)
        outcome.held = len(index.records)
        cases = {r.case_hex for r in written}
        outcome.case_ids = {case_uuid(case) for case in cases if case is not None}
        outcome.record_types = {r.record_type for r in written}
        return outcome

    def _apply_clean(self, page: DecodedPage) -> PageOutcome | None:
        """The records of a page that need none of the careful checks, written from its
        columns without an object per record, then the others the careful way (with the
        held records to retry); None (nothing written) when no record is clean.

        A record needs care when it was not decoded, is already here or held, or has a
        parent neither here nor among the page's clean records: on a server whose people
        were edited after their records were made, most pages hold a few children whose
        person comes later, and the rest of the page is written as on a first sync's
        usual page. What is written is what ``_apply_careful`` would write for the page."""
        index = self.pull.held
        if not index.loaded:
            return None
        keys = list(zip(page.types, page.hexes, strict=True))
        if len(set(keys)) != len(keys):
            return None  # a record twice in a page: the careful path keeps the newer
        empty = self.pull.find_empty_types(self.connection)
        known, held = self.known, index.records
        clean = {
            number
            for number, (key, row) in enumerate(zip(keys, page.rows, strict=True))
            if row is not None and key[0] in empty and key not in known and key not in held
        }
        while True:  # a record is clean once each parent is here or a clean arrival
            arriving = {keys[number] for number in clean}
            unfit = {
                number
                for number in clean
                if any(p not in arriving and p not in known for p in page.parents[number] or ())
            }
            if not unfit:
                break
            clean -= unfit
        if not clean:
            return None
        whole = len(clean) == len(keys)  # the usual page of a first sync
        chosen = range(len(keys)) if whole else sorted(clean)
        inserts: dict[str, list[tuple[object, ...]]] = {}
        if whole:
            for record_type, row in zip(page.types, page.rows, strict=True):
                inserts.setdefault(record_type, []).append(row)
        else:
            for number in chosen:
                inserts.setdefault(page.types[number], []).append(page.rows[number])
        try:
            with self.connection.begin_nested():
                for record_type, rows in _parents_first(inserts):
                    writes.insert_rows(self.connection, record_type, rows)
        except IntegrityError:
            return None
        known.update(arriving)
        bases: Iterable[tuple[str, str, int]]
        if whole:
            bases = zip(page.types, page.hexes, page.versions, strict=True)
            cases = set(page.cases)
        else:
            bases = ((page.types[n], page.hexes[n], page.versions[n]) for n in chosen)
            cases = {page.cases[n] for n in chosen}
        writes.record_bases(self.connection, bases)
        outcome = PageOutcome(
            applied=len(clean),
            case_ids={case_uuid(case) for case in cases if case is not None},
            record_types={kind for kind, _id in arriving},
        )
        careful = [] if whole else [page.record(n) for n in range(len(keys)) if n not in clean]
        if careful or (index.records and index.candidates(arriving)):
            rest = self._apply_careful(careful, arriving)
            outcome.applied += rest.applied
            outcome.merged += rest.merged
            outcome.case_ids |= rest.case_ids
            outcome.record_types |= rest.record_types
        else:
            self.held_before = set()
        outcome.held = len(index.records)
        return outcome

    # -- reading ----------------------------------------------------------------------

    def _mark_existing(self, records: list[Incoming]) -> None:
        by_type: dict[str, list[Incoming]] = {}
        for record in records:
            by_type.setdefault(record.record_type, []).append(record)
        for record_type, group in by_type.items():
            present = self._stored(record_type, [r.hex for r in group])
            for record in group:
                record.exists = record.hex in present
                if not record.exists:
                    continue
                record.stored = present[record.hex]
                if record.row is not None:
                    # An update: the fields it carries whose stored value differs, by
                    # name ({"id"} alone: stored as it is, nothing to write).
                    record.values = _differing_values(record)
                    record.row = None

    def _stored(self, record_type: str, ids: list[str]) -> dict[str, tuple[object, ...] | None]:
        """The local rows of those ids the profile holds (None: written by this pull, not
        read again; such a record is updated whole, as before)."""
        return self._read_unknown(record_type, ids, writes.stored_rows)

    def _existing(self, record_type: str, ids: Iterable[str]) -> set[str]:
        """Which of these stored ids are in the profile."""
        return set(self._read_unknown(record_type, list(ids), _ids_present))

    def _read_unknown(
        self, record_type: str, ids: list[str], read: RowReader
    ) -> dict[str, tuple[object, ...] | None]:
        """``read`` asked only for the ids neither ``known`` (spares most queries) nor in a
        table that was empty when the pull began; what it finds becomes known."""
        found: dict[str, tuple[object, ...] | None] = {
            i: None for i in ids if (record_type, i) in self.known
        }
        empty = self.pull.empty_types  # known for large pages and first syncs only
        if empty is not None and record_type in empty:
            return found
        wanted = [i for i in ids if i not in found]
        for chunk in _chunks(wanted):
            found.update(read(self.connection, record_type, chunk))
        self.known.update((record_type, i) for i in found)
        return found

    def _present(self, outside: dict[str, set[str]]) -> set[Key]:
        """Which of these stored ids (by record type) the profile holds: the parents a
        page refers to, of a few types, in one statement rather than one per type."""
        empty = self.pull.empty_types or frozenset()
        wanted = {t: sorted(ids) for t, ids in outside.items() if ids and t not in empty}
        if len(wanted) < 2 or sum(len(ids) for ids in wanted.values()) > CHUNK:
            return {(t, i) for t, ids in outside.items() for i in self._existing(t, ids)}
        found = _stored_keys(self.connection, wanted)
        self.known.update(found)
        return found

    def _protect_waiting_fields(self, records: list[Incoming]) -> int:
        """Drop from each update the fields an outbox change is still waiting to push."""
        updates = [r for r in records if r.exists]
        if not updates or self.connection.execute(_ANY_WAITING).first() is None:
            return 0
        by_type: dict[str, list[uuid.UUID]] = {}
        for record in updates:
            by_type.setdefault(record.record_type, []).append(record.record_id)
        waiting: dict[tuple[str, uuid.UUID], set[str]] = {}
        for record_type, ids in by_type.items():
            for chunk in _chunks(ids):
                query = select(OUTBOX.c.record_id, OUTBOX.c.fields).where(
                    OUTBOX.c.record_type == record_type,
                    OUTBOX.c.record_id.in_(chunk),
                    OUTBOX.c.state.in_(WAITING),
                )
                for record_id, fields in self.connection.execute(query):
                    waiting.setdefault((record_type, record_id), set()).update(fields)
        merged = 0
        for record in updates:
            names = waiting.get((record.record_type, record.record_id))
            if names:
                merged += 1
                for name in names:
                    record.values.pop(name, None)
        return merged

    def _missing_parents(self, records: list[Incoming]) -> list[tuple[Incoming, str, Key]]:
        """Records whose foreign keys point at rows neither stored nor arriving now, and
        then the records whose parent is one of those (it will not be stored either)."""
        arriving = {r.key for r in records}
        links = [(record, _parents(record)) for record in records]
        children: dict[Key, list[Incoming]] = {}
        outside: dict[str, set[str]] = {}
        for record, parents in links:
            for parent in parents:
                if parent in arriving:
                    children.setdefault(parent, []).append(record)
                elif parent not in self.known:
                    outside.setdefault(parent[0], set()).add(parent[1])
        present = self._present(outside)
        missing: list[tuple[Incoming, str, Key]] = []
        gone: set[Key] = set()
        for record, parents in links:
            for parent in parents:
                if parent not in arriving and parent not in self.known and parent not in present:
                    missing.append((record, _waiting_for(parent), parent))
                    gone.add(record.key)
                    break
        frontier = list(gone)
        while frontier:
            parent = frontier.pop()
            for child in children.get(parent, ()):
                if child.key not in gone:
                    missing.append((child, _waiting_for(parent), parent))
                    gone.add(child.key)
                    frontier.append(child.key)
        return missing

    # -- writing ----------------------------------------------------------------------

    def _write(self, records: list[Incoming]) -> list[Incoming]:
        """Insert or update every record; those clashing with a local row are returned."""
        if not records:
            return []
        try:
            with self.connection.begin_nested():
                self._write_all(records)
            return []
        except IntegrityError:
            pass
        clashing = []
        for record in records:  # one at a time, to find the culprits
            try:
                with self.connection.begin_nested():
                    self._write_all([record])
            except IntegrityError:
                clashing.append(record)
        return clashing

    def _write_all(self, records: list[Incoming]) -> None:
        inserts: dict[str, list[tuple[object, ...]]] = {}
        updates: dict[tuple[str, tuple[str, ...]], list[list[object]]] = {}
        for record in records:
            if record.exists:
                names = _changed(record)
                if not names:
                    continue  # every value as stored already: no row, index or trigger touched
                changed = [record.values[n] for n in names]
                changed.append(record.values["id"])
                updates.setdefault((record.record_type, names), []).append(changed)
            else:
                row = record.row if record.row is not None else _row_of_values(record)
                inserts.setdefault(record.record_type, []).append(row)
        for record_type, rows in _parents_first(inserts):
            writes.insert_rows(self.connection, record_type, rows)
        for (record_type, names), update_rows in updates.items():
            writes.update_many(self.connection, record_type, names, update_rows)

    def _replace_held(self, held: Held) -> None:
        """Keep ``sync_held`` and the in-memory index equal: release, then (re)hold."""
        index = self.pull.held
        released = [index.release(key) for key in self.held_before - held.keys()]
        gone = [{"kind": r.record_type, "id": r.record_id} for r in released if r is not None]
        if gone:  # one statement: a parent may release thousands of held descendants
            self.connection.execute(_release_held(), gone)
        if not held:
            return
        for record, _reason, parent in held.values():
            index.hold(record, parent)
        rows = [
            {
                "record_type": r.record_type,
                "record_id": r.record_id,
                "seq": r.seq,
                "version": r.version,
                "deleted": r.deleted,
                "data": r.data,
                "case_id": r.case_id,
                "reason": reason,
            }
            for r, reason, _parent in held.values()
        ]
        statement = sqlite_insert(HELD)
        excluded = statement.excluded
        statement = statement.on_conflict_do_update(
            index_elements=["record_type", "record_id"],
            set_={
                n: excluded[n] for n in ("seq", "version", "deleted", "data", "case_id", "reason")
            },
        )
        self.connection.execute(statement, rows)


@cache
def _release_held() -> Delete:
    return delete(HELD).where(
        HELD.c.record_type == bindparam("kind"), HELD.c.record_id == bindparam("id")
    )


_LOAD_ORDER = {name: number for number, name in enumerate(SYNCED_TYPES)}


def _parents_first(inserts: dict[str, list[T]]) -> list[tuple[str, list[T]]]:
    """Insert groups in the order of ``SYNCED_MODELS`` (parents before children).

    A child inserted before its parent in the same transaction is a pending violation of
    a deferred foreign key, and while any is pending SQLite searches the child tables
    for every parent row inserted after it; with the fast path's indexes set aside that
    search is a scan of the whole child table, per parent (held records released by a
    parent arrive in the order they were held: children and grandchildren mixed)."""
    return sorted(inserts.items(), key=lambda item: _LOAD_ORDER.get(item[0], len(_LOAD_ORDER)))


def _waiting_for(parent: Key) -> str:
    parent_type, parent_id = parent
    return HELD_MISSING_PARENT.format(table=parent_type, id=uuid.UUID(hex=parent_id))


def _parents(record: Incoming) -> list[Key]:
    if record.parents is not None:
        return record.parents
    return wire_plan.parents_of((insert_columns(record.record_type), _links(record)), record.values)


def _links(record: Incoming) -> tuple[tuple[str, str], ...]:
    return foreign_keys(record.record_type)


def _row_of_values(record: Incoming) -> tuple[object, ...]:
    return wire_plan.row_of((insert_columns(record.record_type), ()), record.values)


def _stored_keys(connection: Connection, wanted: Mapping[str, list[str]]) -> set[Key]:
    """(record type, stored id) of the ``wanted`` ids the profile holds, one statement."""
    parts, parameters = [], []
    for record_type, ids in wanted.items():
        table = DIALECT.identifier_preparer.quote(table_of(record_type).name)
        parts.append(f"SELECT ?, id FROM {table} WHERE id IN ({', '.join('?' for _ in ids)})")
        parameters += [record_type, *ids]
    rows = connection.exec_driver_sql(" UNION ALL ".join(parts), tuple(parameters))
    return {(kind, record_id) for kind, record_id in rows}


def _values_of_row(record: Incoming) -> dict[str, object]:
    """The stored values of the fields the record carries, from its insert row."""
    assert record.row is not None
    position = _positions(record.record_type)
    values = {name: record.row[position[name]] for name in record.data if name in position}
    values["id"] = record.hex
    return values


def _changed(record: Incoming) -> tuple[str, ...]:
    """The columns of an update whose value differs from the local row (all of them when
    the row was not read). Same value means same type too: ``1 == 1.0 == True`` in
    Python, yet SQLite may store them apart; a difference in doubt is written.
    (Compared inline, not through :func:`_differs`, and only the changed names sorted: a
    page of updates compares every carried column of every record.)"""
    values = record.values
    stored = record.stored
    if stored is None:
        return tuple(sorted(n for n in values if n != "id"))
    position = _positions(record.record_type)
    changed = [
        name
        for name, new in values.items()
        if name != "id"
        and (
            (number := position.get(name)) is None
            or new != stored[number]
            or type(new) is not type(stored[number])
        )
    ]
    changed.sort()
    return tuple(changed)


def _differs(new: object, old: object) -> bool:
    return new != old or type(new) is not type(old)


def _differing_values(record: Incoming) -> dict[str, object]:
    """The stored values of the fields the record carries that differ from the local row
    (same value means same type too, as in :func:`_changed`), with the id; every field it
    carries when the local row was not read (written by this pull).

    A pulled-back record (a seeding laptop's own changes, echoed) is usually stored as it
    is but for the local ``row_version``, or differs in a stamp the server set (who
    wrote it): the columns are compared in C, each with its type, and only the names
    that differ are looked at, instead of every field of every record in Python."""
    row, stored = record.row, record.stored
    if row is None or stored is None or len(row) != len(stored):
        return _values_of_row(record)
    names, local = _names(record.record_type)
    differing = compress(
        names,
        map(or_, map(ne, row, stored), map(is_not, map(type, row), map(type, stored))),
    )
    values: dict[str, object] = {"id": record.hex}
    for name in differing:
        if name not in local and record.carries(name):  # one not carried stays as stored
            values[name] = row[_positions(record.record_type)[name]]
    return values


@cache
def _positions(record_type: str) -> dict[str, int]:
    return {name: number for number, (name, _default) in enumerate(insert_columns(record_type))}


@cache
def _names(record_type: str) -> tuple[tuple[str, ...], frozenset[str]]:
    """The insert columns' names in order, and those only the laptop writes (never
    compared: ``row_version`` counts local writes)."""
    return tuple(name for name, _default in insert_columns(record_type)), LOCAL_COLUMNS


LOCAL_COLUMNS = frozenset({"row_version"})


def _ids_present(
    connection: Connection, record_type: str, ids: list[str]
) -> dict[str, tuple[object, ...] | None]:
    """The ids of ``ids`` stored locally, as a :data:`RowReader` that reads no row."""
    return dict.fromkeys(writes.existing_ids(connection, record_type, ids))


def _chunks(items: list[T]) -> Iterable[list[T]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]
