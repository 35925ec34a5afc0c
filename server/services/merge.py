"""The per-field merge of one pushed change (docs/sync-protocol.md "Push", rules 2-6).

A field is applied unless another device changed it since ``base_version`` to a value
different from ours: then the server's value stays (first committed wins) and a
``sync_conflict`` keeps both. Deleting a record someone else changed, or editing one
someone else deleted, is a conflict that keeps the record alive: nothing is silently
removed. The caller logs the result.

Records are found through :func:`server.services.lookups.find` (a push batch read them
all up front) and nothing is flushed here: the push writes its batch at once. So every
rule that may refuse a change (``Rejected``, ``WireError``) runs before anything but the
change's own record is written; the push puts that record back when a change is
refused, without a savepoint. A new rule with side effects (another record, a
``scope_exit``) keeps that order: refuse first, then write.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from passerelle_core.erasure import ANONYMISED_MARK
from passerelle_core.lifecycle import CREATE, DELETE, UPDATE
from passerelle_core.protocol import Change, ChangeResult
from server.core.tables import Record
from server.services import case_move, creation, lookups, transfers
from server.services.authorship import stamp
from server.services.conflicts import Side, author_of, create_conflict
from server.services.errors import Rejected
from server.services.permissions import check_change
from server.services.retention import erase_withheld
from server.services.scope import BENEFICIARY, Placement, Viewer, place
from server.services.sequence import SequenceAllocator
from server.services.store import create_record, replace_placement
from server.services.wire import (
    CONFLICT_TYPE,
    DELETED_FIELD,
    META_FIELDS,
    canonical,
    new_record_data,
    uuid_or_none,
)

RESOLUTION = "resolution"
RESOLVED_BY_AT = frozenset({"resolved_by", "resolved_at"})
OTHER = "other"


class Unread(enum.Enum):
    UNREAD = enum.auto()


UNREAD = Unread.UNREAD
"""The record of a change not looked up yet (:func:`apply_change` finds it)."""


@dataclass(frozen=True)
class Author:
    """Who pushes: the device (for field ownership) and its user (for scope and conflicts)."""

    device_id: uuid.UUID
    viewer: Viewer


@dataclass
class _Outcome:
    changed: dict[str, Any] = field(default_factory=dict)
    conflicts: list[tuple[str, Side, Side]] = field(default_factory=list)


def apply_change(
    session: Session,
    seqs: SequenceAllocator,
    author: Author,
    change: Change,
    values: dict[str, Any],
    record: Record | None | Unread = UNREAD,
) -> ChangeResult:
    """Apply one validated change; Rejected or WireError when it cannot be applied.
    ``record``: the change's record as the caller just found it (None: absent)."""
    if record is UNREAD:
        record = lookups.find(session, change.record_type, change.record_id)
    if record is None:
        if change.op == "delete":  # created and deleted offline: nothing to remove here
            return ChangeResult(change_id=change.change_id, status="applied")
        created = creation.create(session, seqs, author.viewer, author.device_id, change, values)
        if created is not None:  # the batch's fast path: no ORM object
            return created
        return _create(session, seqs, author, change, values)
    return _update(session, seqs, author, change, values, record)


def _create(
    session: Session,
    seqs: SequenceAllocator,
    author: Author,
    change: Change,
    values: dict[str, Any],
) -> ChangeResult:
    values = stamp(change.record_type, values, author.viewer.staff_id, creating=True)
    data = new_record_data(change.record_type, change.record_id, values)
    data = case_move.redirect(session, change.record_type, data)  # of a merged-away file
    if change.record_type == BENEFICIARY and data.get("team_id") is None:
        # Registered before the laptop knew its team (docs: "Placement"): the case joins
        # its creator's team, and the pull brings the placed record back to the laptop.
        data["team_id"] = canonical(author.viewer.team_id)
    placement = place(session, change.record_type, change.record_id, data)
    if change.record_type != BENEFICIARY and not (  # a new case is placed by its creator
        author.viewer.sees(placement)
        or transfers.recorded_by_sender(author.viewer, change.record_type, data)
        or transfers.sent_before_told(session, author.device_id, author.viewer, placement)
    ):
        _check_scope(author.viewer, placement)
    check_change(session, author.viewer, change.record_type, None, data, placement, CREATE)
    record = create_record(
        session, seqs, change.record_type, change.record_id, data, placement, author.device_id
    )
    return ChangeResult(change_id=change.change_id, status="applied", version=record.version)


