"""Hand-built caseloads with exact dates, so each indicator's expected value can be counted
by hand. Records are written as models directly: services refuse dates in the future
and stamp today's date, and these tests need every date chosen."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime

import pytest

from app.indicators import Period
from app.models import (
    ActionPlan,
    Beneficiary,
    Facility,
    FollowUpSession,
    Goal,
    NeedsAssessment,
    Partner,
    PostReleaseOutcome,
    Referral,
    StaffMember,
)
from app.services.context import ServiceContext
from app.store.profile import Profile
from passerelle_core.enums import (
    AssessmentStatus,
    CaseStatus,
    Confidentiality,
    GoalStatus,
    OutcomeCheckpoint,
    PlanStatus,
    ReferralStatus,
    SessionKind,
    StaffRole,
)

OCTOBER = Period(date(2026, 10, 1), date(2026, 10, 31))
DELETED = datetime(2026, 10, 30, 12, 0, tzinfo=UTC)


def at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


class World:
    """Adds records to a profile; every method returns the new record's id."""

    def __init__(self, profile: Profile, ctx: ServiceContext) -> None:
        self.profile = profile
        self.ctx = ctx
        self._count = 0

    def _add(self, *records: object) -> None:
        with self.profile.sessions.begin() as session:
            session.add_all(records)

    def facility(self, name: str) -> uuid.UUID:
        facility = Facility(id=uuid.uuid4(), code=name[:8].upper(), name=name)
        self._add(facility)
        return facility.id

    def staff(self, name: str, role: StaffRole = StaffRole.SOCIAL_WORKER) -> uuid.UUID:
        member = StaffMember(id=uuid.uuid4(), full_name=name, role=role)
        self._add(member)
        return member.id

    def partner(self, name: str) -> uuid.UUID:
        partner = Partner(id=uuid.uuid4(), name=name)
        self._add(partner)
        return partner.id

    def person(
        self,
        last_name: str,
        *,
        intake: date | None,
        closed: date | None = None,
        released: date | None = None,
        facility: uuid.UUID | None = None,
        created: date | None = None,
        deleted: bool = False,
    ) -> uuid.UUID:
        self._count += 1
        person = Beneficiary(
            id=uuid.uuid4(),
            last_name=last_name,
            first_name="Test",
            intake_date=intake,
            closed_on=closed,
            case_status=CaseStatus.CLOSED if closed else CaseStatus.OPEN,
            actual_release_date=released,
            facility_id=facility,
            created_at=at(created or intake or date(2026, 1, 1)),
            deleted_at=DELETED if deleted else None,
        )
        self._add(person)
        return person.id

    def assessment(
        self,
        who: uuid.UUID,
        on: date,
        *,
        priorities: Iterable[str] = (),
        status: AssessmentStatus = AssessmentStatus.COMPLETED,
        deleted: bool = False,
    ) -> uuid.UUID:
        assessment = NeedsAssessment(
            id=uuid.uuid4(),
            beneficiary_id=who,
            instrument_id="passerelle-needs",
            instrument_version=1,
            assessed_on=on,
            status=status,
            priority_domains=list(priorities),
            created_at=at(on),
            deleted_at=DELETED if deleted else None,
        )
        self._add(assessment)
        return assessment.id

    def plan(
        self,
        who: uuid.UUID,
        *,
        created: date,
        activated: date | None = None,
        closed: date | None = None,
        status: PlanStatus | None = None,
        deleted: bool = False,
    ) -> uuid.UUID:
        if status is None:
            status = PlanStatus.ACTIVE if activated else PlanStatus.DRAFT
            status = PlanStatus.CLOSED if closed else status
        plan = ActionPlan(
            id=uuid.uuid4(),
            beneficiary_id=who,
            status=status,
            activated_on=activated,
            closed_on=closed,
            created_at=at(created),
            deleted_at=DELETED if deleted else None,
        )
        self._add(plan)
        return plan.id

    def goal(
        self, plan: uuid.UUID, domain: str, status: GoalStatus, *, deleted: bool = False
    ) -> uuid.UUID:
        goal = Goal(
            id=uuid.uuid4(),
            plan_id=plan,
            domain_id=domain,
            wording=f"{domain} {status.value}",
            status=status,
            deleted_at=DELETED if deleted else None,
        )
        self._add(goal)
        return goal.id

    def session(
        self,
        who: uuid.UUID,
        on: date,
        *,
        kind: SessionKind = SessionKind.INDIVIDUAL,
        staff: uuid.UUID | None = None,
        restricted: bool = False,
        deleted: bool = False,
    ) -> uuid.UUID:
        held = FollowUpSession(
            id=uuid.uuid4(),
            beneficiary_id=who,
            held_on=on,
            kind=kind,
            staff_id=staff,
            confidentiality=(
                Confidentiality.PSYCHOLOGIST_ONLY if restricted else Confidentiality.STANDARD
            ),
            deleted_at=DELETED if deleted else None,
        )
        self._add(held)
        return held.id

    def referral(
        self, who: uuid.UUID, partner: uuid.UUID, sent: date, status: ReferralStatus
    ) -> uuid.UUID:
        self._count += 1
        referral = Referral(
            id=uuid.uuid4(),
            reference=f"T-{self._count:05d}",
            beneficiary_id=who,
            partner_id=partner,
            sent_on=sent,
            status=status,
        )
        self._add(referral)
        return referral.id

    def outcome(
        self,
        who: uuid.UUID,
        checkpoint: OutcomeCheckpoint,
        recorded: date,
        work: bool | None,
        housing: bool | None,
        prison: bool | None,
    ) -> uuid.UUID:
        outcome = PostReleaseOutcome(
            id=uuid.uuid4(),
            beneficiary_id=who,
            checkpoint=checkpoint,
            recorded_on=recorded,
            in_work_or_training=work,
            housing_secured=housing,
            reincarcerated=prison,
            created_at=at(recorded),
        )
        self._add(outcome)
        return outcome.id


@pytest.fixture
def world(profile: Profile, ctx: ServiceContext) -> World:
    return World(profile, ctx)
