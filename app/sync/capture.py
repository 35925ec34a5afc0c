"""Change capture: every ORM edit of a synced record lands in the outbox, same transaction.

The profile's flush pipeline (:mod:`app.services.flush_pipeline`, registered on the
profile's own session factory) calls :func:`collect` after each flush, while the
attribute history still holds the values before it and the database already holds
the rows just written (so a new goal's plan, flushed alongside, can be walked to its
case), then :func:`write_outbox`. It writes one outbox row per record with plain Core
statements on the flush's own connection: the edit and its outbox row commit or roll
back together.

A record already waiting in the outbox (``pending``, not yet sent) absorbs later edits:
fields are merged, the first ``base_fields`` and ``base_version`` are kept, so the
server sees one change from the state it last sent us. Rows already ``inflight``, or at
or under the push's sent mark (``app.sync.push.SENT_THROUGH``), are never touched: a
resend must carry exactly what was sent.

Pulled data is applied with Core under :data:`CAPTURE_OFF`; bulk Core inserts (the
demo generator) bypass capture by design, :func:`app.sync.engine.queue_all` queues them.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, bindparam, event, insert, inspect, select, update
from sqlalchemy.orm import Session

from app.models import SYNCED_MODELS, OutboxState
from app.models.base import SyncedMixin, utcnow
from app.sync.records import CASE_LINKS, SYNCED_TYPES, record_to_wire, to_wire_value
from app.sync.state import BASE, OUTBOX, get, model_table, table_of

SENT_THROUGH = "push_sent_through"
"""``sync_state`` key: the highest outbox ``seq`` a push may have sent without its answer
settled (absent: none). Set by ``app.sync.push`` before each batch leaves; edits merge
only into pending rows above it."""

CAPTURE_OFF = "passerelle.sync.capture_off"
"""``session.info`` flag: set while applying pulled data, which must not echo back."""

ALWAYS_SENT = ("updated_at", "updated_by_id")
"""Stamped on every edit (by ``onupdate`` and the author listener): sent with each change."""


@dataclass
class Captured:
    """One record's change in this flush, before it is merged into the outbox."""

    record_type: str
    record_id: uuid.UUID
    fields: dict[str, Any]
    base_fields: dict[str, Any] = field(default_factory=dict)
    created: bool = False
    case_id: uuid.UUID | None = None
    hints: dict[str, Any] = field(default_factory=dict)  # other values, to find the case
    instance: object = None  # the flushed object (the pipeline reads its case link)


def record_type_of(instance: object) -> str | None:
    name = getattr(type(instance), "__tablename__", None)
    return name if name in SYNCED_TYPES else None


def collect(session: Session) -> list[Captured]:
    """The synced records this flush created, changed or deleted (nothing written yet)."""
    return [
        *(c for c in map(_creation, session.new) if c is not None),
        *(c for c in (_edit(i) for i in session.dirty) if c is not None),
        *(c for c in map(_removal, session.deleted) if c is not None),
    ]


def _creation(instance: object) -> Captured | None:
    record_type = record_type_of(instance)
    if record_type is None:
        return None
    fields = record_to_wire(instance)  # type: ignore[arg-type]
    record_id = fields.pop("id")
    return Captured(record_type, uuid.UUID(record_id), fields, created=True, instance=instance)


def _edit(instance: object) -> Captured | None:
    record_type = record_type_of(instance)
    if record_type is None:
        return None
    state = inspect(instance)
    fields: dict[str, Any] = {}
    base: dict[str, Any] = {}
    for name in _wire_names(record_type):
        history = state.attrs[name].history
        if not history.added:
            continue
        fields[name] = to_wire_value(history.added[0])
        if history.deleted:  # always known: see _track_old_values
            base[name] = to_wire_value(history.deleted[0])
    if not fields:
        return None
    for name in ALWAYS_SENT:
        fields.setdefault(name, to_wire_value(getattr(instance, name)))
    record_id = instance.id  # type: ignore[attr-defined]
    return Captured(record_type, record_id, fields, base, instance=instance)


def _removal(instance: object) -> Captured | None:
    """A hard ORM delete of a synced record still travels, as a soft deletion."""
    record_type = record_type_of(instance)
    if record_type is None:
        return None
    record = record_to_wire(instance)  # type: ignore[arg-type]
    fields = {"deleted_at": record["deleted_at"] or to_wire_value(utcnow())}
    record_id = uuid.UUID(record.pop("id"))
    return Captured(
        record_type, record_id, fields, {"deleted_at": None}, hints=record, instance=instance
    )


def _wire_names(record_type: str) -> list[str]:
    return _WIRE_NAMES[record_type]


_WIRE_NAMES: dict[str, list[str]] = {
    name: [c.name for c in model_table(model).columns if c.name not in ("id", "row_version")]
    for name, model in SYNCED_TYPES.items()
}


def op_for(fields: dict[str, Any], base_version: int | None) -> str:
    """``delete`` when the change sets ``deleted_at`` on a record the server already has."""
    if base_version is not None and fields.get("deleted_at") is not None:
        return "delete"
    return "upsert"


