"""Merging two files of one person into the one kept, by a person, never automatically.

One transaction, so one synced change set: the other file becomes a tombstone first
(``merged_into_id``, flushed first so the server reads it before any move), then every
record of the other file (assessments, plans, sessions, referrals, consents, outcomes,
meeting decisions, and any other record linked to the case, deleted ones included, so
the history moves whole) is moved to the kept file, the kept file takes the values the
person picked, a ``duplicate_decision`` says who merged what, when and why, and the
access log names the merge. The server lets the moves through because the old case is
a tombstone of the new one (server/services/case_move.py), and puts a record a laptop
still creates offline on the tombstone onto the kept file.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import select

from app.i18n import _
from app.models import (
    AccessAction,
    Beneficiary,
    DuplicateDecision,
    DuplicateVerdict,
    Facility,
)
from app.services import audit
from app.services.context import ServiceContext
from app.services.duplicates import clean_reason, may_decide, pair_of, registered_name
from app.services.errors import NotAllowed, ServiceError
from app.store.live import everything
from app.sync.records import CASE_LINKS, SYNCED_TYPES

PICKABLE = (
    "last_name",
    "first_name",
    "last_name_ar",
    "first_name_ar",
    "cin",
    "registration_number",
    "birth_date",
    "sex",
    "legal_status",
    "facility_id",
    "intake_date",
    "expected_release_date",
    "actual_release_date",
    "phone",
    "address",
    "contact_person",
    "contact_phone",
)
"""Identity fields whose value the person picks from either file (the case's team,
counsellor and status stay the kept file's: a merge is not a transfer)."""

NOT_MOVED = frozenset({"sync_conflict"})
"""Conflicts stay with the record version they were about (the server's records)."""


class Side(StrEnum):
    KEPT = "kept"
    OTHER = "other"


def default_picks(kept: Beneficiary, other: Beneficiary) -> dict[str, Side]:
    """The kept file's values, but for the fields it lacks and the other file has."""
    return {
        name: Side.OTHER
        if getattr(kept, name) in (None, "") and getattr(other, name) not in (None, "")
        else Side.KEPT
        for name in PICKABLE
    }


def merge(
    ctx: ServiceContext,
    keep_id: uuid.UUID,
    other_id: uuid.UUID,
    *,
    picks: Mapping[str, Side] | None = None,
    reason: str | None = None,
) -> DuplicateDecision:
    """Merge ``other_id`` into ``keep_id``; ``picks`` says which file each field comes from
    (by default the kept file's, filling what it lacks)."""
    unknown = set(picks or {}) - set(PICKABLE)
    if unknown:
        raise ServiceError(
            _("These fields cannot be picked: {names}.").format(names=", ".join(sorted(unknown)))
        )
    with ctx.transaction() as session:
        kept, other = pair_of(session, keep_id, other_id)
        if not may_decide(ctx.actor, kept, other):
            raise NotAllowed(_("Only a supervisor or a counsellor of the case may decide."))
        chosen = {**default_picks(kept, other), **(picks or {})}
        values = {name: getattr(other, name) for name, side in chosen.items() if side == Side.OTHER}
        other.merged_into_id = kept.id
        session.flush()  # the tombstone reaches the outbox (and the server) before any move
        for record_type, (field, parent) in CASE_LINKS.items():
            model = SYNCED_TYPES.get(record_type)
            if parent != "beneficiary" or record_type in NOT_MOVED or model is None:
                continue
            column: Any = getattr(model, field)
            for row in session.scalars(everything(select(model).where(column == other.id))):
                setattr(row, field, kept.id)
        for name, value in values.items():
            setattr(kept, name, value)
        decision = DuplicateDecision(
            beneficiary_id=kept.id,
            other_id=other.id,
            verdict=DuplicateVerdict.MERGED,
            reason=clean_reason(reason),
            decided_by_id=ctx.actor.staff_id,
        )
        session.add(decision)
        session.flush()
        audit.record(session, AccessAction.MERGE, "beneficiary", other.id, case_id=kept.id)
        return decision


@dataclass(frozen=True)
class FieldPair:
    """One identity field of the two files, for the merge dialog (values in Python form;
    a facility as its name)."""

    name: str
    first: Any
    second: Any

    @property
    def differs(self) -> bool:
        return self.first != self.second


def side_by_side(
    ctx: ServiceContext, first_id: uuid.UUID, second_id: uuid.UUID
) -> tuple[str, str, list[FieldPair]]:
    """Both files' names as registered and every pickable field of each."""
    with ctx.reading() as session:
        first, second = pair_of(session, first_id, second_id)
        facilities = {
            f.id: f.name
            for f in session.scalars(
                select(Facility).where(Facility.id.in_([first.facility_id, second.facility_id]))
            )
        }

        def value(person: Beneficiary, name: str) -> Any:
            found = getattr(person, name)
            return facilities.get(found, found) if name == "facility_id" else found

        fields = [FieldPair(n, value(first, n), value(second, n)) for n in PICKABLE]
        return registered_name(first), registered_name(second), fields
