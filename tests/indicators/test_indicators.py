"""Each indicator on a hand-built caseload, with its value counted by hand (October 2026)."""

from __future__ import annotations

from datetime import date

import pytest

from app.indicators import (
    NO_PLAN,
    DomainCount,
    DomainGoals,
    Figure,
    InvalidPeriod,
    Period,
    Ratio,
    Scope,
    case_ids,
    compute,
)
from app.indicators.period import add_months
from app.services.context import Actor, ServiceContext
from passerelle_core.enums import (
    AssessmentStatus,
    GoalStatus,
    OutcomeCheckpoint,
    PlanStatus,
    ReferralStatus,
    SessionKind,
    StaffRole,
)
from tests.indicators.conftest import OCTOBER, World

D = date


def test_caseload_followed_new_intakes_and_closed_cases(world: World) -> None:
    here, there = world.facility("Oukacha"), world.facility("Salé")
    open_before = world.person("A-open", intake=D(2026, 9, 15), facility=here)
    new = world.person("B-new", intake=D(2026, 10, 10), facility=here)
    closed = world.person("C-closed", intake=D(2026, 6, 1), closed=D(2026, 10, 20), facility=here)
    world.person("D-closed-before", intake=D(2026, 3, 1), closed=D(2026, 9, 30), facility=here)
    world.person("E-later", intake=D(2026, 11, 5), facility=here)
    no_date = world.person("F-no-date", intake=None, created=D(2026, 10, 3), facility=here)
    world.person("G-deleted", intake=D(2026, 10, 2), facility=here, deleted=True)
    elsewhere = world.person("H-elsewhere", intake=D(2026, 10, 5), facility=there)

    whole = compute(world.ctx, OCTOBER)
    assert (whole.followed, whole.new_intakes, whole.closed_cases) == (5, 3, 1)
    local = compute(world.ctx, OCTOBER, Scope(facility_id=here))
    assert (local.followed, local.new_intakes, local.closed_cases) == (4, 2, 1)

    followed = case_ids(world.ctx, Figure.FOLLOWED, OCTOBER)
    assert followed == [open_before, new, closed, no_date, elsewhere]  # by name
    assert case_ids(world.ctx, Figure.NEW_INTAKES, OCTOBER, Scope(facility_id=here)) == [
        new,
        no_date,
    ]
    assert case_ids(world.ctx, Figure.CLOSED_CASES, OCTOBER) == [closed]


def test_assessments_done_and_share_less_than_six_months_old(world: World) -> None:
    p1 = world.person("P1", intake=D(2026, 1, 1))
    world.assessment(p1, D(2026, 5, 1))  # the day after the cutoff (30 April): recent
    world.assessment(p1, D(2026, 10, 20))
    p2 = world.person("P2", intake=D(2026, 1, 1))
    world.assessment(p2, D(2026, 4, 30))  # six months old exactly: not recent
    p3 = world.person("P3", intake=D(2026, 1, 1))
    world.assessment(p3, D(2026, 10, 10))
    world.assessment(p3, D(2026, 10, 12), status=AssessmentStatus.DRAFT)
    p4 = world.person("P4", intake=D(2026, 1, 1))
    world.assessment(p4, D(2026, 10, 5), deleted=True)
    p5 = world.person("P5", intake=D(2026, 1, 1), closed=D(2026, 10, 15))
    world.assessment(p5, D(2026, 10, 2))

    found = compute(world.ctx, OCTOBER)
    assert found.assessments == 3  # p1 (20/10), p3 (10/10), p5 (02/10)
    assert found.recently_assessed == Ratio(2, 4)  # p1, p3 of p1-p4 (p5 closed before the end)
    assert case_ids(world.ctx, Figure.RECENTLY_ASSESSED, OCTOBER) == [p1, p3]
    assert case_ids(world.ctx, Figure.ASSESSMENTS, OCTOBER) == [p1, p3, p5]


