"""The caseload list: what each filter keeps, every sort order, pages that never overlap."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from app.demo import fill_profile
from app.models import ActionPlan, Beneficiary, Facility, StaffMember
from app.models.base import utcnow
from app.services import beneficiaries, caseload, plans
from app.services.caseload import NO_PLAN, CaseloadFilter, CaseloadRow
from app.services.context import ServiceContext
from app.store.profile import Profile
from passerelle_core.enums import (
    CaseStatus,
    LegalStatus,
    PlanOutcome,
    PlanStatus,
    ResponsibleKind,
    StaffRole,
)

Colleague = Callable[[StaffRole], ServiceContext]
ALL = CaseloadFilter(include_closed=True)


def _names(rows: list[CaseloadRow]) -> list[str]:
    return [row.last_name for row in rows]


def _listed(ctx: ServiceContext, filter: CaseloadFilter | None = None, **sort: Any) -> list[str]:
    return _names(caseload.page(ctx, filter or CaseloadFilter(), limit=1000, **sort))


def _register(ctx: ServiceContext, last_name: str, **fields: Any) -> uuid.UUID:
    data = {"last_name": last_name, "first_name": fields.pop("first_name", "Test"), **fields}
    return beneficiaries.register(ctx, data).id


def _facility(profile: Profile, name: str) -> uuid.UUID:
    with profile.sessions.begin() as session:
        facility = Facility(code=name.upper()[:8], name=name)
        session.add(facility)
        session.flush()
        return facility.id


def _plan(
    ctx: ServiceContext,
    beneficiary_id: uuid.UUID,
    *,
    active: bool = False,
    review: date | None = None,
) -> uuid.UUID:
    """A draft (or active) plan whose review date is ``review``, set even if past."""
    plan = plans.draft_plan(ctx, beneficiary_id, title="Plan", review_date=ctx.today())
    if active:
        goal = plans.add_goal(ctx, plan.id, domain_id="housing", wording="Logement")
        kind = ResponsibleKind.BENEFICIARY
        plans.add_action(ctx, goal.id, description="Appeler", responsible_kind=kind)
        plans.activate(ctx, plan.id)
    _set_plan(ctx, plan.id, review_date=review)
    return plan.id


def _set_plan(ctx: ServiceContext, plan_id: uuid.UUID, **values: Any) -> None:
    """Write plan columns directly (past dates, states sync may bring)."""
    with ctx.sessions.begin() as session:
        plan = session.get(ActionPlan, plan_id)
        assert plan is not None
        for name, value in values.items():
            setattr(plan, name, value)


def test_deleted_and_closed_cases_are_left_out(ctx: ServiceContext) -> None:
    kept = _register(ctx, "Alaoui")
    deleted = _register(ctx, "Bennani")
    closed = _register(ctx, "Chraibi")
    beneficiaries.delete(ctx, deleted)
    beneficiaries.close_case(ctx, closed)

    assert caseload.count(ctx, CaseloadFilter()) == 1
    assert [row.beneficiary_id for row in caseload.page(ctx, CaseloadFilter())] == [kept]
    assert caseload.count(ctx, ALL) == 2
    assert _listed(ctx, ALL) == ["Alaoui", "Chraibi"]


def test_text_search_finds_both_scripts_identifiers_and_ignores_accents(
    ctx: ServiceContext,
) -> None:
    _register(ctx, "Lahlou", first_name="Hélène", last_name_ar="لحلو", first_name_ar="أحمد")
    _register(ctx, "Bennani", cin="AB123456", registration_number="OUK/2026/00042")
    _register(ctx, "Gone", first_name="Hélène")
    beneficiaries.delete(ctx, _register(ctx, "Deleted", first_name="Hélène"))

    def found(query: str) -> list[str]:
        wanted = CaseloadFilter(query=query)
        rows = caseload.page(ctx, wanted)
        assert caseload.count(ctx, wanted) == len(rows)
        return sorted(_names(rows))

    assert found("helene") == ["Gone", "Lahlou"]
    assert found("HELENE lahl") == ["Lahlou"]
    assert found("احمد") == ["Lahlou"]  # hamza folded away
    assert found("ab1234") == ["Bennani"]
    assert found("00042") == ["Bennani"]
    assert found('lahl"*') == ["Lahlou"]  # FTS syntax is neutralised
    assert found("?!") == []
    assert found("   ") == ["Bennani", "Gone", "Lahlou"]  # blank: no text filter


def test_each_filter_restricts_the_rows(
    ctx: ServiceContext, profile: Profile, colleague: Colleague
) -> None:
    today = ctx.today()
    other_facility = _facility(profile, "Prison locale Tiflet")
    educator = colleague(StaffRole.EDUCATOR)
    _register(ctx, "Amrani", legal_status=LegalStatus.PRE_TRIAL)
    _register(ctx, "Berrada", facility_id=other_facility, expected_release_date=today)
    _register(ctx, "Cherkaoui", expected_release_date=today + timedelta(days=30))
    _register(ctx, "Doukkali", expected_release_date=today + timedelta(days=31))
    _register(ctx, "Elmansouri", expected_release_date=today - timedelta(days=1))
    _register(ctx, "Fassi", assigned_staff_id=educator.actor.staff_id)

    def listed(**criteria: Any) -> list[str]:
        wanted = CaseloadFilter(**criteria)
        names = _listed(ctx, wanted)
        assert caseload.count(ctx, wanted) == len(names)
        return names

    assert listed(facility_id=other_facility) == ["Berrada"]
    assert listed(legal_status=LegalStatus.PRE_TRIAL) == ["Amrani"]
    assert listed(assigned_staff_id=educator.actor.staff_id) == ["Fassi"]
    assert len(listed(assigned_staff_id=ctx.actor.staff_id)) == 5
    assert listed(release_within_days=30) == ["Berrada", "Cherkaoui"]
    assert listed(release_within_days=0) == ["Berrada"]
    assert listed(release_within_days=30, facility_id=other_facility) == ["Berrada"]


def test_plan_filters_follow_the_current_plan(ctx: ServiceContext) -> None:
    today = ctx.today()
    without = _register(ctx, "Aziz")
    drafted = _register(ctx, "Bouzid")
    overdue = _register(ctx, "Chami")
    due_today = _register(ctx, "Daoudi")
    draft_overdue = _register(ctx, "Ennaji")
    _plan(ctx, drafted)
    _plan(ctx, overdue, active=True, review=today - timedelta(days=1))
    _plan(ctx, due_today, active=True, review=today)
    _plan(ctx, draft_overdue, review=today - timedelta(days=10))
    under_review = _plan(
        ctx, _register(ctx, "Fikri"), active=True, review=today - timedelta(days=3)
    )
    plans.start_review(ctx, under_review)
    finished = _plan(ctx, _register(ctx, "Ghali"), active=True, review=today - timedelta(days=5))
    _set_plan(ctx, finished, status=PlanStatus.CLOSED)

    def listed(**criteria: Any) -> list[str]:
        wanted = CaseloadFilter(**criteria)
        names = _listed(ctx, wanted)
        assert caseload.count(ctx, wanted) == len(names)
        return names

    assert listed(plan_status=NO_PLAN) == ["Aziz", "Ghali"]
    assert listed(plan_status=PlanStatus.DRAFT) == ["Bouzid", "Ennaji"]
    assert listed(plan_status=PlanStatus.ACTIVE) == ["Chami", "Daoudi"]
    assert listed(plan_status=PlanStatus.UNDER_REVIEW) == ["Fikri"]
    assert listed(review_overdue=True) == ["Chami", "Fikri"]
    assert listed(review_overdue=True, plan_status=PlanStatus.ACTIVE) == ["Chami"]
    row = {r.last_name: r for r in caseload.page(ctx, CaseloadFilter())}
    assert (row["Aziz"].plan_status, row["Aziz"].review_date) == (None, None)
    assert row["Chami"].review_overdue(today) and not row["Daoudi"].review_overdue(today)
    assert not row["Ennaji"].review_overdue(today)  # a draft is not followed yet
    assert without == row["Aziz"].beneficiary_id


def test_current_plan_is_the_latest_open_one(ctx: ServiceContext) -> None:
    person = _register(ctx, "Hajji")
    old = _plan(ctx, person, active=True)
    plans.close(ctx, old, outcome=PlanOutcome.ACHIEVED)
    newer = _plan(ctx, person)
    [row] = caseload.page(ctx, CaseloadFilter())
    assert row.plan_status is PlanStatus.DRAFT

    # Sync may briefly bring a second open plan: the latest one is current.
    with ctx.sessions.begin() as session:
        plan = ActionPlan(beneficiary_id=person, status=PlanStatus.ACTIVE, goals=[])
        plan.created_at = utcnow() + timedelta(seconds=5)
        session.add(plan)
    [row] = caseload.page(ctx, CaseloadFilter())
    assert row.plan_status is PlanStatus.ACTIVE
    assert caseload.count(ctx, CaseloadFilter(plan_status=PlanStatus.DRAFT)) == 0

    with ctx.sessions.begin() as session:
        latest = session.scalar(select(ActionPlan).where(ActionPlan.status == PlanStatus.ACTIVE))
        assert latest is not None
        latest.deleted_at = utcnow()
    [row] = caseload.page(ctx, CaseloadFilter())
    assert row.plan_status is PlanStatus.DRAFT
    _set_plan(ctx, newer, deleted_at=utcnow())
    [row] = caseload.page(ctx, CaseloadFilter())
    assert row.plan_status is None
    assert caseload.count(ctx, CaseloadFilter(plan_status=NO_PLAN)) == 1


@pytest.fixture
def varied(ctx: ServiceContext, profile: Profile, colleague: Colleague) -> None:
    """Five people who differ on every sorted column, with blanks here and there."""
    today = ctx.today()
    zagora = _facility(profile, "Prison locale Zagora")
    educator = colleague(StaffRole.EDUCATOR, "Zineb Educatrice")
    e = _register(ctx, "Essaidi", cin="C300", legal_status=LegalStatus.RELEASED)
    a = _register(
        ctx,
        "Amrani",
        cin="B200",
        registration_number="R2",
        legal_status=LegalStatus.SENTENCED,
        expected_release_date=today + timedelta(days=40),
        facility_id=zagora,
    )
    _register(
        ctx,
        "Chafik",
        cin="A100",
        registration_number="R1",
        legal_status=LegalStatus.PRE_TRIAL,
        expected_release_date=today + timedelta(days=10),
        assigned_staff_id=educator.actor.staff_id,
    )
    b = _register(ctx, "Berrada", legal_status=LegalStatus.CONDITIONAL_RELEASE)
    _register(ctx, "Amrani", first_name="Zakaria", registration_number="R3")
    _plan(ctx, a, active=True, review=today + timedelta(days=20))
    _plan(ctx, b, review=today + timedelta(days=5))
    _plan(ctx, e, active=True, review=today - timedelta(days=2))


EXPECTED_ORDERS = {
    "name": ["Amrani/Test", "Amrani/Zakaria", "Berrada", "Chafik", "Essaidi"],
    "cin": ["Chafik", "Amrani/Test", "Essaidi", "Amrani/Zakaria", "Berrada"],
    "registration": ["Chafik", "Amrani/Test", "Amrani/Zakaria", "Berrada", "Essaidi"],
    "release": ["Chafik", "Amrani/Test", "Amrani/Zakaria", "Berrada", "Essaidi"],
    "review": ["Essaidi", "Berrada", "Amrani/Test", "Amrani/Zakaria", "Chafik"],
    "legal_status": ["Chafik", "Amrani/Test", "Amrani/Zakaria", "Berrada", "Essaidi"],
    "plan_status": ["Amrani/Zakaria", "Chafik", "Berrada", "Amrani/Test", "Essaidi"],
}
BLANKS_LAST = {"cin": 2, "registration": 2, "release": 3, "review": 2}


def _label(row: CaseloadRow) -> str:
    if row.last_name == "Amrani":
        return f"Amrani/{row.first_name}"
    return row.last_name


@pytest.mark.usefixtures("varied")
@pytest.mark.parametrize("key", sorted(EXPECTED_ORDERS))
def test_sort_orders_with_blanks_last_both_ways(ctx: ServiceContext, key: str) -> None:
    ascending = [_label(r) for r in caseload.page(ctx, CaseloadFilter(), sort=key)]
    descending = [
        _label(r) for r in caseload.page(ctx, CaseloadFilter(), sort=key, descending=True)
    ]
    assert ascending == EXPECTED_ORDERS[key]
    blanks = BLANKS_LAST.get(key, 0)
    valued = len(ascending) - blanks
    if blanks:
        # Rows without a value stay last, in name order, whichever way the key goes.
        assert descending[valued:] == ascending[valued:]
        assert sorted(descending[:valued]) == sorted(ascending[:valued])
        assert descending[0] == ascending[valued - 1]
    elif key == "name":
        assert descending == list(reversed(ascending))


@pytest.mark.usefixtures("varied")
def test_sort_by_facility_and_staff_names(ctx: ServiceContext) -> None:
    by_facility = caseload.page(ctx, CaseloadFilter(), sort="facility")
    assert [r.facility_name for r in by_facility] == ["Prison locale Zagora"] + [None] * 4
    by_staff = caseload.page(ctx, CaseloadFilter(), sort="staff", descending=True)
    assert by_staff[0].assigned_staff_name == "Zineb Educatrice"
    assert {r.assigned_staff_name for r in by_staff[1:]} == {"Amina Tazi"}


@pytest.mark.usefixtures("varied")
@pytest.mark.parametrize("reverse_from", [0, 10_000])
def test_pages_tile_the_list_for_every_sort(
    ctx: ServiceContext, monkeypatch: pytest.MonkeyPatch, reverse_from: int
) -> None:
    """Pages of two rows, read from the front or (past the middle) from the end."""
    monkeypatch.setattr(caseload, "REVERSE_FROM", reverse_from)
    for key in caseload.SORT_KEYS:
        for descending in (False, True):
            whole = caseload.page(ctx, CaseloadFilter(), sort=key, descending=descending)
            tiled = [
                row
                for offset in range(0, 6, 2)
                for row in caseload.page(
                    ctx, CaseloadFilter(), sort=key, descending=descending, offset=offset, limit=2
                )
            ]
            assert tiled == whole, (key, descending)
    assert caseload.page(ctx, CaseloadFilter(), offset=5) == []
    assert caseload.page(ctx, CaseloadFilter(), limit=0) == []


def test_unknown_sort_key_is_a_programming_error(ctx: ServiceContext) -> None:
    with pytest.raises(ValueError, match="unknown sort key"):
        caseload.page(ctx, CaseloadFilter(), sort="shoe_size")


def test_filter_choices_list_live_facilities_and_active_staff(
    ctx: ServiceContext, profile: Profile, colleague: Colleague
) -> None:
    _facility(profile, "Prison locale Aïn Sebaa")
    gone = _facility(profile, "Ancien établissement")
    educator = colleague(StaffRole.EDUCATOR, "Badr Educateur")
    retired = colleague(StaffRole.PSYCHOLOGIST, "Ancien Psychologue")
    with profile.sessions.begin() as session:
        facility = session.get(Facility, gone)
        staff = session.get(StaffMember, retired.actor.staff_id)
        assert facility is not None and staff is not None
        facility.deleted_at = utcnow()
        staff.active = False

    options = caseload.filter_choices(ctx)
    assert [f.name for f in options.facilities] == [
        "Prison locale Aïn Sebaa",
        "Prison locale Oukacha",
    ]
    assert [s.name for s in options.staff] == ["Amina Tazi", "Badr Educateur"]
    assert options.staff[1].id == educator.actor.staff_id


def test_demo_caseload_counts_and_orders_agree_with_the_records(
    profile: Profile, ctx: ServiceContext
) -> None:
    fill_profile(profile, beneficiaries=300, seed=3, today=ctx.today())
    with profile.sessions() as session:
        live_open = session.scalar(
            select(func.count())
            .select_from(Beneficiary)
            .where(Beneficiary.deleted_at.is_(None), Beneficiary.case_status == CaseStatus.OPEN)
        )
    assert caseload.count(ctx, CaseloadFilter()) == live_open
    everyone = caseload.page(ctx, ALL, limit=1000)
    assert len(everyone) == caseload.count(ctx, ALL) > live_open
    assert len({row.beneficiary_id for row in everyone}) == len(everyone)
    for row in everyone[::25]:
        current = plans.current_plan(ctx, row.beneficiary_id)
        assert row.plan_status == (current.status if current else None)
    mine = CaseloadFilter(assigned_staff_id=ctx.actor.staff_id)
    assert 0 < caseload.count(ctx, mine) < live_open
    for key in caseload.SORT_KEYS:
        whole = caseload.page(ctx, ALL, sort=key, descending=True, limit=1000)
        assert {r.beneficiary_id for r in whole} == {r.beneficiary_id for r in everyone}
        tiled = [
            row
            for offset in range(0, len(whole), 64)
            for row in caseload.page(ctx, ALL, sort=key, descending=True, offset=offset, limit=64)
        ]
        assert tiled == whole, key
    releases = [
        r.expected_release_date for r in caseload.page(ctx, ALL, sort="release", limit=1000)
    ]
    dated = [day for day in releases if day is not None]
    assert dated == sorted(dated) and releases[len(dated) :] == [None] * (
        len(releases) - len(dated)
    )
    assert isinstance(everyone[0].legal_status, LegalStatus)
