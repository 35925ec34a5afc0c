"""A record moving to another case: only from a merged-away file to the file it was
merged into, and an offline record of a merged-away file lands on the kept one.

A merge (app.services.merge on a laptop) first marks the other file a tombstone
(``merged_into_id``), then moves every record of it to the kept file: this module lets
those moves through when the pushing user may write both cases (scope and role are
checked by the merge as for any change: the case before and after), and carries the
records below a moved one (a plan's goals and actions, a session's notes) to the kept
case. A laptop that had not heard of the merge and recorded something on the
merged-away file offline is *redirected*: its new record is stored on the kept file,
never lost, and the laptop pulls it back there; its edits of the merged-away file's own
fields stay on the tombstone and are offered on the kept file as conflicts.

Refusals come before any write here, as the push's merge requires.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from passerelle_core.records import CASE_LINKS
from server.core.tables import Record
from server.services import lookups
from server.services.conflicts import Side, author_of, create_conflict
from server.services.errors import Rejected
from server.services.scope import BENEFICIARY, Placement
from server.services.sequence import SequenceAllocator
from server.services.wire import DELETED_FIELD, META_FIELDS

MERGED_INTO = "merged_into_id"
MAX_CHAIN = 16
"""A file merged into a file itself merged later: followed this many steps at most."""


def kept_case(session: Session, case_id: uuid.UUID | None) -> uuid.UUID | None:
    """The file a merged-away file now lives in (after every later merge), or None."""
    current, kept = case_id, None
    for _ in range(MAX_CHAIN):
        if current is None:
            break
        case = lookups.find(session, BENEFICIARY, current)
        target = None if case is None else case.data.get(MERGED_INTO)
        if target is None:
            break
        current = kept = uuid.UUID(str(target))
    return kept


def redirect(session: Session, record_type: str, data: dict[str, Any]) -> dict[str, Any]:
    """A new record of a merged-away file, put on the kept file (its data otherwise
    unchanged): an offline laptop's session, consent or plan is never lost."""
    link = CASE_LINKS.get(record_type)
    if link is None or link[1] != BENEFICIARY or data.get(link[0]) is None:
        return data
    field = link[0]
    try:
        case_id = uuid.UUID(str(data[field]))
    except ValueError:
        return data
    kept = kept_case(session, case_id)
    if kept is None:
        return data
    return {**data, field: str(kept)}


def check_move(session: Session, before: Placement, after: Placement) -> None:
    """Rejected unless the record leaves a merged-away file for the file it was merged
    into (the caller checked the user's scope on both and the role for the write)."""
    if before.case_id is None or after.case_id is None:
        raise Rejected("a record cannot move to another case")
    if kept_case(session, before.case_id) != after.case_id:
        raise Rejected("a record cannot move to another case")


def carry_descendants(
    session: Session, seqs: SequenceAllocator, record: Record, before: Placement
) -> None:
    """Records below ``record`` in its old case (goals, actions, notes, conflicts about
    any of them) follow it to its new case, with new numbers so every laptop pulls them."""
    moved = {str(record.record_id)}
    members = session.scalars(
        select(Record).where(Record.case_id == before.case_id, Record.record_type != BENEFICIARY)
    ).all()
    changed = True
    while changed:
        changed = False
        for member in members:
            key = str(member.record_id)
            if key in moved:
                continue
            link = CASE_LINKS.get(member.record_type)
            parent = member.data.get("target_id") if member.record_type == "sync_conflict" else None
            if link is not None and link[1] != BENEFICIARY:
                parent = member.data.get(link[0])
            if parent is not None and str(parent) in moved:
                moved.add(key)
                member.case_id = record.case_id
                member.team_id = record.team_id
                member.assigned_staff_id = record.assigned_staff_id
                member.seq = seqs.next()
                changed = True


NOT_OFFERED = frozenset(
    {MERGED_INTO, "team_id", "assigned_staff_id", "case_status", "closed_on", "anonymised_on"}
)
"""Fields of a merged-away file whose late edits concern the tombstone only."""


def offer_to_kept(
    session: Session,
    seqs: SequenceAllocator,
    record: Record,
    changed: dict[str, Any],
    edit: Side,
) -> None:
    """An edit of a merged-away file by a laptop that had not heard of the merge: kept on
    the tombstone (its history) and offered on the kept file as one conflict per field
    that differs there, so a person chooses; never lost, never silently overwriting."""
    if record.record_type != BENEFICIARY or not changed.keys() - META_FIELDS - NOT_OFFERED:
        return
    if MERGED_INTO in changed or DELETED_FIELD in changed:
        return  # the merge itself (or a deletion): nothing to offer
    kept_id = kept_case(session, record.record_id)
    kept = None if kept_id is None else lookups.find(session, BENEFICIARY, kept_id)
    if kept is None or kept.deleted:
        return
    for name, value in changed.items():
        if name in META_FIELDS or name in NOT_OFFERED or kept.data.get(name) == value:
            continue
        create_conflict(
            session, seqs, kept, name, author_of(session, kept, name), Side(value, edit.by, edit.at)
        )
