"""The worklist: what needs the acting staff member soon, across all their cases.

The home screen of a counsellor arriving in the morning. Each item names the case-file
section where the work is done, so opening it lands on the right tab. Items come from
five questions, each one query driven by an index on the staff member:

- actions they are responsible for, due up to ``horizon_days`` ahead (or overdue);
- plans of their beneficiaries whose review date falls in the same window;
- referrals they made that still wait for news (chase the partner after
  :data:`REFERRAL_CHASE_DAYS` without a change);
- their beneficiaries released within :data:`RELEASE_WARNING_DAYS` without an active plan;
- for supervisors and administrators, plans of their team awaiting approval;
- their appointments up to the horizon, and past ones still planned (proposed missed);
- needs assessments of their beneficiaries due by the instrument's schedule.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.orm import Session

from app.i18n import N_, _
from app.models import Action, ActionPlan, Beneficiary, Goal, Partner, Referral
from app.security.permissions import Permission, may
from app.services import appointments, reassessment, transfers
from app.services.context import ServiceContext
from app.services.referrals import TERMINAL
from passerelle_core.enums import (
    ActionStatus,
    CaseStatus,
    GoalStatus,
    LegalStatus,
    PlanStatus,
    ResponsibleKind,
)

REFERRAL_CHASE_DAYS = 14
"""A referral without news for this long is worth a phone call to the partner."""
RELEASE_WARNING_DAYS = 30
"""A release this close without an active plan needs one now."""

_ACTIVE_PLAN = (PlanStatus.ACTIVE, PlanStatus.UNDER_REVIEW)
_OPEN_ACTION = (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS)


class WorkKind(StrEnum):
    ACTION = "action"
    REVIEW = "review"
    REFERRAL = "referral"
    RELEASE = "release"
    APPROVAL = "approval"
    APPOINTMENT = "appointment"
    ASSESSMENT = "assessment"
    TRANSFER = "transfer"  # a case lately transferred to the actor or their team


_PERSON = (Beneficiary.id, Beneficiary.last_name, Beneficiary.first_name)
_KIND_ORDER = {kind: position for position, kind in enumerate(WorkKind)}


@dataclass(frozen=True)
class WorkItem:
    kind: WorkKind
    beneficiary_id: uuid.UUID
    beneficiary_name: str
    title: str
    due: date | None
    section: str  # the case-file section where the work is done
    overdue: bool
    record_id: uuid.UUID | None = None  # the appointment an item is about

    def sort_key(self) -> tuple[bool, bool, date, int, str]:
        """Overdue first, then by date (undated last), then by kind and name."""
        return (
            not self.overdue,
            self.due is None,
            self.due or date.max,
            _KIND_ORDER[self.kind],
            self.beneficiary_name.casefold(),
        )


def worklist(ctx: ServiceContext, *, horizon_days: int = 7) -> list[WorkItem]:
    """Everything due for the actor up to ``horizon_days`` from today, overdue first."""
    today = ctx.today()
    horizon = today + timedelta(days=max(horizon_days, 0))
    with ctx.reading() as session:
        items = [
            *_actions(session, ctx, today, horizon),
            *_reviews(session, ctx, today, horizon),
            *_referrals(session, ctx, today),
            *_releases(session, ctx, today),
            *_approvals(session, ctx),
        ]
    items += _appointments(ctx, horizon)
    items += _assessments(ctx, horizon)
    items += _transfers(ctx)
    return sorted(items, key=WorkItem.sort_key)


def _name(last_name: str, first_name: str) -> str:
    return f"{last_name.upper()} {first_name}"


def _live_open_case() -> ColumnElement[bool]:
    return Beneficiary.case_status == CaseStatus.OPEN


def _before(day: date | None, today: date) -> bool:
    return day is not None and day < today


def _actions(session: Session, ctx: ServiceContext, today: date, horizon: date) -> list[WorkItem]:
    query = (
        select(Action.description, Action.due_date, *_PERSON)
        .join(Goal, Goal.id == Action.goal_id)
        .join(ActionPlan, ActionPlan.id == Goal.plan_id)
        .join(Beneficiary, Beneficiary.id == ActionPlan.beneficiary_id)
        .where(
            Action.responsible_staff_id == ctx.actor.staff_id,
            Action.responsible_kind == ResponsibleKind.STAFF,
            Action.status.in_(_OPEN_ACTION),
            Action.due_date <= horizon,
            Goal.status == GoalStatus.OPEN,
            ActionPlan.status != PlanStatus.CLOSED,
            _live_open_case(),
        )
    )
    return [
        WorkItem(
            WorkKind.ACTION,
            person_id,
            _name(last_name, first_name),
            description,
            due,
            "plan",
            _before(due, today),
        )
        for description, due, person_id, last_name, first_name in session.execute(query)
    ]


def _reviews(session: Session, ctx: ServiceContext, today: date, horizon: date) -> list[WorkItem]:
    query = (
        select(ActionPlan.title, ActionPlan.review_date, *_PERSON)
        .join(Beneficiary, Beneficiary.id == ActionPlan.beneficiary_id)
        .where(
            Beneficiary.assigned_staff_id == ctx.actor.staff_id,
            ActionPlan.status.in_(_ACTIVE_PLAN),
            ActionPlan.review_date <= horizon,
            _live_open_case(),
        )
    )
    return [
        WorkItem(
            WorkKind.REVIEW,
            person_id,
            _name(last_name, first_name),
            title or _("Action plan"),
            review_date,
            "plan",
            _before(review_date, today),
        )
        for title, review_date, person_id, last_name, first_name in session.execute(query)
    ]


def _referrals(session: Session, ctx: ServiceContext, today: date) -> list[WorkItem]:
    query = (
        select(Referral, Partner.name, *_PERSON)
        .join(Partner, Partner.id == Referral.partner_id)
        .join(Beneficiary, Beneficiary.id == Referral.beneficiary_id)
        .where(
            Referral.referred_by_id == ctx.actor.staff_id,
            Referral.status.not_in(TERMINAL),
            Referral.voided_at.is_(None),
        )
    )
    items = []
    for referral, partner, person_id, last_name, first_name in session.execute(query):
        last_news = referral.status_changed_on or referral.sent_on
        chase_on = last_news + timedelta(days=REFERRAL_CHASE_DAYS)
        title = _("{partner} (referral {reference})").format(
            partner=partner, reference=referral.reference
        )
        name = _name(last_name, first_name)
        overdue = chase_on < today
        items.append(
            WorkItem(WorkKind.REFERRAL, person_id, name, title, chase_on, "referrals", overdue)
        )
    return items


def _releases(session: Session, ctx: ServiceContext, today: date) -> list[WorkItem]:
    has_active_plan = exists().where(
        ActionPlan.beneficiary_id == Beneficiary.id,
        ActionPlan.status.in_(_ACTIVE_PLAN),
    )
    last_day = today + timedelta(days=RELEASE_WARNING_DAYS)
    query = select(*_PERSON, Beneficiary.expected_release_date).where(
        Beneficiary.assigned_staff_id == ctx.actor.staff_id,
        Beneficiary.legal_status != LegalStatus.RELEASED,
        Beneficiary.expected_release_date.between(today, last_day),
        ~has_active_plan,
        _live_open_case(),
    )
    return [
        WorkItem(
            WorkKind.RELEASE,
            person_id,
            _name(last_name, first_name),
            _("Release expected without an active plan"),
            release_date,
            "plan",
            False,
        )
        for person_id, last_name, first_name, release_date in session.execute(query)
    ]


def _approvals(session: Session, ctx: ServiceContext) -> list[WorkItem]:
    if not may(ctx, Permission.APPROVE_PLAN):
        return []
    query = (
        select(ActionPlan.title, *_PERSON)
        .join(Beneficiary, Beneficiary.id == ActionPlan.beneficiary_id)
        .where(
            ActionPlan.status == PlanStatus.AWAITING_APPROVAL,
            _live_open_case(),
        )
    )
    if ctx.actor.team_id is not None:
        query = query.where(Beneficiary.team_id == ctx.actor.team_id)
    return [
        WorkItem(
            WorkKind.APPROVAL,
            person_id,
            _name(last_name, first_name),
            title or _("Action plan"),
            None,
            "plan",
            False,
        )
        for title, person_id, last_name, first_name in session.execute(query)
    ]


def _appointments(ctx: ServiceContext, horizon: date) -> list[WorkItem]:
    """Appointments coming up, and those past still planned: to be recorded or missed."""
    items = []
    for entry in appointments.due(ctx, horizon):
        title = _("Appointment at {time}").format(time=f"{entry.starts_at:%H:%M}")
        if entry.overdue:
            title = _("Appointment at {time}: record the session or mark it missed").format(
                time=f"{entry.starts_at:%H:%M}"
            )
        if entry.purpose:
            title = f"{title} · {entry.purpose}"
        items.append(
            WorkItem(
                WorkKind.APPOINTMENT,
                entry.beneficiary_id,
                entry.beneficiary_name,
                title,
                entry.starts_at.date(),
                "sessions",
                entry.overdue,
                entry.id,
            )
        )
    return items


_DUE_TITLES = {
    reassessment.DueReason.FIRST: N_("First needs assessment due"),
    reassessment.DueReason.PERIODIC: N_("Reassessment due"),
    reassessment.DueReason.RELEASE: N_("Assessment before release due"),
}


def _assessments(ctx: ServiceContext, horizon: date) -> list[WorkItem]:
    mine = Beneficiary.assigned_staff_id == ctx.actor.staff_id
    return [
        WorkItem(
            WorkKind.ASSESSMENT,
            due.beneficiary_id,
            due.beneficiary_name,
            _(_DUE_TITLES[due.reason]),
            due.due,
            "assessment",
            due.overdue,
        )
        for due in reassessment.due_assessments(ctx, horizon, where=mine)
    ]


def _transfers(ctx: ServiceContext) -> list[WorkItem]:
    """Cases transferred to the actor or their team lately: read the file, meet the person."""
    return [
        WorkItem(
            WorkKind.TRANSFER,
            entry.beneficiary_id,
            entry.beneficiary_name,
            _("Transferred to you: {reason}").format(reason=entry.reason),
            entry.transferred_on,
            "timeline",
            False,
        )
        for entry in transfers.received(ctx)
    ]
