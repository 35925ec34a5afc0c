"""Two files of one person merged by a person: the whole history on the kept file."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.duplicates import find_all_pairs
from app.indicators import Period, compute
from app.models import (
    AccessAction,
    AccessLogEntry,
    ActionPlan,
    Beneficiary,
    DuplicateDecision,
    DuplicateVerdict,
    FollowUpSession,
    Goal,
)
from app.services import beneficiaries, caseload, duplicates, followup, merging, plans
from app.services.context import ServiceContext
from app.services.errors import ServiceError
from app.store.live import everything


def _twins(ctx: ServiceContext) -> tuple[Beneficiary, Beneficiary]:
    first = beneficiaries.register(
        ctx, {"last_name": "Idrissi", "first_name": "Mohamed", "birth_date": date(1990, 3, 4)}
    )
    second = beneficiaries.register(
        ctx,
        {
            "last_name": "El Idrissi",
            "first_name": "Mohammed",
            "birth_date": date(1990, 3, 4),
            "phone": "0612345678",
        },
    )
    return first, second


def test_merge_moves_the_history_and_leaves_a_tombstone(ctx: ServiceContext) -> None:
    kept, other = _twins(ctx)
    followup.record_session(ctx, other.id, held_on=date(2026, 2, 1), note="Premier entretien")
    plan = plans.draft_plan(ctx, other.id, title="Sortie")
    goal = plans.add_goal(ctx, plan.id, domain_id="housing", wording="Un logement")

    decision = merging.merge(ctx, kept.id, other.id, reason="Même personne, deux écrous")

    with ctx.reading() as session:
        assert session.get(Beneficiary, other.id) is None  # not live: merged away
        tombstone = session.scalars(
            everything(select(Beneficiary).where(Beneficiary.id == other.id))
        ).one()
        assert tombstone.merged_into_id == kept.id
        merged = session.get(Beneficiary, kept.id)
        assert merged is not None and merged.phone == "0612345678"  # filled from the other
        assert merged.first_name == "Mohamed"  # the kept file's own value by default
        sessions = session.scalars(select(FollowUpSession)).all()
        assert [s.beneficiary_id for s in sessions] == [kept.id]
        assert session.scalars(select(ActionPlan)).one().beneficiary_id == kept.id
        assert session.get(Goal, goal.id) is not None
        stored = session.get(DuplicateDecision, decision.id)
        assert stored is not None and stored.verdict is DuplicateVerdict.MERGED
        assert stored.decided_by_id == ctx.actor.staff_id
        logged = session.scalars(
            select(AccessLogEntry).where(AccessLogEntry.action == AccessAction.MERGE)
        ).one()
        assert logged.record_id == other.id and logged.case_id == kept.id
        assert find_all_pairs(session, threshold=1) == []
    assert [p.first_id for p in duplicates.likely_pairs(ctx, threshold=1)] == []


def test_picked_values_come_from_the_other_file(ctx: ServiceContext) -> None:
    kept, other = _twins(ctx)
    merging.merge(ctx, kept.id, other.id, picks={"first_name": merging.Side.OTHER})
    with ctx.reading() as session:
        merged = session.get(Beneficiary, kept.id)
        assert merged is not None and merged.first_name == "Mohammed"


def test_not_a_duplicate_is_not_proposed_again(ctx: ServiceContext) -> None:
    first, second = _twins(ctx)
    assert [{p.first_id, p.second_id} for p in duplicates.likely_pairs(ctx, threshold=50)] == [
        {first.id, second.id}
    ]
    duplicates.dismiss(ctx, first.id, second.id, reason="Frères")
    assert duplicates.likely_pairs(ctx, threshold=50) == []


def test_a_file_is_not_merged_into_itself_nor_twice(ctx: ServiceContext) -> None:
    kept, other = _twins(ctx)
    with pytest.raises(ServiceError):
        merging.merge(ctx, kept.id, kept.id)
    merging.merge(ctx, kept.id, other.id)
    with pytest.raises(ServiceError):
        merging.merge(ctx, kept.id, other.id)


def test_indicators_count_the_merged_person_once(ctx: ServiceContext) -> None:
    kept, other = _twins(ctx)
    period = Period(date(2000, 1, 1), ctx.today())
    before = compute(ctx, period)
    merging.merge(ctx, kept.id, other.id)
    after = compute(ctx, period)
    assert after.followed == before.followed - 1
    assert len(caseload.page(ctx, caseload.CaseloadFilter(), limit=50)) == 1
