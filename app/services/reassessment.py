"""When a case's next needs assessment is due, from the instrument file's schedule.

The schedule (``schedule:`` in ``resources/instruments/needs-v1.yaml``) says: the first
within N days of intake, then every M months after the latest completed one, and one
shortly before the expected release. A case's due date is the earliest of those still
unmet; drafts and voided assessments do not count. Dates only, no clock.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from sqlalchemy import ColumnElement, and_, func, select, true

from app.indicators.figures import in_scope
from app.indicators.period import Scope
from app.instruments import load_builtin
from app.instruments.schema import Schedule
from app.models import Beneficiary, NeedsAssessment
from app.services.context import ServiceContext
from passerelle_core.enums import AssessmentStatus, CaseStatus, LegalStatus

NEEDS_INSTRUMENT = "passerelle-needs"


class DueReason(StrEnum):
    FIRST = "first"  # no assessment since intake
    PERIODIC = "periodic"  # the interval since the latest one has run out
    RELEASE = "release"  # the expected release is near


@dataclass(frozen=True)
class DueAssessment:
    beneficiary_id: uuid.UUID
    beneficiary_name: str
    due: date
    reason: DueReason
    overdue: bool


def schedule() -> Schedule | None:
    return load_builtin(NEEDS_INSTRUMENT).schedule


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it is shorter)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def next_due(
    plan: Schedule,
    *,
    intake: date,
    latest: date | None,
    expected_release: date | None,
    released: bool,
) -> tuple[date, DueReason]:
    """The earliest unmet due date of one case and why it is due."""
    if latest is None:
        candidates = [(intake + timedelta(days=plan.first_within_days), DueReason.FIRST)]
    else:
        candidates = [(add_months(latest, plan.every_months), DueReason.PERIODIC)]
    if plan.at_release and expected_release is not None and not released:
        window_opens = expected_release - timedelta(days=plan.release_window_days)
        if latest is None or latest < window_opens:
            candidates.append((expected_release, DueReason.RELEASE))
    return min(candidates)


def due_assessments(
    ctx: ServiceContext,
    horizon: date,
    *,
    where: ColumnElement[bool] | None = None,
) -> list[DueAssessment]:
    """Open cases whose next assessment is due by ``horizon`` (overdue ones first).

    ``where`` narrows the cases (the actor's, a team's); all cases held otherwise.
    """
    plan = schedule()
    if plan is None:
        return []
    today = ctx.today()
    latest = (
        select(
            NeedsAssessment.beneficiary_id.label("beneficiary_id"),
            func.max(NeedsAssessment.assessed_on).label("assessed_on"),
        )
        .where(
            NeedsAssessment.status == AssessmentStatus.COMPLETED,
            NeedsAssessment.voided_at.is_(None),
        )
        .group_by(NeedsAssessment.beneficiary_id)
        .subquery()
    )
    query = (
        select(
            Beneficiary.id,
            Beneficiary.last_name,
            Beneficiary.first_name,
            Beneficiary.intake_date,
            Beneficiary.created_at,
            Beneficiary.expected_release_date,
            Beneficiary.legal_status,
            latest.c.assessed_on,
        )
        .outerjoin(latest, latest.c.beneficiary_id == Beneficiary.id)
        .where(Beneficiary.case_status == CaseStatus.OPEN)
    )
    if where is not None:
        query = query.where(where)
    found = []
    with ctx.reading() as session:
        rows = session.execute(query).all()
    for person_id, last, first, intake, created, release, status, assessed in rows:
        due, reason = next_due(
            plan,
            intake=intake or created.astimezone().date(),
            latest=assessed,
            expected_release=release,
            released=status is LegalStatus.RELEASED,
        )
        if due <= horizon:
            name = f"{last.upper()} {first}"
            found.append(DueAssessment(person_id, name, due, reason, due < today))
    return sorted(found, key=lambda item: (item.due, item.beneficiary_name.casefold()))


@dataclass(frozen=True)
class DueSummary:
    """How many cases of a scope have their next assessment overdue, or due soon."""

    overdue: int
    due_soon: int
    case_ids: list[uuid.UUID]


def summary(ctx: ServiceContext, scope: Scope, horizon_days: int = 30) -> DueSummary:
    """For the dashboard: overdue assessments and those due within ``horizon_days``."""
    today = ctx.today()
    found = due_assessments(
        ctx, today + timedelta(days=horizon_days), where=and_(true(), *in_scope(scope))
    )
    overdue = sum(1 for item in found if item.overdue)
    return DueSummary(overdue, len(found) - overdue, [item.beneficiary_id for item in found])
