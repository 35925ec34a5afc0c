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

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Table, bindparam, delete, insert, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from app.models import OutboxState
from app.sync.decode import decode
from app.sync.protocol import RecordState
from app.sync.records import SYNCED_TYPES, WireError
from app.sync.state import BASE, HELD, OUTBOX, table_of

CHUNK = 500
WAITING = (OutboxState.PENDING, OutboxState.INFLIGHT)
HELD_MISSING_PARENT = "waiting for {table} {id}"
HELD_CLASH = "clashes with a local record"


@dataclass
class Incoming:
    """One record state ready to be written: values parsed, local protections applied."""

    record_type: str
    record_id: uuid.UUID
    seq: int
    version: int
    deleted: bool
    data: dict[str, Any]
    case_id: uuid.UUID | None
    values: dict[str, Any] = field(default_factory=dict)
    exists: bool = False

    @classmethod
    def of(cls, state: RecordState) -> Incoming:
        return cls(
            state.record_type,
            state.record_id,
            state.seq,
            state.version,
            state.deleted,
            state.data,
            state.case_id,
        )


@dataclass
class PageOutcome:
    applied: int = 0
    merged: int = 0  # records whose local pending fields were kept
    held: int = 0
    skipped: int = 0  # unknown record types (a newer server)
    case_ids: set[uuid.UUID] = field(default_factory=set)


Key = tuple[str, uuid.UUID]


@dataclass
class HeldIndex:
    """The held records of one pull, in memory; ``sync_held`` is their durable copy.

    Reading and decoding every held record on every page costs O(pages x held): a server
    whose parents were edited after their children (every real one) holds thousands of
    children until the end of an initial sync. Here a record waiting for a parent is
    retried only on the page that brings that parent.
    """

    records: dict[Key, Incoming] = field(default_factory=dict)
    waiting_for: dict[Key, Key | None] = field(default_factory=dict)  # None: retry always
    by_parent: dict[Key, set[Key]] = field(default_factory=dict)
    loaded: bool = False

    def load(self, connection: Connection) -> list[Incoming]:
        """Every stored held record, once per pull: all are retried on the first page."""
        self.loaded = True
        for row in connection.execute(select(HELD)):
            record = Incoming(
                row.record_type, row.record_id, row.seq, row.version, row.deleted, row.data,
                row.case_id,
            )  # fmt: skip
            self.hold(record, None)
        return list(self.records.values())

    def hold(self, record: Incoming, parent: Key | None) -> None:
        key = (record.record_type, record.record_id)
        self.release(key)
        self.records[key] = record
        self.waiting_for[key] = parent
        if parent is not None:
            self.by_parent.setdefault(parent, set()).add(key)

    def release(self, key: Key) -> None:
        if self.records.pop(key, None) is None:
            return
        parent = self.waiting_for.pop(key)
        if parent is not None:
            children = self.by_parent[parent]
            children.discard(key)
            if not children:
                del self.by_parent[parent]

    def candidates(self, arriving: Iterable[Key]) -> list[Incoming]:
        """Held records worth retrying with this page: those whose parent arrives (or is
        itself retried), newer states of held records, and those held for other reasons."""
        keys = {k for k, parent in self.waiting_for.items() if parent is None}
        frontier = [*arriving, *keys]
        while frontier:
            key = frontier.pop()
            if key in self.records:
                keys.add(key)
            for child in self.by_parent.get(key, ()):
                if child not in keys:
                    keys.add(child)
                    frontier.append(child)
        return [self.records[k] for k in keys]


@dataclass
class PullState:
    """What one pull learns across its pages: ids already stored, records held back."""

    known: set[Key] = field(default_factory=set)
    held: HeldIndex = field(default_factory=HeldIndex)

    def forget(self) -> None:
        """After local rows were removed (cases left the scope): start afresh."""
        self.known.clear()
        self.held = HeldIndex()


