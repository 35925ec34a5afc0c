"""The anonymised case list: one row per beneficiary, nothing that names or identifies them.

Kept: sex, birth *year*, facility, legal and case status, months (not days) of intake
and release, the latest plan's status and goals, the priority domains of the latest
assessment, counts of sessions and referrals, post-release outcomes. Left out: names
in both scripts, CIN, registration number, birth date, addresses, phones, contacts,
free text, and the record's id (rows are numbered 1..n in an order that tells nothing).

The rows are then made k-anonymous on their quasi-identifiers before they are written
(``app.reports.anonymity``): ages in bands, quarters, a region for a facility when
needed, and rows still too rare left out.

Only beneficiaries with an active consent to anonymised statistics are listed (the
consent purpose docs/domain.md names for this use). Rows come from one SQL query and are
streamed: a 50,000-beneficiary caseload is never held in memory.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    Select,
    SQLColumnExpression,
    String,
    case,
    exists,
    func,
    literal,
    select,
    type_coerce,
)
from sqlalchemy.orm import aliased

from app.indicators import Period, Scope
from app.indicators.figures import INTAKE_DAY, followed_between, in_scope, latest_outcome
from app.models import (
    ActionPlan,
    Beneficiary,
    ConsentRecord,
    Facility,
    FollowUpSession,
    Goal,
    NeedsAssessment,
    PostReleaseOutcome,
    Referral,
)
from app.services.context import ServiceContext
from passerelle_core.enums import (
    AssessmentStatus,
    ConsentPurpose,
    GoalStatus,
    OutcomeCheckpoint,
    ReferralStatus,
)

BATCH = 2000
B = Beneficiary


class CaseRow(NamedTuple):
    """One anonymised case; enum fields are the stored codes (see ``passerelle_core.enums``).

    A named tuple: 50,000 of them are made in a row, and a frozen dataclass costs
    several times more to build."""

    number: int
    birth_year: int | None
    sex: str | None
    facility: str | None
    facility_ar: str | None
    region: str | None
    legal_status: str
    case_status: str
    intake_month: str | None
    release_month: str | None
    plan_status: str | None
    goals_open: int
    goals_achieved: int
    goals_abandoned: int
    priority_domains: list[str]
    last_assessment_month: str | None
    sessions: int
    referrals: int
    referrals_completed: int
    outcome_6: tuple[bool | None, bool | None, bool | None] | None
    outcome_12: tuple[bool | None, bool | None, bool | None] | None


def case_rows(
    ctx: ServiceContext, period: Period | None = None, scope: Scope | None = None
) -> Iterator[CaseRow]:
    """The cases in ``scope`` (followed in ``period`` when given) that consented to
    statistics; sessions and referrals are counted in the period, or ever without one."""
    query = _query(period, scope or Scope())
    with ctx.reading() as session:
        # Plain rows fetched a batch at a time, through the session: live records only.
        result = session.execute(query.execution_options(yield_per=BATCH))
        for number, row in enumerate(result, start=1):
            yield _case(number, row)


def _case(number: int, row: Any) -> CaseRow:
    assessment = json.loads(row.assessment) if row.assessment else None
    return CaseRow(
        number=number,
        birth_year=int(row.birth_year) if row.birth_year else None,
        sex=row.sex,
        facility=row.facility,
        facility_ar=row.facility_ar,
        region=row.region,
        legal_status=row.legal_status,
        case_status=row.case_status,
        intake_month=row.intake_month,
        release_month=row.release_month,
        plan_status=row.plan_status,
        goals_open=row.goals_open or 0,
        goals_achieved=row.goals_achieved or 0,
        goals_abandoned=row.goals_abandoned or 0,
        priority_domains=assessment[1] if assessment else [],
        last_assessment_month=assessment[0] if assessment else None,
        sessions=row.sessions or 0,
        referrals=row.referrals or 0,
        referrals_completed=row.referrals_completed or 0,
        outcome_6=_outcome(row, "six"),
        outcome_12=_outcome(row, "twelve"),
    )


def _text(column: Any) -> Any:
    """The stored text as is: codes and ISO dates need no conversion (50,000 rows)."""
    return type_coerce(column, String)


def _month(day: Any) -> Any:
    """ "YYYY-MM" of a stored ISO date, cut in SQL."""
    return func.substr(type_coerce(day, String), 1, 7)


def _outcome(row: Any, prefix: str) -> tuple[bool | None, bool | None, bool | None] | None:
    if not getattr(row, f"{prefix}_known"):
        return None
    facts = (f"{prefix}_work", f"{prefix}_housing", f"{prefix}_prison")
    return tuple(_flag(getattr(row, name)) for name in facts)  # type: ignore[return-value]


def _flag(value: Any) -> bool | None:
    return None if value is None else bool(value)


def _query(period: Period | None, scope: Scope) -> Select[Any]:
    P, G, A = ActionPlan, Goal, NeedsAssessment
    S, R = FollowUpSession, Referral
    consented = exists().where(
        ConsentRecord.beneficiary_id == B.id,
        ConsentRecord.purpose == ConsentPurpose.STATISTICS,
        ConsentRecord.withdrawn_on.is_(None),
    )
    latest_plan = aliased(ActionPlan, name="latest_plan")
    latest_plan_id = (
        select(latest_plan.id)
        .where(latest_plan.beneficiary_id == B.id)
        .order_by(latest_plan.created_at.desc())
        .limit(1)
        .correlate(B)
        .scalar_subquery()
    )
    # The latest completed assessment's month and priorities in one look-up per case, as
    # a small JSON array (its row is large: reading it twice would cost a second pass).
    latest_assessment = (
        select(func.json_array(_month(A.assessed_on), func.json(A.priority_domains)))
        .where(
            A.beneficiary_id == B.id,
            A.status == AssessmentStatus.COMPLETED,
        )
        .order_by(A.assessed_on.desc(), A.created_at.desc())
        .limit(1)
        .correlate(B)
        .scalar_subquery()
    )

    def counted(condition: ColumnElement[bool]) -> Any:
        return func.sum(case((condition, 1), else_=0))

    def in_period(day: SQLColumnExpression[date]) -> ColumnElement[bool]:
        return literal(True) if period is None else day.between(period.start, period.end)

    # Each count is one grouped pass over its table, joined by key: far cheaper than a
    # look-up per beneficiary on a large caseload.
    goals = (
        select(
            G.plan_id,
            counted(G.status == GoalStatus.OPEN).label("open"),
            counted(G.status == GoalStatus.ACHIEVED).label("achieved"),
            counted(G.status == GoalStatus.ABANDONED).label("abandoned"),
        )
        .group_by(G.plan_id)
        .subquery("goals")
    )
    sessions = (
        select(S.beneficiary_id, func.count().label("held"))
        .where(in_period(S.held_on))
        .group_by(S.beneficiary_id)
        .subquery("sessions")
    )
    referrals = (
        select(
            R.beneficiary_id,
            func.count().label("sent"),
            counted(R.status == ReferralStatus.COMPLETED).label("completed"),
        )
        .where(in_period(R.sent_on))
        .group_by(R.beneficiary_id)
        .subquery("referrals")
    )
    six = _latest_outcome(OutcomeCheckpoint.MONTHS_6, "six")
    twelve = _latest_outcome(OutcomeCheckpoint.MONTHS_12, "twelve")
    query = (
        select(
            _text(func.substr(B.birth_date, 1, 4)).label("birth_year"),
            _text(B.sex).label("sex"),
            Facility.name.label("facility"),
            Facility.name_ar.label("facility_ar"),
            Facility.region.label("region"),
            _text(B.legal_status).label("legal_status"),
            _text(B.case_status).label("case_status"),
            _month(INTAKE_DAY).label("intake_month"),
            _month(B.actual_release_date).label("release_month"),
            _text(P.status).label("plan_status"),
            goals.c.open.label("goals_open"),
            goals.c.achieved.label("goals_achieved"),
            goals.c.abandoned.label("goals_abandoned"),
            latest_assessment.label("assessment"),
            sessions.c.held.label("sessions"),
            referrals.c.sent.label("referrals"),
            referrals.c.completed.label("referrals_completed"),
            *six.c,
            *twelve.c,
        )
        .select_from(B)
        .outerjoin(Facility, Facility.id == B.facility_id)
        .outerjoin(P, P.id == latest_plan_id)
        .outerjoin(goals, goals.c.plan_id == P.id)
        .outerjoin(sessions, sessions.c.beneficiary_id == B.id)
        .outerjoin(referrals, referrals.c.beneficiary_id == B.id)
        .outerjoin(six, six.c.six_beneficiary == B.id)
        .outerjoin(twelve, twelve.c.twelve_beneficiary == B.id)
        .where(*in_scope(scope), consented)
        .order_by(B.id)
    )
    if period is not None:
        query = query.where(followed_between(period.start, period.end))
    return query


def _latest_outcome(checkpoint: OutcomeCheckpoint, prefix: str) -> Any:
    """The latest live outcome of each beneficiary at ``checkpoint``, columns prefixed."""
    outcome = aliased(PostReleaseOutcome, name=f"{prefix}_outcome")
    return (
        select(
            outcome.beneficiary_id.label(f"{prefix}_beneficiary"),
            literal(True).label(f"{prefix}_known"),
            outcome.in_work_or_training.label(f"{prefix}_work"),
            outcome.housing_secured.label(f"{prefix}_housing"),
            outcome.reincarcerated.label(f"{prefix}_prison"),
        )
        .where(
            outcome.checkpoint == checkpoint,
            latest_outcome(outcome),
        )
        .subquery(f"{prefix}_latest")
    )