def _update(
    session: Session,
    seqs: SequenceAllocator,
    author: Author,
    change: Change,
    values: dict[str, Any],
    record: Record,
) -> ChangeResult:
    before = Placement.of(record)
    # The laptop may not know yet that the case left it (server.services.transfers).
    late = not author.viewer.sees(before) and transfers.sent_before_told(
        session, author.device_id, author.viewer, before
    )
    if not late:
        _check_scope(author.viewer, before)
    values = stamp(record.record_type, values, author.viewer.staff_id, creating=False)
    deleting = change.op == "delete" or values.get(DELETED_FIELD) is not None
    operation = DELETE if deleting and not record.deleted else UPDATE
    check_change(session, author.viewer, record.record_type, record.data, values, before, operation)
    base = change.base_version or 0
    me = str(author.device_id)

    def changed_by_other(name: str) -> bool:
        return record.field_versions.get(name, 0) > base and record.field_devices.get(name) != me

    mine = Side(None, author.viewer.staff_id, change.recorded_at)
    resolving = record.record_type == CONFLICT_TYPE and _first_resolution(record, values)
    if record.record_type == CONFLICT_TYPE and not resolving and values.get(RESOLUTION):
        # Resolved differently elsewhere first: that resolution wins (commit order, no
        # clock); ours is kept as one conflict on the resolution, shown to people.
        values = {k: v for k, v in values.items() if k not in RESOLVED_BY_AT}
        _redeliver_target(session, seqs, record)  # the laptop showed its choice: undo it
    if change.op == "delete" or values.get(DELETED_FIELD) is not None:
        outcome = _delete(session, record, values, change, changed_by_other, mine)
    else:
        outcome = _edit(session, record, values, changed_by_other, mine)

    was_current = record.version == base
    if outcome.changed:
        _write(record, outcome.changed, me)
    after = before
    if outcome.changed:
        after = place(session, record.record_type, record.record_id, record.data)
        if after.case_id != before.case_id:  # only to the file it was merged into
            case_move.check_move(session, before, after)
        if record.record_type != BENEFICIARY and not (late and after == before):
            _check_scope(author.viewer, after)  # reassigning a case away is allowed
        replace_placement(session, seqs, record, after)
        if after.case_id != before.case_id:
            case_move.carry_descendants(session, seqs, record, before)
    if _retention_pushed(record, outcome.changed, author.viewer):
        erase_withheld(session, seqs, record, canonical(change.recorded_at))
    case_move.offer_to_kept(session, seqs, record, outcome.changed, mine)  # a late edit
    record.seq = seqs.next()  # every change is delivered again, conflicts included
    if resolving and record.data.get(RESOLUTION) == OTHER:
        _apply_other_value(session, seqs, record, me)
    conflict_ids = [
        create_conflict(session, seqs, record, name, kept, other)
        for name, kept, other in outcome.conflicts
    ]
    if conflict_ids:
        status = "conflict"
    else:
        status = "applied" if was_current else "merged"
    return ChangeResult(
        change_id=change.change_id,
        status=status,
        version=record.version,
        conflict_id=conflict_ids[0] if conflict_ids else None,
    )


def _edit(
    session: Session,
    record: Record,
    values: dict[str, Any],
    changed_by_other: Callable[[str], bool],
    mine: Side,
) -> _Outcome:
    outcome = _merge_fields(session, record, values, changed_by_other, mine)
    if record.deleted and changed_by_other(DELETED_FIELD) and DELETED_FIELD not in values:
        # Edited here, deleted elsewhere: the record lives on with the edit.
        deleter = author_of(session, record, DELETED_FIELD)
        outcome.conflicts.append((DELETED_FIELD, mine, deleter))
        outcome.changed[DELETED_FIELD] = None
    return outcome


