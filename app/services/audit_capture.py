"""Writing the access log: one chained INSERT per unit of work, in that unit's transaction.

:func:`append` adds entries to this profile's chain. It first takes SQLite's write lock
(a no-op upsert of the profile's device id), then reads the last entry's hash through
the primary key and inserts the new entries: two writers can never chain onto the same
entry, and an entry commits or rolls back with the access it records.

Changes are recorded without any caller's help: the profile's flush pipeline
(:mod:`app.services.flush_pipeline`) calls :func:`record_changes` after every flush,
which writes one entry per synced record created, changed, deleted or resolved in the
flush, with the acting staff member of ``session.info`` and the case the pipeline
found for it. Pulled data is not recorded: it is written with Core, or under
``CAPTURE_OFF``; it was recorded on the device where the change was made.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Table, insert, inspect, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.models import AccessAction, AccessLogEntry, ProfileSetting, SyncConflict
from app.models.audit import DEVICE_SETTING
from app.models.base import utcnow
from app.services.context import ACTOR_KEY
from app.sync.capture import Captured, record_type_of
from passerelle_core.audit_protocol import GENESIS_HASH, entry_hash

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


def chain_tail(connection: Connection, device: uuid.UUID) -> tuple[int, str]:
    """This device's last entry: its number and hash (0 and the genesis hash at first)."""
    tail = connection.execute(
        select(ACCESS_LOG.c.seq, ACCESS_LOG.c.hash)
        .where(ACCESS_LOG.c.device_id == device)
        .order_by(ACCESS_LOG.c.seq.desc())
        .limit(1)
    ).first()
    return (int(tail.seq), str(tail.hash)) if tail is not None else (0, GENESIS_HASH)


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
    seq, previous = chain_tail(connection, device)
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


def record_changes(session: Session, captured: Sequence[Captured]) -> None:
    """Chain one entry per record of this flush worth recording (``captured``: its cases)."""
    accesses = [
        Access(action, change.record_type, change.record_id, change.case_id)
        for change in captured
        if (action := _action(session, change)) is not None
    ]
    append(session.connection(), session.info.get(ACTOR_KEY), accesses)


def _action(session: Session, change: Captured) -> AccessAction | None:
    instance = change.instance
    if instance in session.deleted:
        return AccessAction.DELETE
    if change.created:
        return AccessAction.CREATE
    return _edit_action(instance)


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