def test_plans_in_force(world: World) -> None:
    ids = {}
    for name, activated, closed in (
        ("Q1", D(2026, 9, 1), None),
        ("Q2", D(2026, 8, 1), D(2026, 10, 5)),
        ("Q3", D(2026, 7, 1), D(2026, 9, 30)),
        ("Q4", None, None),
        ("Q5", D(2026, 11, 2), None),
    ):
        ids[name] = world.person(name, intake=D(2026, 1, 1))
        world.plan(ids[name], created=D(2026, 6, 1), activated=activated, closed=closed)
    deleted = world.person("Q6", intake=D(2026, 1, 1))
    world.plan(deleted, created=D(2026, 6, 1), activated=D(2026, 9, 1), deleted=True)

    assert compute(world.ctx, OCTOBER).active_plans == 2
    assert case_ids(world.ctx, Figure.ACTIVE_PLANS, OCTOBER) == [ids["Q1"], ids["Q2"]]


def test_releases_with_a_plan_in_force(world: World) -> None:
    r1 = world.person("R1", intake=D(2025, 1, 1), released=D(2026, 10, 10))
    world.plan(r1, created=D(2026, 8, 1), activated=D(2026, 9, 1))
    r2 = world.person("R2", intake=D(2025, 1, 1), released=D(2026, 10, 12))
    world.plan(r2, created=D(2026, 8, 1), activated=D(2026, 9, 1), closed=D(2026, 10, 1))
    r3 = world.person("R3", intake=D(2025, 1, 1), released=D(2026, 10, 20))
    world.plan(r3, created=D(2026, 10, 1), activated=D(2026, 10, 20))
    r4 = world.person("R4", intake=D(2025, 1, 1), released=D(2026, 9, 30))
    world.plan(r4, created=D(2026, 8, 1), activated=D(2026, 9, 1))

    assert compute(world.ctx, OCTOBER).releases_with_plan == Ratio(2, 3)
    assert case_ids(world.ctx, Figure.RELEASES_WITH_PLAN, OCTOBER) == [r1, r3]
    assert case_ids(world.ctx, Figure.RELEASES, OCTOBER) == [r1, r2, r3]


def test_median_days_from_intake_to_first_plan(world: World) -> None:
    m1 = world.person("M1", intake=D(2026, 9, 1))
    world.plan(m1, created=D(2026, 9, 20), activated=D(2026, 10, 1))  # 30 days
    m2 = world.person("M2", intake=D(2026, 8, 22))
    world.plan(m2, created=D(2026, 10, 1), activated=D(2026, 10, 11))  # 50 days
    m3 = world.person("M3", intake=D(2026, 10, 1))
    world.plan(m3, created=D(2026, 10, 2), activated=D(2026, 10, 21))  # 20 days
    m4 = world.person("M4", intake=D(2026, 1, 1))
    world.plan(m4, created=D(2026, 5, 1), activated=D(2026, 6, 1), closed=D(2026, 9, 1))
    world.plan(m4, created=D(2026, 9, 2), activated=D(2026, 10, 5))  # not its first plan
    world.plan(world.person("M5", intake=D(2026, 10, 1)), created=D(2026, 10, 3))  # a draft

    found = compute(world.ctx, OCTOBER)
    assert (found.first_plans, found.median_days_to_first_plan) == (3, 30.0)
    assert case_ids(world.ctx, Figure.FIRST_PLANS, OCTOBER) == [m1, m2, m3]


def test_current_plan_status_of_each_beneficiary_followed(world: World) -> None:
    s1 = world.person("S1", intake=D(2026, 1, 1))
    s2 = world.person("S2", intake=D(2026, 1, 1))
    world.plan(s2, created=D(2026, 1, 5), activated=D(2026, 1, 6), closed=D(2026, 4, 1))
    world.plan(s2, created=D(2026, 5, 1), activated=D(2026, 5, 2))
    s3 = world.person("S3", intake=D(2026, 1, 1))
    world.plan(s3, created=D(2026, 1, 5), activated=D(2026, 1, 6))
    world.plan(s3, created=D(2026, 6, 1))
    s4 = world.person("S4", intake=D(2026, 1, 1))
    world.plan(s4, created=D(2026, 1, 5), activated=D(2026, 1, 6), status=PlanStatus.UNDER_REVIEW)
    world.plan(s4, created=D(2026, 6, 1), deleted=True)

    statuses = compute(world.ctx, OCTOBER).plan_status
    assert statuses == {
        "draft": 1,
        "awaiting_approval": 0,
        "active": 1,
        "under_review": 1,
        "closed": 0,
        NO_PLAN: 1,
    }
    assert case_ids(world.ctx, Figure.PLAN_STATUS, OCTOBER, key="draft") == [s3]
    assert case_ids(world.ctx, Figure.PLAN_STATUS, OCTOBER, key=NO_PLAN) == [s1]


