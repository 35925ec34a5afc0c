"""Retention on the laptop: a preview of exactly the cases past their period, then a run
that anonymises (identity gone, statistics kept) or purges them, in the access log."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.models import (
    SYNCED_MODELS,
    AccessAction,
    AccessLogEntry,
    ActionPlan,
    Beneficiary,
    NeedsAssessment,
    OutboxChange,
    PostReleaseOutcome,
    Referral,
)
from app.reports.case_list import case_rows
from app.services import retention, search
from app.services.context import ServiceContext
from app.services.errors import NotAllowed
from app.store.live import everything
from app.store.profile import Profile
from app.sync.policy import Policy, write_policy
from app.sync.scope import case_members
from app.sync.state import model_table
from passerelle_core.enums import PlanStatus, RetentionAction, Sex, StaffRole
from tests.security.cases import PERSONAL, Case, full_case

Colleague = Callable[[StaffRole], ServiceContext]
PERIOD = 365


def set_policy(
    profile: Profile, days: int = PERIOD, action: RetentionAction = RetentionAction.ANONYMISE
) -> None:
    """What the server's policy would have delivered at the last sync."""
    with profile.engine.begin() as connection:
        write_policy(
            connection,
            Policy(retention_days={"closed": days}, retention_actions={"closed": action}),
        )


def case_text(profile: Profile, case: Case) -> str:
    """Every stored value of every record of the case, as one string to search."""
    parts = []
    with profile.engine.connect() as connection:
        for model in SYNCED_MODELS:
            table = model_table(model)
            members = case_members(table.name, case.beneficiary_id)
            if members is None:
                continue
            rows = connection.execute(select(table).where(table.c.id.in_(members)))
            parts += [repr(tuple(row)) for row in rows]
    return "\n".join(parts)


@pytest.fixture
def admin(colleague: Colleague) -> ServiceContext:
    return colleague(StaffRole.ADMIN)


def test_preview_lists_exactly_the_closed_cases_past_their_period(
    profile: Profile, ctx: ServiceContext, colleague: Colleague, admin: ServiceContext
) -> None:
    due = full_case(ctx, closed_days_ago=PERIOD + 10)
    on_the_day = full_case(ctx, closed_days_ago=PERIOD, last_name="Alami", cin="BK2")
    recent = full_case(ctx, closed_days_ago=PERIOD - 1, last_name="Tazi", cin="BK3")
    still_open = full_case(ctx, last_name="Idrissi", cin="BK4")
    assert retention.preview(admin) == []  # no policy received yet: everything is kept

    set_policy(profile)
    found = retention.preview(admin)
    assert [case.beneficiary_id for case in found] == [
        due.beneficiary_id,
        on_the_day.beneficiary_id,
    ]
    assert found[0].action is RetentionAction.ANONYMISE
    assert found[0].name == "BENNANI Youssef"
    assert (found[1].due_on - found[1].closed_on).days == PERIOD
    assert found[1].due_on == ctx.today()
    assert recent.beneficiary_id not in {c.beneficiary_id for c in found}
    assert still_open.beneficiary_id not in {c.beneficiary_id for c in found}
    assert retention.preview(colleague(StaffRole.SUPERVISOR)) == found
    with pytest.raises(NotAllowed):
        retention.preview(ctx)  # a social worker