def _merge_fields(
    session: Session,
    record: Record,
    values: dict[str, Any],
    changed_by_other: Callable[[str], bool],
    mine: Side,
) -> _Outcome:
    """Each field applied, unless another device changed it since: then a conflict."""
    outcome = _Outcome()
    for name, value in values.items():
        current = record.data.get(name)
        if value == current:
            continue
        if name in META_FIELDS or name == DELETED_FIELD or not changed_by_other(name):
            outcome.changed[name] = value  # (an undelete is never a loss)
            continue
        kept = author_of(session, record, name)
        outcome.conflicts.append((name, kept, Side(value, mine.by, mine.at)))
    return outcome


def _delete(
    session: Session,
    record: Record,
    values: dict[str, Any],
    change: Change,
    changed_by_other: Callable[[str], bool],
    mine: Side,
) -> _Outcome:
    # A deletion may carry field values: edits made before it (one upsert), or the whole
    # record sent again to a restored server. They are merged like any edit, so a record
    # kept alive (changed elsewhere) or revived later still holds them: never dropped.
    edits = {name: value for name, value in values.items() if name != DELETED_FIELD}
    outcome = _merge_fields(session, record, edits, changed_by_other, mine)
    if record.deleted:
        return outcome
    deleted_at = values.get(DELETED_FIELD) or canonical(change.recorded_at)
    others = [
        name for name in record.field_versions if name not in META_FIELDS and changed_by_other(name)
    ]
    if others:
        # Changed elsewhere, deleted here: the other edit wins and the record stays.
        latest = max(others, key=lambda name: record.field_versions[name])
        editor = author_of(session, record, latest)
        outcome.conflicts.append(
            (DELETED_FIELD, Side(None, editor.by, editor.at), Side(deleted_at, mine.by, mine.at))
        )
        return outcome
    for name in META_FIELDS & values.keys():
        outcome.changed[name] = values[name]
    outcome.changed[DELETED_FIELD] = deleted_at
    return outcome


def _first_resolution(conflict: Record, values: dict[str, Any]) -> bool:
    return conflict.data.get(RESOLUTION) is None and values.get(RESOLUTION) is not None


def _redeliver_target(session: Session, seqs: SequenceAllocator, conflict: Record) -> None:
    target = _target(session, conflict)
    if target is not None:
        target.seq = seqs.next()


def _target(session: Session, conflict: Record) -> Record | None:
    data = conflict.data
    return lookups.find(session, str(data.get("target_type")), uuid.UUID(str(data["target_id"])))


def _apply_other_value(
    session: Session, seqs: SequenceAllocator, conflict: Record, device: str
) -> None:
    """The first resolution choosing the other value: the server writes it into the
    record (laptops never send that edit, so a losing resolution changes nothing)."""
    data = conflict.data
    target = _target(session, conflict)
    name = str(data.get("field"))
    if target is None or name not in target.data:
        return
    if target.data.get(name) != data.get("kept_value"):
        # Changed again since the conflict: the other value is not forced over it; the
        # choice becomes a conflict with the current value, for a person to settle.
        chosen = Side(data.get("other_value"), uuid_or_none(data.get("resolved_by")), None)
        create_conflict(session, seqs, target, name, author_of(session, target, name), chosen)
        return
    _write(target, {name: data.get("other_value")}, device)
    target.seq = seqs.next()


def _write(record: Record, changed: dict[str, Any], device: str) -> None:
    version = record.version + 1
    record.version = version
    record.data = {**record.data, **changed}
    record.field_versions = {**record.field_versions, **dict.fromkeys(changed, version)}
    record.field_devices = {**record.field_devices, **dict.fromkeys(changed, device)}
    record.deleted = record.data.get(DELETED_FIELD) is not None


def _retention_pushed(record: Record, changed: dict[str, Any], viewer: Viewer) -> bool:
    """A case anonymised or purged by someone who does not hold its restricted records."""
    return (
        record.record_type == BENEFICIARY
        and not viewer.sees_restricted
        and record.data.get(ANONYMISED_MARK) is not None
        and (ANONYMISED_MARK in changed or DELETED_FIELD in changed)
    )


def _check_scope(viewer: Viewer, placement: Placement) -> None:
    if placement.restricted and not viewer.sees_restricted:
        raise Rejected("psychologist-only records are written by psychologists only")
    if not viewer.sees(placement):
        raise Rejected("this case is outside your scope")