def test_goals_by_domain_and_status(world: World) -> None:
    g1 = world.person("G1", intake=D(2026, 1, 1))
    in_force = world.plan(g1, created=D(2026, 2, 1), activated=D(2026, 2, 2))
    world.goal(in_force, "employment", GoalStatus.ABANDONED)
    world.goal(in_force, "employment", GoalStatus.OPEN, deleted=True)
    world.goal(in_force, "housing", GoalStatus.OPEN)
    world.goal(in_force, "housing", GoalStatus.ACHIEVED)
    g2 = world.person("G2", intake=D(2026, 1, 1))
    ended = world.plan(g2, created=D(2026, 2, 1), activated=D(2026, 2, 2), closed=D(2026, 9, 1))
    world.goal(ended, "housing", GoalStatus.ACHIEVED)

    assert compute(world.ctx, OCTOBER).goals == [  # in the instrument's order
        DomainGoals("housing", open=1, achieved=1),
        DomainGoals("employment", abandoned=1),
    ]
    drilled = case_ids(world.ctx, Figure.GOALS, OCTOBER, key="housing", key2=GoalStatus.ACHIEVED)
    assert drilled == [g1]


def test_beneficiaries_by_priority_domain_of_their_latest_assessment(world: World) -> None:
    n1 = world.person("N1", intake=D(2026, 1, 1))
    world.assessment(n1, D(2026, 1, 10), priorities=["family"])
    world.assessment(n1, D(2026, 10, 15), priorities=["housing", "employment"])
    n2 = world.person("N2", intake=D(2026, 1, 1))
    world.assessment(n2, D(2026, 9, 1), priorities=["housing"])
    world.assessment(n2, D(2026, 10, 20), priorities=["family"], status=AssessmentStatus.DRAFT)
    n3 = world.person("N3", intake=D(2026, 1, 1))
    world.assessment(n3, D(2026, 9, 1), priorities=["children"])
    world.assessment(n3, D(2026, 11, 5), priorities=["finances"])  # after the period
    world.person("N4", intake=D(2026, 1, 1))
    gone = world.person("N5", intake=D(2026, 1, 1), closed=D(2026, 9, 1))
    world.assessment(gone, D(2026, 8, 1), priorities=["housing"])

    assert compute(world.ctx, OCTOBER).needs == [
        DomainCount("housing", 2),
        DomainCount("employment", 1),
        DomainCount("children", 1),
    ]
    assert case_ids(world.ctx, Figure.NEEDS, OCTOBER, key="housing") == [n1, n2]


def test_sessions_held_by_kind_and_staff(world: World) -> None:
    amina = world.ctx.actor.staff_id
    karim = world.staff("Karim Idrissi")
    salma = world.staff("Salma Berrada", StaffRole.PSYCHOLOGIST)
    s1 = world.person("S1", intake=D(2026, 1, 1))
    s2 = world.person("S2", intake=D(2026, 1, 1))
    s3 = world.person("S3", intake=D(2026, 1, 1))
    for day in (2, 9, 16):
        world.session(s1, D(2026, 10, day), staff=amina)
    world.session(s2, D(2026, 10, 5), kind=SessionKind.GROUP_WORKSHOP, staff=karim)
    world.session(s3, D(2026, 10, 7), staff=salma, restricted=True)
    world.session(s1, D(2026, 9, 30), staff=amina)
    world.session(s2, D(2026, 10, 8), staff=karim, deleted=True)

    found = compute(world.ctx, OCTOBER)
    assert found.sessions == 5
    assert found.sessions_by_kind[SessionKind.INDIVIDUAL] == 4
    assert found.sessions_by_kind[SessionKind.GROUP_WORKSHOP] == 1
    assert [(row.name, row.sessions) for row in found.sessions_by_staff] == [
        ("Amina Tazi", 3),
        ("Karim Idrissi", 1),
        ("Salma Berrada", 1),
    ]
    assert found.sessions_per_beneficiary == pytest.approx(5 / 3)
    # The cases behind the figure never reveal a psychologist-only session to others.
    assert case_ids(world.ctx, Figure.SESSIONS, OCTOBER) == [s1, s2]
    psychologist = ServiceContext(world.ctx.sessions, Actor(salma, StaffRole.PSYCHOLOGIST))
    assert case_ids(psychologist, Figure.SESSIONS, OCTOBER) == [s1, s2, s3]


