"""Release, and what is known of a person 6, 12 and 24 months after it.

Each checkpoint has one live record per beneficiary: recording it again replaces what
was known (None stays "unknown"), so the indicators count each person once.
"""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select

from app.i18n import _
from app.models import Beneficiary, PostReleaseOutcome
from app.services.context import ServiceContext
from app.services.errors import ServiceError
from app.services.lookup import get_live
from app.services.validation import OptionalText, fail, parse, require_not_future, validate
from passerelle_core.enums import LegalStatus, OutcomeCheckpoint


class _Release(BaseModel):
    released_on: date


class _Outcome(BaseModel):
    # Not an InputModel: a blank date or answer is an error here, not "unknown".
    model_config = ConfigDict(extra="forbid")

    checkpoint: OutcomeCheckpoint
    recorded_on: date | None = None
    in_work_or_training: bool | None = None
    housing_secured: bool | None = None
    reincarcerated: bool | None = None
    notes: OptionalText = None


def record_release(
    ctx: ServiceContext, beneficiary_id: uuid.UUID, released_on: date
) -> Beneficiary:
    """The actual release date; the person's legal status becomes "released"."""
    day = validate(_Release, {"released_on": released_on}).released_on
    require_not_future(ctx, day, "released_on")
    with ctx.transaction() as session:
        beneficiary = get_live(session, Beneficiary, beneficiary_id, _("Beneficiary"))
        if beneficiary.birth_date is not None and day < beneficiary.birth_date:
            fail("released_on", _("The release date is before the birth date."))
        beneficiary.actual_release_date = day
        beneficiary.legal_status = LegalStatus.RELEASED
        return beneficiary


def record_outcome(
    ctx: ServiceContext,
    beneficiary_id: uuid.UUID,
    checkpoint: OutcomeCheckpoint,
    *,
    recorded_on: date | None = None,
    in_work_or_training: bool | None = None,
    housing_secured: bool | None = None,
    reincarcerated: bool | None = None,
    notes: str | None = None,
) -> PostReleaseOutcome:
    """Record (or record again) the outcome at a checkpoint of a released beneficiary."""
    fields = parse(_Outcome, locals())
    day = fields.recorded_on or ctx.today()
    require_not_future(ctx, day, "recorded_on")
    with ctx.transaction() as session:
        beneficiary = get_live(session, Beneficiary, beneficiary_id, _("Beneficiary"))
        released_on = beneficiary.actual_release_date
        if released_on is None or beneficiary.legal_status is not LegalStatus.RELEASED:
            raise ServiceError(_("Record the beneficiary's release first."))
        if day < released_on:
            fail("recorded_on", _("This date is before the release."))
        outcome = session.scalar(
            select(PostReleaseOutcome).where(
                PostReleaseOutcome.beneficiary_id == beneficiary_id,
                PostReleaseOutcome.checkpoint == fields.checkpoint,
            )
        )
        if outcome is None:
            outcome = PostReleaseOutcome(beneficiary_id=beneficiary_id)
            session.add(outcome)
        outcome.checkpoint, outcome.recorded_on = fields.checkpoint, day
        outcome.recorded_by_id = ctx.actor.staff_id
        outcome.in_work_or_training = fields.in_work_or_training
        outcome.housing_secured = fields.housing_secured
        outcome.reincarcerated = fields.reincarcerated
        outcome.notes = fields.notes
        return outcome


def list_outcomes(ctx: ServiceContext, beneficiary_id: uuid.UUID) -> list[PostReleaseOutcome]:
    """The beneficiary's outcomes in checkpoint order (6, 12, then 24 months)."""
    with ctx.reading() as session:
        query = select(PostReleaseOutcome).where(
            PostReleaseOutcome.beneficiary_id == beneficiary_id,
        )
        outcomes = list(session.scalars(query))
    return sorted(outcomes, key=lambda outcome: int(outcome.checkpoint.value))
