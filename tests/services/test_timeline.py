"""The case timeline: every step of the work, newest first, and nothing confidential leaks."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from app.services import (
    assessments,
    beneficiaries,
    consent,
    followup,
    meetings,
    outcomes,
    partners,
    plans,
    referrals,
    timeline,
)
from app.services.context import ServiceContext
from passerelle_core.enums import (
    ActionStatus,
    AssessmentStage,
    Confidentiality,
    ConsentPurpose,
    GoalStatus,
    OutcomeCheckpoint,
    PartnerKind,
    ReferralStatus,
    ResponsibleKind,
    SessionKind,
    StaffRole,
)

Colleague = Callable[[StaffRole], ServiceContext]
SECRET_NOTE = "Le patient a évoqué un secret de famille"
SECRET_TOPIC = "Traumatisme ancien"


@dataclass
class Case:
    beneficiary_id: uuid.UUID
    today: date


def days_ago(ctx: ServiceContext, days: int) -> date:
    return ctx.today() - timedelta(days=days)


def build_case(ctx: ServiceContext, colleague: Colleague) -> Case:
    """A case with one event of every kind, on distinct days (today = the plan's days)."""
    person = beneficiaries.register(
        ctx,
        {"last_name": "Bennani", "first_name": "Youssef", "intake_date": days_ago(ctx, 100)},
    )
    bid = person.id
    partner = partners.create_partner(ctx, {"name": "Association Al Amal", "kind": PartnerKind.NGO})
    consent.record(ctx, bid, ConsentPurpose.ASSESSMENT, given_on=days_ago(ctx, 99))
    consent.record(
        ctx, bid, ConsentPurpose.PARTNER_SHARING, given_on=days_ago(ctx, 98), partner_id=partner.id
    )
    stats = consent.record(ctx, bid, ConsentPurpose.STATISTICS, given_on=days_ago(ctx, 97))
    consent.withdraw(ctx, stats.id, on=days_ago(ctx, 30))
    answers = {"housing.accommodation_on_release": 3, "housing.stability": 3}
    assessments.record(
        ctx, bid, answers, assessed_on=days_ago(ctx, 90), stage=AssessmentStage.INTAKE
    )
    followup.record_session(
        ctx, bid, held_on=days_ago(ctx, 60), kind=SessionKind.INDIVIDUAL, topic="Recherche d'emploi"
    )
    psychologist = colleague(StaffRole.PSYCHOLOGIST)
    followup.record_session(
        psychologist,
        bid,
        held_on=days_ago(ctx, 50),
        confidentiality=Confidentiality.PSYCHOLOGIST_ONLY,
        topic=SECRET_TOPIC,
        note=SECRET_NOTE,
    )
    referral = referrals.refer(
        ctx, bid, partner.id, reason="Hébergement", sent_on=days_ago(ctx, 40)
    )
    referrals.update_status(ctx, referral.id, ReferralStatus.ACCEPTED, on=days_ago(ctx, 35))
    meetings.record_meeting(
        ctx,
        held_on=days_ago(ctx, 20),
        title="Commission de réinsertion",
        decisions=[{"text": "Orienter vers un foyer", "beneficiary_id": bid}],
    )
    outcomes.record_release(ctx, bid, days_ago(ctx, 10))
    outcomes.record_outcome(
        ctx, bid, OutcomeCheckpoint.MONTHS_6, recorded_on=days_ago(ctx, 5), housing_secured=True
    )
    plan = plans.draft_plan(
        ctx, bid, title="Préparer la sortie", review_date=ctx.today() + timedelta(days=30)
    )
    goal = plans.add_goal(ctx, plan.id, domain_id="housing", wording="Trouver un logement")
    action = plans.add_action(
        ctx, goal.id, description="Visiter le foyer", responsible_kind=ResponsibleKind.BENEFICIARY
    )
    plans.activate(ctx, plan.id)
    plans.set_action_status(ctx, action.id, ActionStatus.DONE, outcome="Place réservée")
    plans.set_goal_status(ctx, goal.id, GoalStatus.ACHIEVED)
    return Case(bid, ctx.today())


def test_events_newest_first_with_every_kind(ctx: ServiceContext, colleague: Colleague) -> None:
    case = build_case(ctx, colleague)
    events = timeline.events(ctx, case.beneficiary_id)
    assert [event.kind for event in events] == [
        "goal_achieved",
        "action_done",
        "plan_activated",
        "plan_created",
        "outcome",
        "release",
        "meeting_decision",
        "consent_withdrawn",
        "referral_status",
        "referral_sent",
        "session",
        "assessment",
        "consent_given",
        "consent_given",
        "consent_given",
        "intake",
    ]
    dates = [event.when for event in events]
    assert dates == sorted(dates, reverse=True)
    by_kind = {event.kind: event for event in events}
    assert by_kind["intake"].when == days_ago(ctx, 100)
    assert by_kind["assessment"].title == "Needs assessment (intake)"
    assert by_kind["assessment"].detail == "by Amina Tazi · Priorities: Housing after release"
    assert by_kind["assessment"].section == "assessment"
    assert by_kind["referral_status"].title.endswith(": accepted")
    assert by_kind["referral_sent"].title == "Referral to Association Al Amal"
    assert by_kind["consent_withdrawn"].title == "Consent withdrawn: anonymised statistics"
    assert by_kind["meeting_decision"].detail == "Orienter vers un foyer"
    assert by_kind["outcome"].detail == "housing secured"
    assert by_kind["action_done"].detail == "Place réservée"
    assert by_kind["session"].detail == "by Amina Tazi · Recherche d'emploi"
    assert by_kind["session"].section == "sessions"


def test_psychologist_only_sessions_hidden_from_a_social_worker(
    ctx: ServiceContext, colleague: Colleague
) -> None:
    case = build_case(ctx, colleague)
    seen = timeline.events(ctx, case.beneficiary_id)
    assert [event.when for event in seen if event.kind == "session"] == [days_ago(ctx, 60)]
    text = " ".join(f"{event.title} {event.detail}" for event in seen)
    assert SECRET_TOPIC not in text and SECRET_NOTE not in text


def test_a_psychologist_sees_the_session_but_never_its_note(
    ctx: ServiceContext, colleague: Colleague
) -> None:
    case = build_case(ctx, colleague)
    psychologist = colleague(StaffRole.PSYCHOLOGIST)
    seen = timeline.events(psychologist, case.beneficiary_id)
    sessions = [event for event in seen if event.kind == "session"]
    assert [event.when for event in sessions] == [days_ago(ctx, 50), days_ago(ctx, 60)]
    assert sessions[0].detail == "by Colleague psychologist · Confidential (psychologist only)"
    text = " ".join(f"{event.title} {event.detail}" for event in seen)
    assert SECRET_TOPIC not in text and SECRET_NOTE not in text


def test_a_new_case_has_only_its_intake(ctx: ServiceContext) -> None:
    person = beneficiaries.register(ctx, {"last_name": "Alaoui", "first_name": "Said"})
    events = timeline.events(ctx, person.id)
    assert [(event.kind, event.when) for event in events] == [("intake", ctx.today())]
