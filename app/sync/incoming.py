"""A pulled record on its way into the profile, and the records held back for later."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

import orjson
from sqlalchemy import Connection, select

from app.sync.records import SYNCED_TYPES, wire_columns
from app.sync.state import HELD
from passerelle_core.protocol import RecordState

Key = tuple[str, str]
"""(record type, stored id): how records are matched without building UUID objects."""


class Incoming:
    """One record state on its way into the profile: stored values, local protections.

    Ids travel as stored hex and the wire fields may stay JSON text until needed (a
    record decoded in the decoding process, :mod:`app.sync.decode_worker`): an initial
    sync builds neither UUID objects nor dictionaries it never reads.
    """

    __slots__ = (
        "record_type", "hex", "seq", "version", "deleted", "_data", "_page", "case_hex",
        "values", "exists", "decoded", "key", "row", "parents", "stored", "fields",
    )  # fmt: skip

    def __init__(
        self,
        record_type: str,
        hex_id: str,
        seq: int,
        version: int,
        deleted: bool,
        data: dict[str, Any] | None,
        case_hex: str | None,
        page: RawPage | None = None,
        row: tuple[Any, ...] | None = None,
        parents: list[Key] | None = None,
        fields: tuple[str, ...] | None = None,
    ) -> None:
        self.record_type = record_type
        self.hex = hex_id
        self.seq = seq
        self.version = version
        self.deleted = deleted
        self._data = data
        self._page = page
        self.case_hex = case_hex
        # Decoded in the decoding process: the insert's parameters and the references,
        # ready; ``values`` (stored values by column) are filled only if needed.
        self.row = row
        self.parents = parents
        self.decoded = row is not None
        self.values: dict[str, Any] = {}
        self.exists = False
        # The local row (insert columns' order) when it was read to compare: an update
        # then writes only the columns whose value changed, and nothing if none did.
        self.stored: tuple[Any, ...] | None = None
        self.key: Key = (record_type, hex_id)
        # From the decoding process: the names of the wire fields carried, None when
        # every field of the type is (see ``carries``).
        self.fields = fields

    def carries(self, name: str) -> bool:
        """Whether the record carries that field (an update leaves the others as stored).
        Known without its wire fields for a record decoded in the decoding process."""
        if self._data is not None or self._page is None:
            return name in self.data
        fields = self.fields
        return name in wire_names(self.record_type) if fields is None else name in fields

    def forget_decoding(self) -> None:
        """Compare and protect afresh next time (a held record retried: the local row and
        the fields waiting to be pushed may have changed). An insert row decoded from the
        wire fields is kept: it depends on nothing else (values are rebuilt from it)."""
        self.stored = None
        self.values = {}
        if self.row is None:
            self.decoded = False
            self.parents = None

    @property
    def record_id(self) -> uuid.UUID:
        return uuid.UUID(hex=self.hex)

    @property
    def case_id(self) -> uuid.UUID | None:
        return None if self.case_hex is None else case_uuid(self.case_hex)

    @property
    def data(self) -> dict[str, Any]:
        """The wire fields (kept for a held record)."""
        if self._data is None:
            self._data = self._page.data_of(self.hex) if self._page is not None else {}
        return self._data

    @classmethod
    def of(cls, state: RecordState | Incoming) -> Incoming:
        if isinstance(state, Incoming):
            return state
        case = state.case_id
        return cls(
            state.record_type,
            state.record_id.hex,
            state.seq,
            state.version,
            state.deleted,
            state.data,
            None if case is None else case.hex,
        )


class DecodedPage:
    """A page's records as the decoding process sends them: columns (see
    ``decode_worker.Columns``). ``Incoming`` objects are built only if the page needs
    the careful path (``records``); a clean page is written from the columns as they are."""

    __slots__ = (
        "types", "hexes", "seqs", "versions", "deletions", "cases", "rows", "parents",
        "fields", "_source", "_records",
    )  # fmt: skip

    def __init__(self, columns: tuple[list[Any], ...], source: RawPage) -> None:
        (
            self.types, self.hexes, self.seqs, self.versions, self.deletions, self.cases,
            self.rows, self.parents, self.fields,
        ) = columns  # fmt: skip
        self._source = source
        self._records: list[Incoming] | None = None

    def __len__(self) -> int:
        return len(self.types)

    def __iter__(self) -> Iterator[Incoming]:
        return iter(self.records())

    def records(self) -> list[Incoming]:
        if self._records is None:
            source = self._source
            self._records = [
                Incoming(kind, hex_id, seq, version, deleted, None, case, source, row, up, names)
                for kind, hex_id, seq, version, deleted, case, row, up, names in zip(
                    self.types, self.hexes, self.seqs, self.versions, self.deletions,
                    self.cases, self.rows, self.parents, self.fields, strict=True,
                )
            ]  # fmt: skip
        return self._records

    def record(self, number: int) -> Incoming:
        """The page's record at ``number`` alone (a few records of a page need care)."""
        if self._records is not None:
            return self._records[number]
        return Incoming(
            self.types[number], self.hexes[number], self.seqs[number], self.versions[number],
            self.deletions[number], None, self.cases[number], self._source, self.rows[number],
            self.parents[number], self.fields[number],
        )  # fmt: skip


