"""A pushed record the server does not hold yet, created without ORM objects (issue 23).

A seeding push is almost all creations, parents before children. Inside a push batch
each is decided here on plain values: the authorship stamps, the record's complete
data, its placement from the parent as the batch read it (a plain
:class:`~server.services.lookups.Row`), the scope and role checks, its sequence number;
the new record is a ``Row`` written with the batch's executemany. The rules are the ones
of :func:`server.services.merge._create`, called in the same order with the same
messages, so the answers and stored records are the same
(tests/server/test_push_fast_create.py compares the two on both backends).

Anything unusual is left to the careful path (``None`` is returned before anything is
written): a record of a merged-away file (redirected to the kept one), a conflict
record, a record outside the pusher's scope (refused, or a transfer's late change),
a creation outside a batch.
"""

from __future__ import annotations

import uuid
from functools import lru_cache
from typing import Any

from sqlalchemy.orm import Session

from passerelle_core.lifecycle import CREATE
from passerelle_core.protocol import Change, ChangeResult
from passerelle_core.records import CASE_LINKS
from server.services import lookups
from server.services.authorship import stamp
from server.services.case_move import MERGED_INTO
from server.services.errors import Rejected
from server.services.permissions import check_change
from server.services.scope import BENEFICIARY, ORGANISATION, Placement, Viewer, own_restriction
from server.services.sequence import SequenceAllocator
from server.services.wire import CONFLICT_TYPE, DELETED_FIELD, canonical, new_record_data


def create(
    session: Session,
    seqs: SequenceAllocator,
    viewer: Viewer,
    device_id: uuid.UUID,
    change: Change,
    values: dict[str, Any],
) -> ChangeResult | None:
    """The new record's answer, or None: then the careful path decides (nothing done).

    Rejected or WireError exactly as the careful path raises them."""
    cache = lookups.batch_of(session)
    record_type = change.record_type
    if cache is None or record_type == CONFLICT_TYPE:
        return None
    record_id = change.record_id
    data = new_record_data(
        record_type, record_id, stamp(record_type, values, viewer.staff_id, creating=True)
    )
    placement = _placement(session, viewer, record_type, record_id, data, cache)
    if placement is None:
        return None
    check_change(session, viewer, record_type, None, data, placement, CREATE)
    row = lookups.Row()
    row.record_type = record_type
    row.record_id = record_id
    row.version = 1
    row.data = data
    row.field_versions, row.field_devices = _first_versions(tuple(data), device_id)
    row.deleted = data.get(DELETED_FIELD) is not None
    row.case_id = placement.case_id
    row.team_id = placement.team_id
    row.assigned_staff_id = placement.assigned_staff_id
    row.restricted = placement.restricted
    row.seq = seqs.next()
    row.new = True
    lookups.add_row(cache, row)
    return applied(change.change_id, 1)


_NEW = object.__new__
_SET = object.__setattr__
_APPLIED_FIELDS = ("change_id", "status", "version")


def applied(change_id: uuid.UUID, version: int) -> ChangeResult:
    """``ChangeResult(change_id=..., status="applied", version=...)`` built without
    validation, as ``model_construct`` builds it (the same fields, set fields, equal),
    a fifth of its cost: the id is the parsed change's, the rest constants (a seeding
    push answers thousands of these; tests/server/test_seed_fast_paths.py)."""
    result = _NEW(ChangeResult)
    _SET(result, "__dict__", {
        "change_id": change_id, "status": "applied", "version": version,
        "conflict_id": None, "error": None, "permanent": False,
    })  # fmt: skip
    _SET(result, "__pydantic_fields_set__", set(_APPLIED_FIELDS))
    _SET(result, "__pydantic_extra__", None)
    _SET(result, "__pydantic_private__", None)
    return result


@lru_cache(maxsize=1024)
def _first_versions(
    names: tuple[str, ...], device_id: uuid.UUID
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A new record's field versions and devices (every field but ``id`` at version 1,
    by ``device_id``): one pair of dicts for every record with the same fields, shared
    (the merge never changes them in place: ``merge._write`` makes new ones), so the
    batch's executemany encodes them once (``lookups.SHARED_COLUMNS``)."""
    fields = [name for name in names if name != "id"]
    return dict.fromkeys(fields, 1), dict.fromkeys(fields, str(device_id))


def _placement(
    session: Session,
    viewer: Viewer,
    record_type: str,
    record_id: uuid.UUID,
    data: dict[str, Any],
    cache: lookups.BatchRecords,
) -> Placement | None:
    """Where the record belongs (``scope.place`` on the batch's rows); None for the
    careful path: a merged-away parent file, or a placement the pusher does not see.
    ``cache``: the batch (its ids by their text, made by its reads; its placements)."""
    uuids = cache.uuids
    if record_type == BENEFICIARY:
        if data.get("team_id") is None:  # placed in its creator's team (merge._create)
            data["team_id"] = canonical(viewer.team_id)
        team, staff = data.get("team_id"), data.get("assigned_staff_id")
        return Placement(record_id, _as_uuid(uuids, team), _as_uuid(uuids, staff))
    link = CASE_LINKS.get(record_type)
    if link is None:
        return ORGANISATION
    field, parent_type = link
    parent_id = data.get(field)
    if parent_id is None:
        return ORGANISATION
    parent = lookups.peek(session, parent_type, _as_uuid(uuids, parent_id))
    if parent is None:
        # Outbox order puts parents first: the parent is probably still on its way.
        raise Rejected(f"{parent_type} {parent_id} is not on the server yet", permanent=False)
    restricted = own_restriction(record_type, data)
    # A parent's children share its placement: decided once per parent and batch (a
    # record the batch changed is another object: its children are placed afresh).
    known = cache.placements.get((id(parent), restricted))
    if known is not None and known[0] is parent:
        return known[1]
    if parent_type == BENEFICIARY and _merged(parent):
        return None  # redirected to the file it was merged into (case_move.redirect)
    placement = Placement(
        parent.case_id,
        parent.team_id,
        parent.assigned_staff_id,
        parent.restricted or restricted,
    )
    seen = placement if viewer.sees(placement) else None
    if isinstance(parent, lookups.Row):  # (an ORM record may change within the batch)
        cache.placements[(id(parent), restricted)] = (parent, seen)
    return seen


def _merged(parent: lookups.Known) -> bool:
    if isinstance(parent, lookups.Row):
        if parent._data is None and parent.merged is not None:  # read by the database
            return parent.merged
        return parent.get(MERGED_INTO) is not None
    return parent.data.get(MERGED_INTO) is not None


def _as_uuid(uuids: dict[str, uuid.UUID], value: Any) -> Any:
    """``uuid.UUID(str(value))`` (None for None), made once per text in a batch."""
    if value is None:
        return None
    if type(value) is str:
        made = uuids.get(value)
        if made is None:
            made = uuids[value] = uuid.UUID(value)
        return made
    return uuid.UUID(str(value))
