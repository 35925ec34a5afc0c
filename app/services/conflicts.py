"""Sync conflicts: two values of one field, kept side by side until a person chooses.

Resolving is an edit of the conflict record (resolution, who, when), sent like any
other. When the other value is chosen it is shown at once on this laptop, but the server
applies it only if this resolution is the first it receives, so that two people who
choose differently end with one answer on every laptop (docs/sync-protocol.md).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from app.i18n import _
from app.models import AccessAction, StaffMember, SyncConflict
from app.models.base import utcnow
from app.models.sync import ConflictResolution
from app.services import audit_capture
from app.services.context import ServiceContext
from app.services.errors import NotFound, ServiceError
from app.store.live import ALL_RECORDS
from app.sync.capture import CAPTURE_OFF
from app.sync.records import SYNCED_TYPES, WireError, from_wire


@dataclass(frozen=True)
class ConflictView:
    """One open conflict with both sides, their authors' names and times."""

    id: uuid.UUID
    target_type: str
    target_id: uuid.UUID
    field: str
    case_id: uuid.UUID | None
    kept_value: Any
    kept_by: str | None
    kept_at: datetime | None
    other_value: Any
    other_by: str | None
    other_at: datetime | None


def open_conflicts(ctx: ServiceContext) -> list[ConflictView]:
    """Open conflicts, oldest first."""
    with ctx.reading() as session:
        conflicts = session.scalars(
            select(SyncConflict)
            .where(SyncConflict.resolution.is_(None))
            .order_by(SyncConflict.created_at, SyncConflict.id)
        ).all()
        authors = {c.kept_by for c in conflicts} | {c.other_by for c in conflicts}
        ids = [a for a in authors if a is not None]
        names = dict(
            session.execute(
                select(StaffMember.id, StaffMember.full_name).where(StaffMember.id.in_(ids))
            ).all()
        )
    return [
        ConflictView(
            id=c.id,
            target_type=c.target_type,
            target_id=c.target_id,
            field=c.field,
            case_id=c.case_id,
            kept_value=c.kept_value,
            kept_by=_name(names, c.kept_by),
            kept_at=c.kept_at,
            other_value=c.other_value,
            other_by=_name(names, c.other_by),
            other_at=c.other_at,
        )
        for c in conflicts
    ]


def resolve(
    ctx: ServiceContext, conflict_id: uuid.UUID, choice: ConflictResolution | str
) -> SyncConflict:
    """Choose the kept value or the other one; the choice travels like any edit."""
    try:
        resolution = ConflictResolution(choice)
    except ValueError:
        raise ServiceError(_("Choose either the kept value or the other value.")) from None
    with ctx.transaction() as session:
        conflict = session.get(SyncConflict, conflict_id)
        if conflict is None or conflict.deleted_at is not None:
            raise NotFound(_("Conflict"))
        if conflict.resolution is not None:
            raise ServiceError(_("This conflict was already resolved."))
        if resolution is ConflictResolution.OTHER:
            # Shown at once, but not sent as an edit: the server applies the other value
            # only if this resolution is the first it receives (docs/sync-protocol.md,
            # "Conflicts"), so two people choosing differently end with one answer.
            session.info[CAPTURE_OFF] = True
            try:
                _apply_other(session, conflict)
                session.flush()
            finally:
                session.info.pop(CAPTURE_OFF, None)
            # Not sent, but done by this person on this laptop: the access log says so.
            audit_capture.append(
                session.connection(),
                ctx.actor.staff_id,
                [
                    audit_capture.Access(
                        AccessAction.UPDATE,
                        conflict.target_type,
                        conflict.target_id,
                        conflict.case_id,
                    )
                ],
            )
        conflict.resolution = resolution
        conflict.resolved_by = ctx.actor.staff_id
        conflict.resolved_at = utcnow()
        return conflict


def _apply_other(session: Any, conflict: SyncConflict) -> None:
    model = SYNCED_TYPES.get(conflict.target_type)
    target = (
        None
        if model is None
        else session.get(model, conflict.target_id, execution_options={ALL_RECORDS: True})
    )
    if target is None:
        raise NotFound(_("The record of this conflict"))
    try:
        value = from_wire(conflict.target_type, {conflict.field: conflict.other_value})
    except WireError:
        raise ServiceError(_("The other value no longer fits this record.")) from None
    setattr(target, conflict.field, value[conflict.field])


def _name(names: dict[uuid.UUID, str], staff_id: uuid.UUID | None) -> str | None:
    if staff_id is None:
        return None
    return names.get(staff_id, str(staff_id))
