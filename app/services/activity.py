"""Who does what: each counsellor's load for supervisors, and one's own month of work.

A counsellor often works on a colleague's case (a session in her absence, a referral):
"my activity" counts what the actor did, wherever, not the cases assigned to her.
Voided entries (recorded by mistake) and deleted ones never count.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select

from app.indicators.period import Period
from app.models import (
    ActionPlan,
    Beneficiary,
    FollowUpSession,
    NeedsAssessment,
    QuickNote,
    Referral,
    StaffMember,
)
from app.services.caseload import REVIEWED_STATUSES
from app.services.context import ServiceContext
from passerelle_core.enums import AssessmentStatus, CaseStatus


@dataclass(frozen=True)
class StaffLoad:
    staff_id: uuid.UUID
    name: str
    caseload: int
    overdue_reviews: int
    sessions: int


@dataclass(frozen=True)
class MyActivity:
    sessions: int
    assessments: int
    referrals: int
    cases: int
    """Different cases the actor worked on (sessions, assessments, referrals, quick notes)."""
    quick_notes: int = 0
    """Short contacts (a call, a word in the corridor) the actor noted, apart from sessions."""


def team_load(ctx: ServiceContext, period: Period) -> list[StaffLoad]:
    """Per active staff member: open cases assigned, plan reviews overdue today, sessions
    held in ``period``. Busiest first."""
    today = ctx.today()
    B, P, S = Beneficiary, ActionPlan, FollowUpSession
    with ctx.reading() as session:
        staff = session.execute(
            select(StaffMember.id, StaffMember.full_name).where(StaffMember.active.is_(True))
        ).all()
        open_cases = B.case_status == CaseStatus.OPEN
        caseload = dict(
            session.execute(
                select(B.assigned_staff_id, func.count())
                .where(open_cases)
                .group_by(B.assigned_staff_id)
            ).all()
        )
        overdue = dict(
            session.execute(
                select(B.assigned_staff_id, func.count(func.distinct(B.id)))
                .join(P, P.beneficiary_id == B.id)
                .where(
                    open_cases,
                    P.status.in_(REVIEWED_STATUSES),
                    P.review_date < today,
                )
                .group_by(B.assigned_staff_id)
            ).all()
        )
        sessions = dict(
            session.execute(
                select(S.staff_id, func.count())
                .where(
                    S.voided_at.is_(None),
                    S.held_on.between(period.start, period.end),
                )
                .group_by(S.staff_id)
            ).all()
        )
    rows = [
        StaffLoad(
            staff_id,
            name,
            caseload.get(staff_id, 0),
            overdue.get(staff_id, 0),
            sessions.get(staff_id, 0),
        )
        for staff_id, name in staff
    ]
    return sorted(rows, key=lambda row: (-row.caseload, row.name.casefold()))


def my_activity(ctx: ServiceContext, period: Period) -> MyActivity:
    """What the actor did in ``period``, on any case."""
    me = ctx.actor.staff_id
    S, A, R = FollowUpSession, NeedsAssessment, Referral
    with ctx.reading() as session:
        sessions = set(
            session.scalars(
                select(S.beneficiary_id).where(
                    S.staff_id == me,
                    S.voided_at.is_(None),
                    S.held_on.between(period.start, period.end),
                )
            ).all()
        )
        session_count = session.scalar(
            select(func.count()).where(
                S.staff_id == me,
                S.voided_at.is_(None),
                S.held_on.between(period.start, period.end),
            )
        )
        assessed = session.execute(
            select(A.beneficiary_id).where(
                A.assessor_id == me,
                A.voided_at.is_(None),
                A.status == AssessmentStatus.COMPLETED,
                A.assessed_on.between(period.start, period.end),
            )
        ).all()
        referred = session.execute(
            select(R.beneficiary_id).where(
                R.referred_by_id == me,
                R.voided_at.is_(None),
                R.sent_on.between(period.start, period.end),
            )
        ).all()
        noted = session.execute(
            select(QuickNote.beneficiary_id).where(
                QuickNote.author_id == me,
                QuickNote.noted_on.between(period.start, period.end),
            )
        ).all()
    cases = sessions | {row[0] for row in assessed} | {row[0] for row in referred}
    cases |= {row[0] for row in noted}
    return MyActivity(
        session_count or 0, len(assessed), len(referred), len(cases), quick_notes=len(noted)
    )
