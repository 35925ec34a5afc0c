"""``sync_conflict`` records: both values of a field, both authors and both times.

The kept value is the one already on the server (first committed wins); its author and
time come from the change log entry that produced the field's version. Times are the
devices' ``recorded_at``: shown to people, never used to decide anything.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from passerelle_core.columns import utcnow
from server.core.tables import ChangeLog, Record
from server.services import lookups
from server.services.scope import Placement
from server.services.sequence import SequenceAllocator
from server.services.store import create_record
from server.services.wire import CONFLICT_TYPE, canonical


@dataclass(frozen=True)
class Side:
    """One of the two values: what, by whom (staff id), when (device clock)."""

    value: Any
    by: uuid.UUID | None
    at: datetime | None


def author_of(session: Session, record: Record, field: str) -> Side:
    """Who wrote the current value of ``field``, from the change that produced its version."""
    version = record.field_versions.get(field)
    device = record.field_devices.get(field)
    value = record.data.get(field)
    if version is None or device is None:  # written by the server (admin command)
        return Side(value, None, None)
    lookups.write_logs(session)  # a push batch writes its log at the end
    row = session.execute(
        select(ChangeLog.user_id, ChangeLog.recorded_at)
        .where(
            ChangeLog.record_type == record.record_type,
            ChangeLog.record_id == record.record_id,
            ChangeLog.version == version,
            ChangeLog.device_id == uuid.UUID(device),
        )
        .order_by(ChangeLog.id)
        .limit(1)
    ).first()
    if row is None:
        return Side(value, None, None)
    return Side(value, row.user_id, row.recorded_at)


def create_conflict(
    session: Session,
    seqs: SequenceAllocator,
    target: Record,
    field: str,
    kept: Side,
    other: Side,
) -> uuid.UUID:
    """A new open conflict about ``target.field``, placed (and so visible) like its target."""
    conflict_id = uuid.uuid4()
    now = canonical(utcnow())
    data = {
        "id": str(conflict_id),
        "target_type": target.record_type,
        "target_id": str(target.record_id),
        "field": field,
        "kept_value": kept.value,
        "kept_by": canonical(kept.by),
        "kept_at": canonical(kept.at),
        "other_value": other.value,
        "other_by": canonical(other.by),
        "other_at": canonical(other.at),
        "resolution": None,
        "resolved_by": None,
        "resolved_at": None,
        "case_id": canonical(target.case_id),
        "created_at": now,
        "updated_at": now,
        "updated_by_id": None,
        "deleted_at": None,
    }
    create_record(
        session, seqs, CONFLICT_TYPE, conflict_id, data, Placement.of(target), device_id=None
    )
    return conflict_id