class RawPage:
    """A pulled page's bytes, parsed only if one of its records' wire fields is needed
    (a record held back): the decoding process sends stored values only."""

    def __init__(self, raw: bytes) -> None:
        self._raw = raw
        self._data: dict[str, dict[str, Any]] | None = None

    def data_of(self, hex_id: str) -> dict[str, Any]:
        if self._data is None:
            records = orjson.loads(self._raw)["records"]
            self._data = {r["record_id"].replace("-", ""): r["data"] for r in records}
            self._raw = b""
        return self._data[hex_id]


@cache
def wire_names(record_type: str) -> frozenset[str]:
    """The wire fields of a record type (what a record carrying them all carries)."""
    return frozenset(wire_columns(record_type))


@lru_cache(maxsize=16384)
def case_uuid(hex_id: str) -> uuid.UUID:
    """Case ids repeat on every record of the case: built once each."""
    return uuid.UUID(hex=hex_id)


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
    unparented: set[Key] = field(default_factory=set)  # held for another reason
    loaded: bool = False

    def load(self, connection: Connection) -> list[Incoming]:
        """Every stored held record, once per pull: all are retried on the first page."""
        self.loaded = True
        for row in connection.execute(select(HELD)):
            case = None if row.case_id is None else row.case_id.hex
            record = Incoming(
                row.record_type, row.record_id.hex, row.seq, row.version, row.deleted, row.data,
                case,
            )  # fmt: skip
            self.hold(record, None)
        return list(self.records.values())

    def hold(self, record: Incoming, parent: Key | None) -> None:
        key = record.key
        self.release(key)
        self.records[key] = record
        self.waiting_for[key] = parent
        if parent is not None:
            self.by_parent.setdefault(parent, set()).add(key)
        else:
            self.unparented.add(key)

    def release(self, key: Key) -> Incoming | None:
        record = self.records.pop(key, None)
        if record is None:
            return None
        parent = self.waiting_for.pop(key)
        if parent is not None:
            children = self.by_parent[parent]
            children.discard(key)
            if not children:
                del self.by_parent[parent]
        else:
            self.unparented.discard(key)
        return record

    def candidates(self, arriving: Iterable[Key]) -> list[Incoming]:
        """Held records worth retrying with this page: those whose parent arrives (or is
        itself retried), newer states of held records, and those held for other reasons."""
        # Records of a type this version does not know wait for an update of the laptop:
        # retried once per pull (``load``), not on every page. Only the few held for
        # another reason than a parent are looked at: not every held record, every page.
        keys = {k for k in self.unparented if k[0] in SYNCED_TYPES}
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