def test_anonymising_erases_the_identity_and_keeps_the_statistics(
    profile: Profile, ctx: ServiceContext, colleague: Colleague, admin: ServiceContext
) -> None:
    case = full_case(ctx, colleague, closed_days_ago=PERIOD + 30)
    kept = full_case(ctx, colleague, closed_days_ago=10, last_name="Alami", cin="BK2")
    set_policy(profile)
    with pytest.raises(NotAllowed):
        retention.run(colleague(StaffRole.SUPERVISOR))

    report = retention.run(admin)

    assert (report.anonymised, report.purged) == (1, 0)
    text = case_text(profile, case)
    assert [value for value in PERSONAL if value in text] == []
    assert "Bennani" in case_text(profile, kept)  # not due: untouched
    with profile.sessions() as session:
        person = session.get(Beneficiary, case.beneficiary_id)
        assert person is not None and person.deleted_at is None
        assert person.last_name == f"ANON-{case.beneficiary_id.hex[:8].upper()}"
        assert person.birth_date == date(1990, 1, 1)  # the year stays for age statistics
        assert person.sex is Sex.MALE and person.closed_on is not None
        assert person.anonymised_on == person.closed_on + timedelta(days=PERIOD)
        plan = session.scalars(
            select(ActionPlan).where(ActionPlan.beneficiary_id == case.beneficiary_id)
        ).one()
        assert plan.status is PlanStatus.ACTIVE and plan.title is None
        assessment = session.scalars(
            select(NeedsAssessment).where(NeedsAssessment.beneficiary_id == case.beneficiary_id)
        ).one()
        assert assessment.answers and assessment.priority_domains == ["housing"]
        outcome = session.scalars(
            select(PostReleaseOutcome).where(
                PostReleaseOutcome.beneficiary_id == case.beneficiary_id
            )
        ).one()
        assert outcome.housing_secured is True and outcome.notes is None
        referral = session.get(Referral, case.referral_id)
        assert referral is not None and referral.reference.startswith("ANON-")
        logged = session.scalars(
            select(AccessLogEntry.action).where(AccessLogEntry.record_id == case.beneficiary_id)
        ).all()
        assert AccessAction.ANONYMISE in logged
        pending = session.scalars(
            select(OutboxChange).where(OutboxChange.case_id == case.beneficiary_id)
        ).all()
        assert all(value not in repr(change.fields) for change in pending for value in PERSONAL)
    for query in ("Bennani", "بناني", "BK123456", "ECR-2024-7781"):
        assert case.beneficiary_id not in {hit.beneficiary_id for hit in search.search(ctx, query)}
    assert [hit.beneficiary_id for hit in search.search(ctx, "بناني")] == [kept.beneficiary_id]
    # Still counted in the anonymised statistics (its statistics consent stands).
    years = {row.birth_year for row in case_rows(ctx)}
    assert years == {1990}
    assert len(list(case_rows(ctx))) == 2
    assert retention.preview(admin) == []  # done: the next run has nothing to do
    assert retention.run(admin) == retention.RetentionReport()


def test_purging_erases_and_deletes_every_record_of_the_case(
    profile: Profile, ctx: ServiceContext, colleague: Colleague, admin: ServiceContext
) -> None:
    case = full_case(ctx, colleague, closed_days_ago=PERIOD + 1)
    set_policy(profile, action=RetentionAction.PURGE)
    assert [c.action for c in retention.preview(admin)] == [RetentionAction.PURGE]

    report = retention.run(admin)

    assert (report.anonymised, report.purged) == (0, 1) and report.records > 10
    text = case_text(profile, case)
    assert [value for value in PERSONAL if value in text] == []
    with profile.sessions() as session:
        for model in SYNCED_MODELS:
            members = case_members(model_table(model).name, case.beneficiary_id)
            if members is None:
                continue
            rows = session.scalars(everything(select(model).where(model.id.in_(members)))).all()
            assert all(row.deleted_at is not None for row in rows), model
        assessment = session.scalars(
            everything(
                select(NeedsAssessment).where(NeedsAssessment.beneficiary_id == case.beneficiary_id)
            )
        ).one()
        assert assessment.answers == {} and assessment.priority_domains == []
        logged = session.scalars(
            select(AccessLogEntry.action).where(AccessLogEntry.record_id == case.beneficiary_id)
        ).all()
        assert AccessAction.PURGE in logged
        deletions = session.scalars(
            select(OutboxChange.op).where(OutboxChange.case_id == case.beneficiary_id)
        ).all()
        assert "upsert" in deletions  # the erasure, sent first
    assert list(case_rows(ctx)) == []
    assert retention.preview(admin) == []


def test_a_run_leaves_every_pooled_connection_as_it_was(
    profile: Profile, ctx: ServiceContext, colleague: Colleague, admin: ServiceContext
) -> None:
    """``secure_delete`` is on while erasing and back to the profile's own setting after
    (it used to be left off on the connection the run used, for every later delete)."""
    with profile.engine.connect() as connection:
        default = int(connection.exec_driver_sql("PRAGMA secure_delete").scalar_one())
    full_case(ctx, colleague, closed_days_ago=PERIOD + 1)
    set_policy(profile, action=RetentionAction.PURGE)
    assert retention.run(admin).purged == 1
    with contextlib.ExitStack() as stack:  # every connection the pool holds, at once
        held = [stack.enter_context(profile.engine.connect()) for _ in range(5)]
        settings = {int(c.exec_driver_sql("PRAGMA secure_delete").scalar_one()) for c in held}
    assert settings == {default}


def test_a_run_does_only_what_the_preview_showed(
    profile: Profile, ctx: ServiceContext, admin: ServiceContext
) -> None:
    first = full_case(ctx, closed_days_ago=PERIOD + 5)
    second = full_case(ctx, closed_days_ago=PERIOD + 6, last_name="Alami", cin="BK2")
    set_policy(profile)

    report = retention.run(admin, confirmed=[first.beneficiary_id])

    assert report.anonymised == 1
    assert [c.beneficiary_id for c in retention.preview(admin)] == [second.beneficiary_id]
