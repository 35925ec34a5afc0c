"""Before a beneficiary is registered: is this person perhaps already in the caseload?

The register dialog asks :func:`likely_matches` before saving and lists what it finds;
the counsellor opens the existing file, or saves anyway with a reason. Saving anyway
records, in the same transaction as the new file, a "not a duplicate" decision for each
file shown, with that reason and the counsellor's name (the decision is synced: the pair
is not proposed again, here or on the duplicates page of any laptop of the team).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.duplicates import Candidate, find_matches
from app.i18n import _, ngettext
from app.models import Beneficiary
from app.models.duplicate import DuplicateDecision, DuplicateVerdict
from app.services import beneficiaries
from app.services.context import ServiceContext
from app.services.errors import FieldError, ValidationFailed
from passerelle_core.enums import Sex

REASON_FIELD = "duplicate_reason"
MAX_REASON = 500


@dataclass(frozen=True)
class LikelyMatch:
    """A file of the caseload that may be the person being registered, as shown."""

    id: uuid.UUID
    name: str
    name_ar: str | None
    birth_date: date | None
    cin: str | None
    registration_number: str | None
    score: int
    reasons: tuple[str, ...]


def candidate(values: Mapping[str, Any]) -> Candidate | None:
    """The identity typed so far, or None while a name is missing."""
    last = str(values.get("last_name") or "").strip()
    first = str(values.get("first_name") or "").strip()
    if not last or not first:
        return None
    sex = values.get("sex")
    birth = values.get("birth_date")
    return Candidate(
        first_name=first,
        last_name=last,
        first_name_ar=_text(values.get("first_name_ar")),
        last_name_ar=_text(values.get("last_name_ar")),
        birth_date=birth if isinstance(birth, date) else None,
        cin=_text(values.get("cin")),
        registration_number=_text(values.get("registration_number")),
        sex=sex if isinstance(sex, Sex) else None,
    )


def likely_matches(
    ctx: ServiceContext, values: Mapping[str, Any], *, exclude_id: uuid.UUID | None = None
) -> list[LikelyMatch]:
    """Files of the local caseload likely to be the person in ``values``, best first."""
    typed = candidate(values)
    if typed is None:
        return []
    with ctx.reading() as session:
        matches = find_matches(session, typed, exclude_id=exclude_id)
        files = _files(session, [match.first_id for match in matches])
    found = []
    for match in matches:
        file = files.get(match.first_id)
        if file is None:
            continue
        found.append(
            LikelyMatch(
                id=file.id,
                name=file.display_name,
                name_ar=file.display_name_ar,
                birth_date=file.birth_date,
                cin=file.cin,
                registration_number=file.registration_number,
                score=match.score,
                reasons=match.reasons,
            )
        )
    return found


def register(
    ctx: ServiceContext,
    values: Mapping[str, Any],
    *,
    not_duplicates: Sequence[uuid.UUID] = (),
    reason: str | None = None,
) -> Beneficiary:
    """Register, saying why the files in ``not_duplicates`` (shown as likely) are others."""
    reason = (reason or "").strip()
    if not_duplicates and not reason:
        message = _("Say why this person is not the one already registered.")
        raise ValidationFailed([FieldError(REASON_FIELD, message)])
    if len(reason) > MAX_REASON:
        message = ngettext(
            "At most {count} character.", "At most {count} characters.", MAX_REASON
        ).format(count=MAX_REASON)
        raise ValidationFailed([FieldError(REASON_FIELD, message)])

    def decide(session: Session, new: Beneficiary) -> None:
        for other_id in dict.fromkeys(not_duplicates):
            session.add(
                DuplicateDecision(
                    beneficiary_id=new.id,
                    other_id=other_id,
                    verdict=DuplicateVerdict.NOT_DUPLICATE,
                    reason=reason,
                    decided_by_id=ctx.actor.staff_id,
                )
            )

    if not not_duplicates:
        return beneficiaries.register(ctx, values)
    return beneficiaries.register(ctx, values, also=decide)


def _text(value: object) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def _files(session: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, Beneficiary]:
    if not ids:
        return {}
    rows = session.scalars(select(Beneficiary).where(Beneficiary.id.in_(ids)))
    return {row.id: row for row in rows}