def test_referrals_by_partner_and_status(world: World) -> None:
    anapec, amal = world.partner("ANAPEC Salé"), world.partner("Association Amal")
    r = world.person("R", intake=D(2026, 1, 1))
    for status in (ReferralStatus.COMPLETED, ReferralStatus.COMPLETED, ReferralStatus.REFUSED):
        world.referral(r, anapec, D(2026, 10, 3), status)
    world.referral(r, amal, D(2026, 10, 4), ReferralStatus.SENT)
    world.referral(r, amal, D(2026, 10, 5), ReferralStatus.CANCELLED)
    world.referral(r, amal, D(2026, 9, 30), ReferralStatus.COMPLETED)

    found = compute(world.ctx, OCTOBER)
    assert found.referrals == 5
    assert found.referrals_completed == Ratio(2, 4)  # the cancelled one left out
    assert [(p.name, p.total) for p in found.referrals_by_partner] == [
        ("ANAPEC Salé", 3),
        ("Association Amal", 2),
    ]
    assert found.referrals_by_partner[0].by_status == {
        ReferralStatus.COMPLETED: 2,
        ReferralStatus.REFUSED: 1,
    }
    assert found.referrals_by_status[ReferralStatus.SENT] == 1


def test_post_release_outcomes_count_known_answers_only(world: World) -> None:
    six, twelve = OutcomeCheckpoint.MONTHS_6, OutcomeCheckpoint.MONTHS_12
    o1 = world.person("O1", intake=D(2025, 1, 1), released=D(2026, 4, 1))
    world.outcome(o1, six, D(2026, 10, 2), work=True, housing=True, prison=False)
    o2 = world.person("O2", intake=D(2025, 1, 1), released=D(2026, 4, 1))
    world.outcome(o2, six, D(2026, 10, 1), work=True, housing=True, prison=False)
    world.outcome(o2, six, D(2026, 10, 20), work=False, housing=None, prison=False)  # latest
    o3 = world.person("O3", intake=D(2025, 1, 1), released=D(2026, 3, 1))
    world.outcome(o3, six, D(2026, 9, 15), work=True, housing=True, prison=False)
    o4 = world.person("O4", intake=D(2024, 1, 1), released=D(2025, 10, 1))
    world.outcome(o4, twelve, D(2026, 10, 9), work=None, housing=None, prison=True)

    months_6, months_12 = compute(world.ctx, OCTOBER).outcomes
    assert (months_6.recorded, months_6.in_work_or_training) == (2, Ratio(1, 2))
    assert (months_6.housing_secured, months_6.reincarcerated) == (Ratio(1, 1), Ratio(0, 2))
    assert (months_12.recorded, months_12.reincarcerated) == (1, Ratio(1, 1))
    assert months_12.in_work_or_training.share is None
    assert case_ids(world.ctx, Figure.OUTCOMES, OCTOBER, key=six) == [o1, o2]


def test_a_period_without_anyone_is_empty(world: World) -> None:
    world.person("Later", intake=D(2026, 11, 5))
    assert compute(world.ctx, OCTOBER).is_empty
    assert not compute(world.ctx, Period(D(2026, 11, 1), D(2026, 11, 30))).is_empty


def test_periods_are_inclusive_and_checked() -> None:
    with pytest.raises(InvalidPeriod):
        Period(D(2026, 10, 31), D(2026, 10, 1))
    assert Period.month(D(2026, 2, 14)) == Period(D(2026, 2, 1), D(2026, 2, 28))
    last_year = Period.months_ending(D(2026, 10, 31), 12)
    assert (last_year.start, last_year.end) == (D(2025, 11, 1), D(2026, 10, 31))
    assert len(list(last_year.months())) == 12
    assert add_months(D(2026, 1, 31), 1) == D(2026, 2, 28)
    assert add_months(D(2026, 10, 31), -6) == D(2026, 4, 30)


def test_a_breakdown_key_on_a_figure_without_one_is_refused(world: World) -> None:
    with pytest.raises(ValueError):
        case_ids(world.ctx, Figure.FOLLOWED, OCTOBER, key="housing")
