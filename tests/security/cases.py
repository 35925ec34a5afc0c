"""A case with something in every table, and every identity field filled in.

Shared by the retention and right-of-access tests (and the laptops of the sync tests):
the personal strings are constants so a test can look for them anywhere.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, time, timedelta

from app.services import (
    appointments,
    assessments,
    beneficiaries,
    consent,
    followup,
    meetings,
    outcomes,
    partners,
    plans,
    quick_notes,
    referrals,
)
from app.services.context import ServiceContext
from passerelle_core.enums import (
    Confidentiality,
    ConsentPurpose,
    OutcomeCheckpoint,
    PartnerKind,
    QuickNoteKind,
    ResponsibleKind,
    Sex,
    StaffRole,
)

Colleague = Callable[[StaffRole], ServiceContext]

LAST_NAME, FIRST_NAME = "Bennani", "Youssef"
LAST_NAME_AR, FIRST_NAME_AR = "بناني", "يوسف"
CIN, REGISTRATION = "BK123456", "ECR-2024-7781"
BIRTH_DATE = date(1990, 7, 14)
PHONE, ADDRESS = "0612345678", "12 rue des Orangers, Salé"
CONTACT, CONTACT_PHONE = "Fatima Bennani", "0698765432"
NOTE = "Parle de sa sœur Khadija à Kénitra"
SECRET_NOTE = "Le patient a évoqué un secret de famille"
PERSONAL = (
    LAST_NAME,
    FIRST_NAME,
    LAST_NAME_AR,
    FIRST_NAME_AR,
    CIN,
    REGISTRATION,
    PHONE,
    ADDRESS,
    CONTACT,
    CONTACT_PHONE,
    NOTE,
    SECRET_NOTE,
)
"""Every personal string the case holds: none may survive an anonymisation."""


@dataclass
class Case:
    beneficiary_id: uuid.UUID
    partner_id: uuid.UUID
    referral_id: uuid.UUID
    restricted_session_id: uuid.UUID


def full_case(
    ctx: ServiceContext,
    colleague: Colleague | None = None,
    *,
    closed_days_ago: int | None = None,
    last_name: str = LAST_NAME,
    cin: str = CIN,
) -> Case:
    """A case with consents, an assessment, a plan, sessions (one psychologist-only when a
    ``colleague`` factory is given), a referral, a meeting decision and an outcome."""
    today = ctx.today()
    person = beneficiaries.register(
        ctx,
        {
            "last_name": last_name,
            "first_name": FIRST_NAME,
            "last_name_ar": LAST_NAME_AR,
            "first_name_ar": FIRST_NAME_AR,
            "cin": cin,
            "registration_number": REGISTRATION,
            "birth_date": BIRTH_DATE,
            "sex": Sex.MALE,
            "phone": PHONE,
            "address": ADDRESS,
            "contact_person": CONTACT,
            "contact_phone": CONTACT_PHONE,
            "intake_date": today - timedelta(days=900),
        },
    )
    bid = person.id
    partner = partners.create_partner(
        ctx, {"name": f"Association {uuid.uuid4().hex[:6]}", "kind": PartnerKind.NGO}
    )
    consent.record(ctx, bid, ConsentPurpose.ASSESSMENT, notes=NOTE)
    consent.record(ctx, bid, ConsentPurpose.PARTNER_SHARING, partner_id=partner.id)
    consent.record(ctx, bid, ConsentPurpose.STATISTICS)
    answers = {"housing.accommodation_on_release": 3, "housing.stability": 3}
    assessments.record(ctx, bid, answers, notes=NOTE, item_notes={"housing.stability": NOTE})
    plan = plans.draft_plan(ctx, bid, title=NOTE, review_date=today + timedelta(days=30))
    goal = plans.add_goal(ctx, plan.id, domain_id="housing", wording=NOTE)
    plans.add_action(ctx, goal.id, description=NOTE, responsible_kind=ResponsibleKind.BENEFICIARY)
    plans.activate(ctx, plan.id)
    followup.record_session(ctx, bid, held_on=today, topic=NOTE, note=NOTE)
    restricted = uuid.uuid4()
    if colleague is not None:
        psychologist = colleague(StaffRole.PSYCHOLOGIST)
        restricted = followup.record_session(
            psychologist,
            bid,
            held_on=today,
            confidentiality=Confidentiality.PSYCHOLOGIST_ONLY,
            topic=SECRET_NOTE,
            note=SECRET_NOTE,
        ).id
    referral = referrals.refer(ctx, bid, partner.id, reason=NOTE)
    meetings.record_meeting(
        ctx, held_on=today, title="Commission", decisions=[{"text": NOTE, "beneficiary_id": bid}]
    )
    outcomes.record_release(ctx, bid, today - timedelta(days=200))
    outcomes.record_outcome(
        ctx, bid, OutcomeCheckpoint.MONTHS_6, recorded_on=today, housing_secured=True, notes=NOTE
    )
    next_week = appointments.local_instant(today + timedelta(days=7), time(10, 0))
    appointments.make_appointment(ctx, bid, starts_at=next_week, purpose=NOTE)
    quick_notes.add(ctx, bid, QuickNoteKind.FAMILY_MESSAGE, NOTE)
    if closed_days_ago is not None:
        beneficiaries.close_case(ctx, bid, closed_on=today - timedelta(days=closed_days_ago))
    return Case(bid, partner.id, referral.id, restricted)
