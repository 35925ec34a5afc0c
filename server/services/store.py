"""Writing the record store: new numbers for every write, placement kept consistent.

When a beneficiary changes team or assigned staff member, every record of the case
follows (new placement, new sequence number, so the new team pulls the whole case)
and a ``scope_exit`` row tells the team or person it left. When a session becomes
psychologist-only (or stops being so), its notes and the conflicts about them follow.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.core.tables import Record, ScopeExit
from server.services import lookups
from server.services.scope import BENEFICIARY, SESSION, Placement
from server.services.sequence import SequenceAllocator
from server.services.wire import CONFLICT_TYPE, DELETED_FIELD

NOTE = "session_note"


def create_record(
    session: Session,
    seqs: SequenceAllocator,
    record_type: str,
    record_id: uuid.UUID,
    data: Mapping[str, Any],
    placement: Placement,
    device_id: uuid.UUID | None,
) -> Record:
    """A new record at version 1; every field credited to ``device_id`` (None: the server)."""
    fields = [name for name in data if name != "id"]
    device = None if device_id is None else str(device_id)
    values = {
        "record_type": record_type,
        "record_id": record_id,
        "version": 1,
        "data": dict(data),
        "field_versions": dict.fromkeys(fields, 1),
        "field_devices": dict.fromkeys(fields, device),
        "deleted": data.get(DELETED_FIELD) is not None,
        "case_id": placement.case_id,
        "team_id": placement.team_id,
        "assigned_staff_id": placement.assigned_staff_id,
        "restricted": placement.restricted,
        "seq": seqs.next(),
    }
    # A push batch writes its new records at its end, in one INSERT (lookups.add_new).
    return lookups.add_new(session, values)


def replace_placement(
    session: Session, seqs: SequenceAllocator, record: Record, placement: Placement
) -> None:
    """Give ``record`` its new placement and carry the consequences to related records."""
    before = Placement.of(record)
    record.case_id = placement.case_id
    record.team_id = placement.team_id
    record.assigned_staff_id = placement.assigned_staff_id
    record.restricted = placement.restricted
    if record.record_type == BENEFICIARY and (before.team_id, before.assigned_staff_id) != (
        placement.team_id,
        placement.assigned_staff_id,
    ):
        _reassign_case(session, seqs, record.record_id, before, placement)
    if record.record_type == SESSION and before.restricted != placement.restricted:
        _restrict_session(session, seqs, record, placement.restricted)


def _reassign_case(
    session: Session,
    seqs: SequenceAllocator,
    case_id: uuid.UUID,
    before: Placement,
    after: Placement,
) -> None:
    left_team = before.team_id if before.team_id != after.team_id else None
    left_staff = (
        before.assigned_staff_id if before.assigned_staff_id != after.assigned_staff_id else None
    )
    if left_team is not None or left_staff is not None:
        session.add(
            ScopeExit(seq=seqs.next(), case_id=case_id, team_id=left_team, staff_id=left_staff)
        )
    records = session.scalars(
        select(Record).where(Record.case_id == case_id).order_by(Record.seq)
    ).all()
    for member in records:
        member.team_id = after.team_id
        member.assigned_staff_id = after.assigned_staff_id
        member.seq = seqs.next()  # the team that gains the case pulls all of it
    session.flush()


def _restrict_session(
    session: Session, seqs: SequenceAllocator, session_record: Record, restricted: bool
) -> None:
    session_id = str(session_record.record_id)
    notes = session.scalars(
        select(Record).where(Record.case_id == session_record.case_id, Record.record_type == NOTE)
    ).all()
    affected = {session_id}
    for note in notes:
        if note.data.get("session_id") == session_id:
            note.restricted = restricted
            note.seq = seqs.next()
            affected.add(str(note.record_id))
    conflicts = session.scalars(
        select(Record).where(
            Record.case_id == session_record.case_id, Record.record_type == CONFLICT_TYPE
        )
    ).all()
    for conflict in conflicts:
        if conflict.data.get("target_id") in affected:
            conflict.restricted = restricted
            conflict.seq = seqs.next()
    session.flush()
