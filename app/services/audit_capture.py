"""Writing the access log: one chained INSERT per unit of work, in that unit's transaction.

:func:`append` adds entries to this profile's chain. It first takes SQLite's write lock
(a no-op upsert of the profile's device id), then reads the last entry's hash through
the primary key and inserts the new entries: two writers can never chain onto the same
entry, and an entry commits or rolls back with the access it records.

Changes are recorded without any caller's help: an ``after_flush`` listener on every
``Session`` (registered by importing this module, which :mod:`app.services.context`
does) writes one entry per synced record created, changed, deleted or resolved in the
flush, with the acting staff member of ``session.info``. Pulled data is not recorded:
it is written with Core, or under ``CAPTURE_OFF``; it was recorded on the device where
the change was made.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Table, event, insert, inspect, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, UOWTransaction

from app.models import AccessAction, AccessLogEntry, ProfileSetting, SyncConflict
from app.models.audit import DEVICE_SETTING
from app.models.base import utcnow
from app.services import context as service_context  # ACTOR_KEY (context imports us)
from app.sync.audit_protocol import GENESIS_HASH, entry_hash
from app.sync.capture import CAPTURE_OFF, CaseWalker, record_type_of
from app.sync.records import CASE_LINKS

ACCESS_LOG = cast(Table, AccessLogEntry.__table__)
SETTINGS = cast(Table, ProfileSetting.__table__)
STAMPED = frozenset({"updated_at", "updated_by_id", "row_version"})
"""Columns every edit touches: a change of these alone is no change worth recording."""


@dataclass(frozen=True)
class Access:
    """One access to record: what was done to which record (and its case)."""

    action: AccessAction
    record_type: str | None = None
    record_id: uuid.UUID | None = None
    case_id: uuid.UUID | None = None


def device_id(connection: Connection) -> uuid.UUID:
    """This profile's device id, made once (profiles older than it get one now).

    The upsert also takes SQLite's write lock before the chain's tail is read.
    """
    connection.execute(
        sqlite_insert(SETTINGS)
        .values(key=DEVICE_SETTING, value=str(uuid.uuid4()))
        .on_conflict_do_nothing(index_elements=["key"])
    )
    value = connection.execute(
        select(SETTINGS.c.value).where(SETTINGS.c.key == DEVICE_SETTING)
    ).scalar_one()
    return uuid.UUID(value)


def append(
    connection: Connection,
    staff_id: uuid.UUID | None,
    accesses: Sequence[Access],
    when: datetime | None = None,
) -> list[dict[str, Any]]:
    """Chain ``accesses`` onto this device's log in the caller's transaction."""
    if not accesses:
        return []
    device = device_id(connection)
    tail = connection.execute(
        select(ACCESS_LOG.c.seq, ACCESS_LOG.c.hash)
        .where(ACCESS_LOG.c.device_id == device)
        .order_by(ACCESS_LOG.c.seq.desc())
        .limit(1)
    ).first()
    seq, previous = (int(tail.seq), str(tail.hash)) if tail is not None else (0, GENESIS_HASH)
    moment = when or utcnow()
    rows = []
    for access in accesses:
        seq += 1
        row: dict[str, Any] = {
            "device_id": device,
            "seq": seq,
            "recorded_at": moment,
            "staff_id": staff_id,
            "action": access.action,
            "record_type": access.record_type,
            "record_id": access.record_id,
            "case_id": access.case_id,
            "prev_hash": previous,
        }
        row["hash"] = previous = entry_hash(row)
        rows.append(row)
    connection.execute(insert(ACCESS_LOG), rows)
    return rows


# -- changes, recorded at every flush ------------------------------------------------------


@event.listens_for(Session, "after_flush")
def _record_flush(session: Session, _context: UOWTransaction) -> None:
    if session.info.get(CAPTURE_OFF):
        return
    changed = [
        *((AccessAction.CREATE, i) for i in session.new),
        *((_edit_action(i), i) for i in session.dirty),
        *((AccessAction.DELETE, i) for i in session.deleted),
    ]
    found = [(action, i, t) for action, i in changed if action and (t := record_type_of(i))]
    if not found:
        return
    connection = session.connection()
    walker = CaseWalker(connection)
    accesses = [
        Access(action, record_type, instance.id, _case_of(walker, record_type, instance))
        for action, instance, record_type in found
    ]
    append(connection, session.info.get(service_context.ACTOR_KEY), accesses)


def _edit_action(instance: object) -> AccessAction | None:
    """UPDATE, or what the edit means: a soft deletion, a conflict resolved; None: no edit."""
    if record_type_of(instance) is None:
        return None
    state = inspect(instance)
    changed = [
        attribute.key
        for attribute in state.mapper.column_attrs
        if attribute.key not in STAMPED and state.attrs[attribute.key].history.added
    ]
    if not changed:
        return None
    if "deleted_at" in changed and getattr(instance, "deleted_at", None) is not None:
        return AccessAction.DELETE
    if isinstance(instance, SyncConflict) and "resolution" in changed:
        return AccessAction.RESOLVE_CONFLICT
    return AccessAction.UPDATE


def _case_of(walker: CaseWalker, record_type: str, instance: Any) -> uuid.UUID | None:
    link = CASE_LINKS.get(record_type)
    hints = {link[0]: getattr(instance, link[0], None)} if link else {}
    return walker.case_of(record_type, instance.id, hints)
