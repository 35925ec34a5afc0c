"""Case transfers on the server: who may record one, and what the sender may still send.

A transfer is two changes from a supervisor's laptop: a ``case_transfer`` record (the
case's history) and the beneficiary's new team or counsellor. Moving a case to another
team needs the transfer permission (:mod:`server.services.permissions`). Two rules keep
a transfer from losing anything:

- the supervisor of the team a case leaves may record its transfer even once the case
  is no longer theirs (their laptop may send the move before the record);
- a laptop that has not yet applied the pull that tells it the case left (the exit lies
  beyond the highest cursor it pulled from) may still send what it recorded for it: those
  edits were made while the case was its own, and the protocol promises they arrive
  before the case leaves the laptop (docs/sync-protocol.md, "Leaving scope").
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from passerelle_core.permissions import Permission, allows
from server.core.tables import Device, ScopeExit
from server.services.scope import Placement, Viewer

TRANSFER = "case_transfer"


def recorded_by_sender(viewer: Viewer, record_type: str, data: Mapping[str, Any]) -> bool:
    """A transfer recorded by a supervisor of the team the case left (or an admin)."""
    if record_type != TRANSFER or not allows(viewer.role, Permission.TRANSFER_CASE):
        return False
    return viewer.is_admin or (
        viewer.team_id is not None and data.get("from_team_id") == str(viewer.team_id)
    )


def sent_before_told(
    session: Session, device_id: uuid.UUID, viewer: Viewer, placement: Placement
) -> bool:
    """Whether the case left this user after the device last pulled (it did not know)."""
    if placement.case_id is None or (placement.restricted and not viewer.sees_restricted):
        return False
    left_me = [ScopeExit.staff_id == viewer.staff_id]
    if viewer.team_id is not None:
        left_me.append(ScopeExit.team_id == viewer.team_id)
    with session.no_autoflush:  # a push writes its batch at once: nothing flushed here
        device = session.get(Device, device_id)
        applied = None if device is None else device.applied_cursor or device.served_cursor
        found = session.scalar(
            select(func.count())
            .select_from(ScopeExit)
            .where(
                ScopeExit.case_id == placement.case_id,
                ScopeExit.seq > (applied or 0),
                or_(*left_me),
            )
        )
    return bool(found)
