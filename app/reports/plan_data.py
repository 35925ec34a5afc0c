"""What a plan summary prints, read in one transaction into plain data.

Only what the beneficiary may read and sign goes in: identity, the latest completed
assessment's scores and priorities (no item notes, no free-text notes), the plan's
goals and actions. Follow-up sessions and their notes, psychologist-only or not, are
never read here, so they cannot reach the paper.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.i18n import _
from app.instruments import Priority
from app.models import (
    Action,
    ActionPlan,
    Beneficiary,
    Facility,
    NeedsAssessment,
    Partner,
    StaffMember,
    Team,
)
from app.services.assessments import effective_priorities
from app.services.context import ServiceContext
from app.services.errors import ServiceError
from app.services.goals import plans_query
from app.services.lookup import get_live
from passerelle_core.enums import (
    ActionStatus,
    AssessmentStage,
    AssessmentStatus,
    GoalStatus,
    LegalStatus,
    PlanStatus,
    ResponsibleKind,
    Sex,
)


class NoPlanToPrint(ServiceError):
    """The beneficiary has no action plan yet."""


@dataclass(frozen=True)
class Name:
    """A name in Latin script and, when recorded, in Arabic script."""

    latin: str
    arabic: str | None = None

    def in_language(self, language: str) -> str:
        return self.arabic if language == "ar" and self.arabic else self.latin


@dataclass(frozen=True)
class Identity:
    name: Name
    birth_date: date | None
    sex: Sex | None
    registration_number: str | None
    cin: str | None
    legal_status: LegalStatus
    intake_date: date | None
    expected_release_date: date | None
    actual_release_date: date | None
    facility: Name | None
    counsellor: Name | None


@dataclass(frozen=True)
class DomainScore:
    domain_id: str
    score: float | None
    priority: Priority | None
    overridden: bool


@dataclass(frozen=True)
class AssessmentSummary:
    assessed_on: date
    stage: AssessmentStage
    assessor: Name | None
    scores: list[DomainScore]
    priority_domains: list[str]


@dataclass(frozen=True)
class ActionLine:
    description: str
    responsible_kind: ResponsibleKind
    responsible: Name | None
    """The staff member or partner; None when the beneficiary is responsible."""
    due_date: date | None
    status: ActionStatus


@dataclass(frozen=True)
class GoalLine:
    domain_id: str
    wording: str
    target_date: date | None
    status: GoalStatus
    actions: list[ActionLine]


@dataclass(frozen=True)
class PlanSummary:
    identity: Identity
    plan_title: str | None
    plan_status: PlanStatus
    plan_author: Name | None
    activated_on: date | None
    approved_by: Name | None
    review_date: date | None
    goals: list[GoalLine]
    assessment: AssessmentSummary | None
    printed_on: date
    printed_by: Name | None


def load(ctx: ServiceContext, beneficiary_id: uuid.UUID) -> PlanSummary:
    """The current plan (the latest one not closed, else the latest closed one).

    Raises NotFound for an unknown or deleted beneficiary, NoPlanToPrint without a plan.
    """
    with ctx.reading() as session:
        person = get_live(session, Beneficiary, beneficiary_id, _("Beneficiary"))
        plans = list(
            session.scalars(
                plans_query()
                .where(ActionPlan.beneficiary_id == beneficiary_id)
                .order_by(ActionPlan.created_at.desc())
            )
        )
        plan = next((p for p in plans if p.status is not PlanStatus.CLOSED), None)
        plan = plan or (plans[0] if plans else None)
        if plan is None:
            raise NoPlanToPrint(_("This beneficiary has no action plan to print yet."))
        names = _Names(session)
        return PlanSummary(
            identity=Identity(
                name=Name(person.display_name, person.display_name_ar),
                birth_date=person.birth_date,
                sex=person.sex,
                registration_number=person.registration_number,
                cin=person.cin,
                legal_status=person.legal_status,
                intake_date=person.intake_date,
                expected_release_date=person.expected_release_date,
                actual_release_date=person.actual_release_date,
                facility=names.facility(person.facility_id or _team_facility(session, person)),
                counsellor=names.staff(person.assigned_staff_id),
            ),
            plan_title=plan.title,
            plan_status=plan.status,
            plan_author=names.staff(plan.author_id),
            activated_on=plan.activated_on,
            approved_by=names.staff(plan.approved_by_id),
            review_date=plan.review_date,
            goals=[
                GoalLine(
                    domain_id=goal.domain_id,
                    wording=goal.wording,
                    target_date=goal.target_date,
                    status=goal.status,
                    actions=[
                        ActionLine(
                            description=action.description,
                            responsible_kind=action.responsible_kind,
                            responsible=names.responsible(action),
                            due_date=action.due_date,
                            status=action.status,
                        )
                        for action in goal.actions
                    ],
                )
                for goal in plan.goals
            ],
            assessment=_latest_assessment(session, beneficiary_id, names),
            printed_on=ctx.today(),
            printed_by=names.staff(ctx.actor.staff_id),
        )


def _latest_assessment(
    session: Session, beneficiary_id: uuid.UUID, names: _Names
) -> AssessmentSummary | None:
    latest = session.scalar(
        select(NeedsAssessment)
        .where(
            NeedsAssessment.beneficiary_id == beneficiary_id,
            NeedsAssessment.status == AssessmentStatus.COMPLETED,
        )
        .order_by(NeedsAssessment.assessed_on.desc(), NeedsAssessment.created_at.desc())
        .limit(1)
    )
    if latest is None:
        return None
    priorities = effective_priorities(latest)
    scores = [
        DomainScore(
            domain_id=entry["domain_id"],
            score=entry.get("score"),
            priority=priorities.get(entry["domain_id"]),
            overridden=entry["domain_id"] in latest.priority_overrides,
        )
        for entry in latest.scores.get("domains", [])
    ]
    return AssessmentSummary(
        assessed_on=latest.assessed_on,
        stage=latest.stage,
        assessor=names.staff(latest.assessor_id),
        scores=scores,
        priority_domains=list(latest.priority_domains),
    )


def facility_of(session: Session, person: Beneficiary) -> Name | None:
    """The facility a document about ``person`` is issued by: theirs, else their team's."""
    return _Names(session).facility(person.facility_id or _team_facility(session, person))


def _team_facility(session: Session, person: Beneficiary) -> uuid.UUID | None:
    """Where the beneficiary's team works: the facility when none is recorded."""
    team = session.get(Team, person.team_id) if person.team_id else None
    return team.facility_id if team else None


class _Names:
    """Names of staff, partners and facilities, looked up once each."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def staff(self, staff_id: uuid.UUID | None) -> Name | None:
        found = self.session.get(StaffMember, staff_id) if staff_id else None
        return Name(found.full_name, found.full_name_ar) if found else None

    def partner(self, partner_id: uuid.UUID | None) -> Name | None:
        found = self.session.get(Partner, partner_id) if partner_id else None
        return Name(found.name, found.name_ar) if found else None

    def responsible(self, action: Action) -> Name | None:
        if action.responsible_kind is ResponsibleKind.PARTNER:
            return self.partner(action.partner_id)
        if action.responsible_kind is ResponsibleKind.STAFF:
            return self.staff(action.responsible_staff_id)
        return None

    def facility(self, facility_id: uuid.UUID | None) -> Name | None:
        found = self.session.get(Facility, facility_id) if facility_id else None
        return Name(found.name, found.name_ar) if found else None
