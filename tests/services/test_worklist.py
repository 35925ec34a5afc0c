"""The worklist: each kind of item, its date boundaries, who sees it, and the order."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest

from app.demo import fill_profile
from app.models import ActionPlan, Team
from app.models.base import utcnow
from app.services import beneficiaries, consent, partners, plans, referrals, worklist
from app.services.context import Actor, ServiceContext
from app.services.worklist import REFERRAL_CHASE_DAYS, WorkItem, WorkKind
from app.store.profile import Profile
from passerelle_core.enums import (
    ActionStatus,
    ConsentPurpose,
    GoalStatus,
    LegalStatus,
    PlanOutcome,
    PlanStatus,
    ReferralStatus,
    ResponsibleKind,
    StaffRole,
)

Colleague = Callable[[StaffRole], ServiceContext]


def _person(ctx: ServiceContext, last_name: str, **fields: Any) -> uuid.UUID:
    return beneficiaries.register(ctx, {"last_name": last_name, "first_name": "Test", **fields}).id


def _plan(ctx: ServiceContext, beneficiary_id: uuid.UUID, *, active: bool = True) -> uuid.UUID:
    plan = plans.draft_plan(ctx, beneficiary_id, title="Plan de sortie", review_date=ctx.today())
    goal = plans.add_goal(ctx, plan.id, domain_id="housing", wording="Logement")
    kind = ResponsibleKind.BENEFICIARY
    plans.add_action(ctx, goal.id, description="Appeler sa sœur", responsible_kind=kind)
    if active:
        plans.activate(ctx, plan.id)
    return plan.id


def _set_review(ctx: ServiceContext, plan_id: uuid.UUID, day: date | None) -> None:
    with ctx.sessions.begin() as session:
        plan = session.get(ActionPlan, plan_id)
        assert plan is not None
        plan.review_date = day


def _goal(ctx: ServiceContext, plan_id: uuid.UUID) -> uuid.UUID:
    return plans.get_plan(ctx, plan_id).goals[0].id


def _mine(ctx: ServiceContext, kind: WorkKind, **options: Any) -> list[WorkItem]:
    return [item for item in worklist.worklist(ctx, **options) if item.kind is kind]


def test_actions_due_within_the_horizon_that_are_mine_and_open(
    ctx: ServiceContext, colleague: Colleague
) -> None:
    today = ctx.today()
    educator = colleague(StaffRole.EDUCATOR)
    person = _person(ctx, "Alaoui")
    plan = _plan(ctx, person)
    goal = _goal(ctx, plan)
    me = ctx.actor.staff_id

    def action(text: str, days: int, **fields: Any) -> uuid.UUID:
        values = {"responsible_kind": ResponsibleKind.STAFF, "responsible_staff_id": me} | fields
        due = today + timedelta(days=days)
        return plans.add_action(ctx, goal, description=text, due_date=due, **values).id

    action("Overdue", -3)
    action("Today", 0)
    action("Last day", 7)
    action("Too far", 8)
    plans.set_action_status(ctx, action("Done", -1), ActionStatus.DONE)
    plans.set_action_status(ctx, action("Cancelled", -1), ActionStatus.CANCELLED)
    plans.set_action_status(ctx, action("Started", 1), ActionStatus.IN_PROGRESS)
    action("Theirs", 0, responsible_staff_id=educator.actor.staff_id)
    action(
        "The person's", 0, responsible_kind=ResponsibleKind.BENEFICIARY, responsible_staff_id=None
    )

    items = _mine(ctx, WorkKind.ACTION)
    assert [(i.title, i.overdue) for i in items] == [
        ("Overdue", True),
        ("Today", False),
        ("Started", False),
        ("Last day", False),
    ]
    assert {(i.beneficiary_id, i.beneficiary_name, i.section) for i in items} == {
        (person, "ALAOUI Test", "plan")
    }
    assert [i.title for i in _mine(ctx, WorkKind.ACTION, horizon_days=8)][-1] == "Too far"
    assert [i.title for i in _mine(educator, WorkKind.ACTION)] == ["Theirs"]


def test_actions_of_finished_goals_closed_plans_or_deleted_cases_drop_out(
    ctx: ServiceContext,
) -> None:
    me = ctx.actor.staff_id
    staff = {"responsible_kind": ResponsibleKind.STAFF, "responsible_staff_id": me}
    names = ("Goal achieved", "Plan closed", "Case deleted")
    plan_ids = [_plan(ctx, _person(ctx, name.split()[1])) for name in names]
    for name, plan_id in zip(names, plan_ids, strict=True):
        plans.add_action(ctx, _goal(ctx, plan_id), description=name, due_date=ctx.today(), **staff)
    assert len(_mine(ctx, WorkKind.ACTION)) == 3
    plans.set_goal_status(ctx, _goal(ctx, plan_ids[0]), GoalStatus.ACHIEVED)
    plans.close(ctx, plan_ids[1], outcome=PlanOutcome.ACHIEVED)
    beneficiaries.delete(ctx, plans.get_plan(ctx, plan_ids[2]).beneficiary_id)
    assert _mine(ctx, WorkKind.ACTION) == []


def test_reviews_of_my_beneficiaries_plans(ctx: ServiceContext, colleague: Colleague) -> None:
    today = ctx.today()
    educator = colleague(StaffRole.EDUCATOR)
    overdue = _plan(ctx, _person(ctx, "Berrada"))
    last_day = _plan(ctx, _person(ctx, "Chraibi"))
    too_far = _plan(ctx, _person(ctx, "Dahbi"))
    draft = _plan(ctx, _person(ctx, "Ennaji"), active=False)
    under_review = _plan(ctx, _person(ctx, "Fassi"))
    plans.start_review(ctx, under_review)
    theirs = _plan(ctx, _person(ctx, "Guessous", assigned_staff_id=educator.actor.staff_id))
    for plan_id, days in (
        (overdue, -1),
        (last_day, 7),
        (too_far, 8),
        (draft, -5),
        (under_review, 2),
        (theirs, 0),
    ):
        _set_review(ctx, plan_id, today + timedelta(days=days))

    items = _mine(ctx, WorkKind.REVIEW)
    assert [(i.beneficiary_name, i.due, i.overdue) for i in items] == [
        ("BERRADA Test", today - timedelta(days=1), True),
        ("FASSI Test", today + timedelta(days=2), False),
        ("CHRAIBI Test", today + timedelta(days=7), False),
    ]
    assert {(i.title, i.section) for i in items} == {("Plan de sortie", "plan")}
    assert [i.beneficiary_name for i in _mine(educator, WorkKind.REVIEW)] == ["GUESSOUS Test"]


def test_referrals_waiting_for_news_are_chased_after_two_weeks(
    ctx: ServiceContext, colleague: Colleague
) -> None:
    today = ctx.today()
    ngo = partners.create_partner(ctx, {"name": "Association Al Amal"})

    def referral(last_name: str, days_ago: int, by: ServiceContext = ctx) -> uuid.UUID:
        person = _person(ctx, last_name)
        consent.record(ctx, person, ConsentPurpose.PARTNER_SHARING, partner_id=ngo.id)
        sent = today - timedelta(days=days_ago)
        return referrals.refer(by, person, ngo.id, sent_on=sent).id

    referral("Hamdouchi", 0)
    waiting = referral("Idrissi", REFERRAL_CHASE_DAYS + 6)
    referral("Jettou", REFERRAL_CHASE_DAYS)
    done = referral("Kabbaj", 30)
    referrals.update_status(ctx, done, ReferralStatus.REFUSED)
    referral("Lahlou", 30, by=colleague(StaffRole.EDUCATOR))
    referrals.update_status(ctx, waiting, ReferralStatus.ACCEPTED, on=today - timedelta(days=1))

    items = _mine(ctx, WorkKind.REFERRAL)
    assert [(i.beneficiary_name, i.due, i.overdue) for i in items] == [
        ("JETTOU Test", today, False),
        ("IDRISSI Test", today + timedelta(days=REFERRAL_CHASE_DAYS - 1), False),  # news
        ("HAMDOUCHI Test", today + timedelta(days=REFERRAL_CHASE_DAYS), False),
    ]
    assert all(i.section == "referrals" and "Association Al Amal" in i.title for i in items)

    _person(ctx, "Mansouri")  # without referral: changes nothing
    late = referral("Naciri", REFERRAL_CHASE_DAYS + 1)
    [first] = _mine(ctx, WorkKind.REFERRAL)[:1]
    assert (first.beneficiary_name, first.overdue) == ("NACIRI Test", True)
    assert referrals.get_referral(ctx, late).reference in first.title


def test_releases_soon_without_an_active_plan(ctx: ServiceContext, colleague: Colleague) -> None:
    today = ctx.today()
    educator = colleague(StaffRole.EDUCATOR)

    def released_in(last_name: str, days: int, **fields: Any) -> uuid.UUID:
        release = today + timedelta(days=days)
        return _person(ctx, last_name, expected_release_date=release, **fields)

    released_in("Ouali", 0)
    released_in("Qadiri", 30)
    released_in("Rami", 31)
    released_in("Sabri", -1)
    _plan(ctx, released_in("Tahiri", 10))
    _plan(ctx, released_in("Wahbi", 12), active=False)  # a draft is not enough
    released_in("Yacoubi", 5, legal_status=LegalStatus.RELEASED)
    released_in("Zeroual", 5, assigned_staff_id=educator.actor.staff_id)
    beneficiaries.close_case(ctx, released_in("Closed", 3))

    items = _mine(ctx, WorkKind.RELEASE)
    assert [(i.beneficiary_name, i.due) for i in items] == [
        ("OUALI Test", today),
        ("WAHBI Test", today + timedelta(days=12)),
        ("QADIRI Test", today + timedelta(days=30)),
    ]
    assert {(i.section, i.overdue) for i in items} == {("plan", False)}
    assert [i.beneficiary_name for i in _mine(educator, WorkKind.RELEASE)] == ["ZEROUAL Test"]


def test_plans_awaiting_approval_go_to_the_team_supervisors_only(
    profile: Profile, ctx: ServiceContext, colleague: Colleague
) -> None:
    with profile.sessions.begin() as session:
        team = session.get(Team, ctx.actor.team_id)
        assert team is not None
        team.requires_plan_approval = True
    plan = _plan(ctx, _person(ctx, "Bouazza"), active=False)
    plans.submit_for_approval(ctx, plan)
    supervisor = colleague(StaffRole.SUPERVISOR)
    admin = colleague(StaffRole.ADMIN)
    with profile.sessions.begin() as session:
        elsewhere = Team(name="Autre équipe")
        session.add(elsewhere)
        session.flush()
        other_team = elsewhere.id

    [item] = _mine(supervisor, WorkKind.APPROVAL)
    assert (item.beneficiary_name, item.due, item.section, item.overdue) == (
        "BOUAZZA Test",
        None,
        "plan",
        False,
    )
    assert len(_mine(admin, WorkKind.APPROVAL)) == 1
    assert _mine(ctx, WorkKind.APPROVAL) == []  # a social worker approves nothing
    actor = Actor(supervisor.actor.staff_id, StaffRole.SUPERVISOR, other_team)
    elsewhere_supervisor = ServiceContext(ctx.sessions, actor, today=ctx.today)
    assert _mine(elsewhere_supervisor, WorkKind.APPROVAL) == []
    plans.approve(supervisor, plan)
    assert _mine(supervisor, WorkKind.APPROVAL) == []


def test_order_is_overdue_first_then_by_date_then_undated(
    profile: Profile, ctx: ServiceContext, colleague: Colleague
) -> None:
    today = ctx.today()
    supervisor = colleague(StaffRole.SUPERVISOR)
    me = {
        "responsible_kind": ResponsibleKind.STAFF,
        "responsible_staff_id": supervisor.actor.staff_id,
    }
    plan = _plan(supervisor, _person(supervisor, "Amine"))
    _set_review(supervisor, plan, today - timedelta(days=1))
    goal = _goal(supervisor, plan)
    plans.add_action(supervisor, goal, description="Late", due_date=today - timedelta(days=9), **me)
    plans.add_action(supervisor, goal, description="Soon", due_date=today + timedelta(days=2), **me)
    plans.add_action(supervisor, goal, description="Now", due_date=today, **me)
    waiting = _plan(ctx, _person(ctx, "Zaki"), active=False)
    with profile.sessions.begin() as session:
        row = session.get(ActionPlan, waiting)
        assert row is not None
        row.status, row.updated_at = PlanStatus.AWAITING_APPROVAL, utcnow()

    items = worklist.worklist(supervisor)
    assert [(i.kind, i.due) for i in items] == [
        (WorkKind.ACTION, today - timedelta(days=9)),
        (WorkKind.REVIEW, today - timedelta(days=1)),
        (WorkKind.ACTION, today),
        (WorkKind.ACTION, today + timedelta(days=2)),
        (WorkKind.APPROVAL, None),
    ]
    assert [i.overdue for i in items] == [True, True, False, False, False]


@pytest.mark.parametrize("role", [StaffRole.SOCIAL_WORKER, StaffRole.SUPERVISOR])
def test_worklist_on_a_demo_caseload(
    profile: Profile, ctx: ServiceContext, colleague: Colleague, role: StaffRole
) -> None:
    fill_profile(profile, beneficiaries=300, seed=5, today=ctx.today())
    acting = ctx if role is StaffRole.SOCIAL_WORKER else colleague(role)
    items = worklist.worklist(acting)
    assert items == sorted(items, key=WorkItem.sort_key)
    today = ctx.today()
    for item in items:
        person = beneficiaries.get(ctx, item.beneficiary_id)  # live, or get() would refuse
        assert item.beneficiary_name.startswith(person.last_name.upper())
        assert item.section in {"plan", "referrals", "assessment", "sessions"}
        assert item.overdue == (item.due is not None and item.due < today)
    if role is StaffRole.SOCIAL_WORKER:
        assert {WorkKind.ACTION, WorkKind.REVIEW} <= {item.kind for item in items}
