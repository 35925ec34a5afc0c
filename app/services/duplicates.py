"""Likely duplicates of the caseload, and the decision that a pair is not one person.

The pairs come from the matching engine (:mod:`app.duplicates`); this module names
them for people (the page, the command line) and keeps the decisions: a pair
recorded as "not a duplicate" is never proposed again (the engine asks
:func:`app.duplicates.exclusions.dismissed_pairs`), a merged-away file is no
longer live, so it drops out of every list by itself (:mod:`app.store.live`).
Who may decide: supervisors, and the counsellors of either case (assigned to it, or
of its team).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.duplicates import find_all_pairs
from app.i18n import _
from app.models import Beneficiary, DuplicateDecision, DuplicateVerdict
from app.services.context import Actor, ServiceContext
from app.services.errors import NotAllowed, NotFound, ServiceError


@dataclass(frozen=True)
class LikelyPair:
    score: int
    first_id: uuid.UUID
    second_id: uuid.UUID
    first_name: str  # as registered: last and first name, the Arabic name if any
    second_name: str
    reasons: tuple[str, ...]
    first_names: tuple[str, str | None] = ("", None)  # Latin and Arabic, for screens
    second_names: tuple[str, str | None] = ("", None)


def registered_name(person: Beneficiary) -> str:
    """Last and first name as typed, then the Arabic name when there is one."""
    latin = f"{person.last_name} {person.first_name}"
    arabic = person.display_name_ar
    return f"{latin} ({arabic})" if arabic else latin


def _names(person: Beneficiary) -> tuple[str, str | None]:
    return f"{person.last_name} {person.first_name}", person.display_name_ar


def may_decide(actor: Actor, *people: Beneficiary) -> bool:
    """Supervisors, and the counsellors of either case."""
    if actor.is_supervisor:
        return True
    return any(
        person.assigned_staff_id == actor.staff_id
        or (actor.team_id is not None and person.team_id == actor.team_id)
        for person in people
    )


def likely_pairs(ctx: ServiceContext, *, threshold: int | None = None) -> list[LikelyPair]:
    """Pairs of live files that may be one person, best first, that this person may decide."""
    with ctx.reading() as session:
        matches = find_all_pairs(session, threshold=threshold)
        ids = {m.first_id for m in matches} | {m.second_id for m in matches}
        people = _people(session, ids)
        pairs = []
        for match in matches:
            first, second = people.get(match.first_id), people.get(match.second_id)
            if first is None or second is None or not may_decide(ctx.actor, first, second):
                continue
            pairs.append(
                LikelyPair(
                    match.score,
                    first.id,
                    second.id,
                    registered_name(first),
                    registered_name(second),
                    tuple(match.reasons),
                    _names(first),
                    _names(second),
                )
            )
        return pairs


def _people(session: Session, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, Beneficiary]:
    found: dict[uuid.UUID, Beneficiary] = {}
    wanted = list(ids)
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        for person in session.scalars(select(Beneficiary).where(Beneficiary.id.in_(chunk))):
            found[person.id] = person
    return found


def clean_reason(reason: str | None) -> str | None:
    return (reason or "").strip() or None


def pair_of(
    session: Session, first_id: uuid.UUID, second_id: uuid.UUID
) -> tuple[Beneficiary, Beneficiary]:
    """Both live files, distinct; NotFound otherwise."""
    if first_id == second_id:
        raise ServiceError(_("A file cannot be a duplicate of itself."))
    first = session.get(Beneficiary, first_id)
    second = session.get(Beneficiary, second_id)
    if first is None or second is None:
        raise NotFound(_("Beneficiary"))
    return first, second


def dismiss(
    ctx: ServiceContext, first_id: uuid.UUID, second_id: uuid.UUID, *, reason: str | None = None
) -> DuplicateDecision:
    """Record that the two files are two people: the pair is not proposed again."""
    with ctx.transaction() as session:
        first, second = pair_of(session, first_id, second_id)
        if not may_decide(ctx.actor, first, second):
            raise NotAllowed(_("Only a supervisor or a counsellor of the case may decide."))
        decision = DuplicateDecision(
            beneficiary_id=first.id,
            other_id=second.id,
            verdict=DuplicateVerdict.NOT_DUPLICATE,
            reason=clean_reason(reason),
            decided_by_id=ctx.actor.staff_id,
        )
        session.add(decision)
        return decision