def write_outbox(
    connection: Connection, captured: list[Captured], walker: CaseWalker | None = None
) -> None:
    """Append (or merge into pending rows) the outbox rows of ``captured`` changes.

    A change whose case is not known yet is walked to it (``walker``: the caller's, to
    share what it already found).
    """
    walker = walker or CaseWalker(connection)
    by_type: dict[str, list[Captured]] = {}
    for change in captured:
        by_type.setdefault(change.record_type, []).append(change)
    now = utcnow()
    inserts: list[dict[str, Any]] = []
    merges: list[dict[str, Any]] = []
    sent = sent_through(connection)
    for record_type, changes in by_type.items():
        ids = [c.record_id for c in changes]
        bases = _base_versions(connection, record_type, ids)
        pending = _pending_rows(connection, record_type, ids, sent)
        for change in changes:
            if change.case_id is None:
                values = {**change.hints, **change.fields}
                change.case_id = walker.case_of(record_type, change.record_id, values)
            row = pending.get(change.record_id)
            if row is None or _keeps_apart(row, change):
                base_version = None if change.created else bases.get(change.record_id)
                inserts.append(_new_row(change, base_version, now))
            else:
                merges.append(_merged_row(row, change, now))
    if inserts:
        connection.execute(insert(OUTBOX), inserts)
    if merges:
        connection.execute(
            update(OUTBOX)
            .where(OUTBOX.c.seq == bindparam("b_seq"))
            .values(
                op=bindparam("b_op"),
                fields=bindparam("b_fields"),
                base_fields=bindparam("b_base_fields"),
                case_id=bindparam("b_case_id"),
                recorded_at=bindparam("b_recorded_at"),
            ),
            merges,
        )


def _keeps_apart(row: Any, change: Captured) -> bool:
    """A deletion never absorbs a pending edit of a record the server has.

    The server applies a delete as a whole or turns it into a conflict: edits merged
    into it would be dropped with it. Sent apart, the edit lands first, then the delete.
    """
    deleting = change.fields.get("deleted_at") is not None
    return deleting and row.base_version is not None and row.op != "delete"


def _new_row(change: Captured, base_version: int | None, now: Any) -> dict[str, Any]:
    return {
        "change_id": uuid.uuid4(),
        "record_type": change.record_type,
        "record_id": change.record_id,
        "op": op_for(change.fields, base_version),
        "base_version": base_version,
        "fields": change.fields,
        "base_fields": change.base_fields,
        "case_id": change.case_id,
        "recorded_at": now,
        "state": OutboxState.PENDING,
        "error": None,
        "attempts": 0,
    }


def _merged_row(row: Any, change: Captured, now: Any) -> dict[str, Any]:
    fields = {**row.fields, **change.fields}
    base_fields = {**change.base_fields, **row.base_fields}  # the first base wins
    if row.base_version is None:
        base_fields = {}  # a creation has no base: the server creates it whole
    return {
        "b_seq": row.seq,
        "b_op": op_for(fields, row.base_version),
        "b_fields": fields,
        "b_base_fields": base_fields,
        "b_case_id": change.case_id if change.case_id is not None else row.case_id,
        "b_recorded_at": now,
    }


def _base_versions(
    connection: Connection, record_type: str, ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, int]:
    query = select(BASE.c.record_id, BASE.c.version).where(
        BASE.c.record_type == record_type, BASE.c.record_id.in_(list(ids))
    )
    return {record_id: version for record_id, version in connection.execute(query)}


def _pending_rows(
    connection: Connection, record_type: str, ids: list[uuid.UUID], sent: int
) -> dict[Any, Any]:
    """Rows edits may merge into: pending and above the push's sent mark (``sent``)."""
    query = (
        select(OUTBOX)
        .where(
            OUTBOX.c.record_type == record_type,
            OUTBOX.c.record_id.in_(ids),
            OUTBOX.c.state == OutboxState.PENDING,
            OUTBOX.c.seq > sent,
        )
        .order_by(OUTBOX.c.seq)
    )
    return {row.record_id: row for row in connection.execute(query)}


def sent_through(connection: Connection) -> int:
    """The sent mark: rows at or under it may be on the server already (a push in
    progress, or one whose answer never came); a resend carries them as they were sent."""
    value = get(connection, SENT_THROUGH)
    return int(value) if value else 0


class CaseWalker:
    """Finds the beneficiary a record belongs to by following ``CASE_LINKS`` locally."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.cache: dict[tuple[str, uuid.UUID], uuid.UUID | None] = {}

    def case_of(
        self, record_type: str, record_id: uuid.UUID, fields: dict[str, Any]
    ) -> uuid.UUID | None:
        if record_type == "beneficiary":
            return record_id
        link = CASE_LINKS.get(record_type)
        if link is None:
            return None
        link_field, parent_type = link
        if link_field in fields:
            parent = fields[link_field]
        else:
            parent = self._column(record_type, record_id, link_field)
        if parent is None:
            return None
        return self._case_of_stored(parent_type, _as_uuid(parent))

    def _case_of_stored(self, record_type: str, record_id: uuid.UUID) -> uuid.UUID | None:
        key = (record_type, record_id)
        if key not in self.cache:
            if record_type == "beneficiary":
                self.cache[key] = record_id
            else:
                self.cache[key] = self.case_of(record_type, record_id, {})
        return self.cache[key]

    def _column(self, record_type: str, record_id: uuid.UUID, name: str) -> Any:
        table = table_of(record_type)
        return self.connection.execute(
            select(table.c[name]).where(table.c.id == record_id)
        ).scalar_one_or_none()


def _as_uuid(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _keep_old_value(_target: Any, value: Any, _old: Any, _initiator: Any) -> Any:
    return value


def track_old_values(models: Iterable[type[SyncedMixin]] = SYNCED_MODELS) -> None:
    """Load the previous value before any set, so ``base_fields`` is never unknown.

    Called by the flush pipeline when it is installed (idempotent), not at import.
    """
    for model in models:
        for column in model_table(model).columns:
            if column.name in ("id", "row_version"):
                continue
            attribute = getattr(model, column.key)
            if not event.contains(attribute, "set", _keep_old_value):
                event.listen(attribute, "set", _keep_old_value, active_history=True)
