"""A pulled record on its way into the profile, and the records held back for later."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from sqlalchemy import Connection, select

from app.sync.decode import stored_id
from app.sync.records import SYNCED_TYPES
from app.sync.state import HELD
from passerelle_core.protocol import RecordState

Key = tuple[str, str]
"""(record type, stored id): how records are matched without building UUID objects."""


@dataclass
class Incoming:
    """One record state ready to be written: stored values, local protections applied."""

    record_type: str
    record_id: uuid.UUID
    seq: int
    version: int
    deleted: bool
    data: dict[str, Any]
    case_id: uuid.UUID | None
    values: dict[str, Any] = field(default_factory=dict)  # column -> stored value
    exists: bool = False

    @cached_property
    def key(self) -> Key:
        return (self.record_type, stored_id(self.record_id))

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
        key = record.key
        self.release(key)
        self.records[key] = record
        self.waiting_for[key] = parent
        if parent is not None:
            self.by_parent.setdefault(parent, set()).add(key)

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
        return record

    def candidates(self, arriving: Iterable[Key]) -> list[Incoming]:
        """Held records worth retrying with this page: those whose parent arrives (or is
        itself retried), newer states of held records, and those held for other reasons."""
        # Records of a type this version does not know wait for an update of the laptop:
        # retried once per pull (``load``), not on every page.
        keys = {
            k for k, parent in self.waiting_for.items() if parent is None and k[0] in SYNCED_TYPES
        }
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
