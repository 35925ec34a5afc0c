"""Release and post-release outcomes: one live record per checkpoint, updated in place."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.models import Beneficiary, PostReleaseOutcome
from app.services import beneficiaries, outcomes
from app.services.context import ServiceContext
from app.services.errors import ServiceError, ValidationFailed
from app.store.profile import Profile
from passerelle_core.enums import LegalStatus, OutcomeCheckpoint

SIX, TWELVE, TWENTY_FOUR = OutcomeCheckpoint


@pytest.fixture
def person(ctx: ServiceContext) -> Beneficiary:
    return beneficiaries.register(
        ctx, {"last_name": "Naciri", "first_name": "Adil", "birth_date": date(1990, 5, 1)}
    )


def _rows(profile: Profile) -> int:
    with profile.sessions() as session:
        return session.scalar(select(func.count()).select_from(PostReleaseOutcome)) or 0


def test_release_then_outcomes_updated_in_place(
    ctx: ServiceContext, person: Beneficiary, profile: Profile
) -> None:
    with pytest.raises(ServiceError, match="release"):
        outcomes.record_outcome(ctx, person.id, SIX, housing_secured=True)

    released_on = ctx.today() - timedelta(days=400)
    released = outcomes.record_release(ctx, person.id, released_on)
    assert (released.actual_release_date, released.legal_status) == (
        released_on,
        LegalStatus.RELEASED,
    )

    first = outcomes.record_outcome(
        ctx, person.id, SIX, in_work_or_training=False, housing_secured=True, notes="Chez sa sœur"
    )
    assert (first.recorded_on, first.recorded_by_id) == (ctx.today(), ctx.actor.staff_id)
    again = outcomes.record_outcome(
        ctx, person.id, SIX, in_work_or_training=True, housing_secured=True, reincarcerated=False
    )
    assert again.id == first.id
    assert again.row_version == first.row_version + 1
    assert (again.in_work_or_training, again.reincarcerated, again.notes) == (True, False, None)
    assert _rows(profile) == 1

    outcomes.record_outcome(ctx, person.id, TWELVE, reincarcerated=True)
    listed = outcomes.list_outcomes(ctx, person.id)
    assert [o.checkpoint for o in listed] == [SIX, TWELVE]
    assert listed[1].in_work_or_training is None  # unknown stays unknown
    assert _rows(profile) == 2


def test_outcome_dates_checked(ctx: ServiceContext, person: Beneficiary) -> None:
    released_on = ctx.today() - timedelta(days=30)
    outcomes.record_release(ctx, person.id, released_on)
    with pytest.raises(ValidationFailed, match="recorded_on"):
        outcomes.record_outcome(ctx, person.id, SIX, recorded_on=released_on - timedelta(days=1))
    with pytest.raises(ValidationFailed, match="recorded_on"):
        outcomes.record_outcome(ctx, person.id, SIX, recorded_on=ctx.today() + timedelta(days=1))
    with pytest.raises(ValidationFailed, match="checkpoint"):
        outcomes.record_outcome(ctx, person.id, "36")  # type: ignore[arg-type]
    assert outcomes.list_outcomes(ctx, person.id) == []


def test_release_date_checked(ctx: ServiceContext, person: Beneficiary) -> None:
    with pytest.raises(ValidationFailed, match="released_on"):
        outcomes.record_release(ctx, person.id, ctx.today() + timedelta(days=1))
    with pytest.raises(ValidationFailed, match="released_on"):
        outcomes.record_release(ctx, person.id, date(1989, 12, 31))
    unchanged = beneficiaries.get(ctx, person.id)
    assert (unchanged.actual_release_date, unchanged.legal_status) == (
        None,
        LegalStatus.SENTENCED,
    )
    assert outcomes.record_release(ctx, person.id, ctx.today()).actual_release_date == ctx.today()


def test_checkpoints_are_independent(ctx: ServiceContext, person: Beneficiary) -> None:
    outcomes.record_release(ctx, person.id, ctx.today() - timedelta(days=800))
    for checkpoint in (TWENTY_FOUR, SIX, TWELVE):
        outcomes.record_outcome(ctx, person.id, checkpoint, housing_secured=True)
    listed = outcomes.list_outcomes(ctx, person.id)
    assert [o.checkpoint for o in listed] == [SIX, TWELVE, TWENTY_FOUR]