class PageApplier:
    """Writes pulled states into the profile, within the caller's transaction."""

    def __init__(self, connection: Connection, pull: PullState | None = None) -> None:
        self.connection = connection
        self.pull = pull if pull is not None else PullState()
        self.known = self.pull.known
        self.held_before: set[Key] = set()

    def apply(self, states: Sequence[RecordState]) -> PageOutcome:
        outcome = PageOutcome()
        incoming: dict[Key, Incoming] = {}
        index = self.pull.held
        retried = index.candidates(
            (s.record_type, s.record_id) for s in states
        ) if index.loaded else index.load(self.connection)  # fmt: skip
        for waiting in retried:
            incoming[(waiting.record_type, waiting.record_id)] = waiting
        self.held_before = set(incoming)
        for state in states:
            if state.record_type not in SYNCED_TYPES:
                outcome.skipped += 1
                continue
            key = (state.record_type, state.record_id)
            previous = incoming.get(key)
            if previous is None or previous.seq <= state.seq:
                incoming[key] = Incoming.of(state)
        records = list(incoming.values())
        held: dict[Key, tuple[Incoming, str, Key | None]] = {}
        ready: list[Incoming] = []
        for record in records:
            try:
                record.values = decode(record.record_type, record.data)
            except WireError as error:
                held[(record.record_type, record.record_id)] = (record, str(error), None)
                continue
            record.values["id"] = record.record_id
            ready.append(record)
        self._mark_existing(ready)
        outcome.merged = self._protect_waiting_fields(ready)
        for record, reason, parent in self._missing_parents(ready):
            held[(record.record_type, record.record_id)] = (record, reason, parent)
        ready = [r for r in ready if (r.record_type, r.record_id) not in held]
        # Records held before are retried apart: one that still clashes must not send
        # every later page down the slow one-by-one path.
        fresh = [r for r in ready if (r.record_type, r.record_id) not in self.held_before]
        again = [r for r in ready if (r.record_type, r.record_id) in self.held_before]
        for record in [*self._write(fresh), *self._write(again)]:
            held[(record.record_type, record.record_id)] = (record, HELD_CLASH, None)
        written = [r for r in ready if (r.record_type, r.record_id) not in held]
        self.known.update((r.record_type, r.record_id) for r in written)
        self._record_bases(written)
        self._replace_held(held)
        outcome.applied = len(written)
        outcome.held = len(index.records)
        outcome.case_ids = {r.case_id for r in written if r.case_id is not None}
        return outcome

    # -- reading ----------------------------------------------------------------------

    def _mark_existing(self, records: list[Incoming]) -> None:
        by_type: dict[str, list[Incoming]] = {}
        for record in records:
            by_type.setdefault(record.record_type, []).append(record)
        for record_type, group in by_type.items():
            present = self._existing(record_type, [r.record_id for r in group])
            for record in group:
                record.exists = record.record_id in present

    def _existing(self, record_type: str, ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
        wanted = [i for i in ids if (record_type, i) not in self.known]
        found = {i for i in ids if (record_type, i) in self.known}
        table = table_of(record_type)
        for chunk in _chunks(wanted):
            query = select(table.c.id).where(table.c.id.in_(chunk))
            found.update(self.connection.execute(query).scalars())
        self.known.update((record_type, i) for i in found)
        return found

    def _protect_waiting_fields(self, records: list[Incoming]) -> int:
        """Drop from each update the fields an outbox change is still waiting to push."""
        updates = [r for r in records if r.exists]
        any_waiting = select(OUTBOX.c.seq).where(OUTBOX.c.state.in_(WAITING)).limit(1)
        if not updates or self.connection.execute(any_waiting).first() is None:
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
        """Records whose foreign keys point at rows neither stored nor arriving now."""
        arriving = {(r.record_type, r.record_id) for r in records}
        missing: list[tuple[Incoming, str, Key]] = []
        while True:
            found = self._missing_pass(records, arriving)
            if not found:
                return missing
            missing.extend(found)
            gone = {(r.record_type, r.record_id) for r, _reason, _parent in found}
            arriving -= gone
            records = [r for r in records if (r.record_type, r.record_id) not in gone]

    def _missing_pass(
        self, records: list[Incoming], arriving: set[Key]
    ) -> list[tuple[Incoming, str, Key]]:
        wanted: dict[str, set[uuid.UUID]] = {}
        for record in records:
            for parent_type, parent_id in _parents(record):
                if (parent_type, parent_id) not in arriving:
                    wanted.setdefault(parent_type, set()).add(parent_id)
        present = {(t, i) for t, ids in wanted.items() for i in self._existing(t, ids)}
        missing = []
        for record in records:
            for parent_type, parent_id in _parents(record):
                key = (parent_type, parent_id)
                if key not in arriving and key not in present:
                    reason = HELD_MISSING_PARENT.format(table=parent_type, id=parent_id)
                    missing.append((record, reason, key))
                    break
        return missing

    # -- writing ----------------------------------------------------------------------

    def _write(self, records: list[Incoming]) -> list[Incoming]:
        """Insert or update every record; those clashing with a local row are returned."""
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
        inserts: dict[str, list[dict[str, Any]]] = {}
        updates: dict[tuple[str, tuple[str, ...]], list[dict[str, Any]]] = {}
        for record in records:
            if record.exists:
                values = {k: v for k, v in record.values.items() if k != "id"}
                key = (record.record_type, tuple(sorted(values)))
                row = {f"v_{k}": v for k, v in values.items()}
                updates.setdefault(key, []).append({"k_id": record.record_id, **row})
            else:
                inserts.setdefault(record.record_type, []).append(
                    _full_row(table_of(record.record_type), record.values)
                )
        for record_type, rows in inserts.items():
            self.connection.execute(insert(table_of(record_type)), rows)
        for (record_type, names), rows in updates.items():
            table = table_of(record_type)
            statement = (
                update(table)
                .where(table.c.id == bindparam("k_id"))
                .values(
                    {
                        **{n: bindparam(f"v_{n}") for n in names},
                        "row_version": table.c.row_version + 1,
                    }
                )
            )
            self.connection.execute(statement, rows)

    def _record_bases(self, records: list[Incoming]) -> None:
        if not records:
            return
        rows = [
            {"record_type": r.record_type, "record_id": r.record_id, "version": r.version}
            for r in records
        ]
        statement = sqlite_insert(BASE)
        statement = statement.on_conflict_do_update(
            index_elements=["record_type", "record_id"],
            set_={"version": statement.excluded.version},
        )
        self.connection.execute(statement, rows)

    def _replace_held(self, held: dict[Key, tuple[Incoming, str, Key | None]]) -> None:
        """Keep ``sync_held`` and the in-memory index equal: release, then (re)hold."""
        index = self.pull.held
        for key in self.held_before - held.keys():
            index.release(key)
            record_type, record_id = key
            self.connection.execute(
                delete(HELD).where(HELD.c.record_type == record_type, HELD.c.record_id == record_id)
            )
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


def _full_row(table: Table, values: dict[str, Any]) -> dict[str, Any]:
    """Every column given (missing ones None, row_version 1): executemany needs one shape."""
    row = {c.name: values.get(c.name) for c in table.columns}
    row["row_version"] = 1
    return row


_FOREIGN_KEYS: dict[str, list[tuple[str, str]]] = {
    name: [
        (column.name, next(iter(column.foreign_keys)).column.table.name)
        for column in table_of(name).columns
        if column.foreign_keys
    ]
    for name in SYNCED_TYPES
}


def _parents(record: Incoming) -> list[tuple[str, uuid.UUID]]:
    parents = []
    for column, parent_type in _FOREIGN_KEYS[record.record_type]:
        value = record.values.get(column)
        if value is not None:
            parents.append((parent_type, value))
    return parents


def _chunks(items: list[uuid.UUID]) -> Iterable[list[uuid.UUID]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]
