"""The rows behind each figure: one SQL query per indicator, read by counts and drill-downs.

Each :class:`Figure` is defined once, here, as a query returning one row per counted
thing (a beneficiary, an assessment, a session...) with its ``beneficiary_id`` and, for
figures broken down by something, a ``key`` (and a ``key2``). Counting those rows gives
the figure; the distinct ``beneficiary_id`` of the rows are the cases behind it. So a
number on the dashboard, in a PDF and in a spreadsheet, and the list of cases it opens,
cannot drift apart.

Rules shared by every figure:

- only live records count (not deleted, not merged away: the loader criterion of
  :mod:`app.store.live`, applied to every query of a session), and only records of live
  beneficiaries in the :class:`~app.indicators.period.Scope`;
- dates are business dates (intake, assessment, session, release...), the period's
  first and last days included;
- a beneficiary's *intake day* is their intake date, or the day their record was
  created when no intake date was recorded;
- a beneficiary is *followed* on a day when their intake day is on or before it and
  their case was not closed before it;
- a plan is *in force* on a day when it was activated on or before it and not closed
  before it (plans never activated are drafts: work in progress, not plans in force).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Select,
    SQLColumnExpression,
    String,
    and_,
    exists,
    func,
    literal,
    or_,
    select,
    true,
)
from sqlalchemy.orm import InstrumentedAttribute, aliased

from app.indicators.period import Period, Scope, add_months
from app.models import (
    ActionPlan,
    Appointment,
    Beneficiary,
    FollowUpSession,
    Goal,
    NeedsAssessment,
    PostReleaseOutcome,
    QuickNote,
    Referral,
)
from passerelle_core.enums import (
    AssessmentStatus,
    CaseStatus,
    Confidentiality,
    OutcomeCheckpoint,
)

Rows = Select[*tuple[Any, ...]]
"""A figure's rows: ``beneficiary_id`` and, depending on the figure, ``key``, ``key2``, ``day``."""
RECENT_ASSESSMENT_MONTHS = 6
"""An assessment is recent when it is less than this many months old."""
NO_PLAN = "none"
"""The ``key`` of followed beneficiaries without any plan, in :attr:`Figure.PLAN_STATUS`."""

B = Beneficiary
INTAKE_DAY: ColumnElement[date] = func.coalesce(B.intake_date, func.date(B.created_at))


class Figure(StrEnum):
    """Every figure the indicators count, and whose cases can be listed."""

    FOLLOWED = "followed"
    NEW_INTAKES = "new_intakes"
    CLOSED_CASES = "closed_cases"
    ASSESSMENTS = "assessments"
    FOLLOWED_AT_END = "followed_at_end"
    RECENTLY_ASSESSED = "recently_assessed"
    ACTIVE_PLANS = "active_plans"
    RELEASES = "releases"
    RELEASES_WITH_PLAN = "releases_with_plan"
    FIRST_PLANS = "first_plans"
    PLAN_STATUS = "plan_status"
    GOALS = "goals"
    NEEDS = "needs"
    SESSIONS = "sessions"
    REFERRALS = "referrals"
    OUTCOMES = "outcomes"
    APPOINTMENTS = "appointments"
    QUICK_NOTES = "quick_notes"


def in_scope(scope: Scope) -> list[ColumnElement[bool]]:
    """Live beneficiaries attached where the scope says."""
    clauses: list[ColumnElement[bool]] = []  # live ones only: app.store.live
    if scope.facility_id is not None:
        clauses.append(B.facility_id == scope.facility_id)
    if scope.team_id is not None:
        clauses.append(B.team_id == scope.team_id)
    if scope.staff_id is not None:
        clauses.append(B.assigned_staff_id == scope.staff_id)
    return clauses


def followed_between(start: date, end: date) -> ColumnElement[bool]:
    """Followed on at least one day from ``start`` to ``end``."""
    return and_(INTAKE_DAY <= end, or_(B.closed_on.is_(None), B.closed_on >= start))


def plan_in_force(plan: type[ActionPlan], start: date, end: date) -> ColumnElement[bool]:
    """``plan`` (the model or an alias) in force on at least one day from start to end."""
    return and_(
        plan.activated_on.is_not(None),
        plan.activated_on <= end,
        or_(plan.closed_on.is_(None), plan.closed_on >= start),
    )


def _caseload(scope: Scope, *where: ColumnElement[bool]) -> Rows:
    return select(B.id.label("beneficiary_id")).where(*in_scope(scope), *where)


def followed(period: Period, scope: Scope) -> Rows:
    """Beneficiaries followed on at least one day of the period (the active caseload)."""
    return _caseload(scope, followed_between(period.start, period.end))


def new_intakes(period: Period, scope: Scope) -> Rows:
    """Beneficiaries whose intake day (``day``) falls in the period."""
    rows = _caseload(scope, INTAKE_DAY.between(period.start, period.end))
    return rows.add_columns(INTAKE_DAY.label("day"))


def closed_cases(period: Period, scope: Scope) -> Rows:
    """Beneficiaries whose case is closed, with a closing date (``day``) in the period."""
    return _caseload(
        scope, B.case_status == CaseStatus.CLOSED, B.closed_on.between(period.start, period.end)
    ).add_columns(B.closed_on.label("day"))


def assessments(period: Period, scope: Scope) -> Rows:
    """Completed needs assessments dated (``day``) in the period, one row per assessment.

    Drafts do not count; a person assessed twice in the period counts twice.
    """
    A = NeedsAssessment
    return (
        select(A.beneficiary_id, A.assessed_on.label("day"))
        .join(B, B.id == A.beneficiary_id)
        .where(
            *in_scope(scope),
            A.voided_at.is_(None),
            A.status == AssessmentStatus.COMPLETED,
            A.assessed_on.between(period.start, period.end),
        )
    )


def followed_at_end(period: Period, scope: Scope) -> Rows:
    """Beneficiaries followed on the last day of the period."""
    return _caseload(scope, followed_between(period.end, period.end))


def recently_assessed(period: Period, scope: Scope) -> Rows:
    """Beneficiaries followed on the last day of the period whose latest completed
    assessment on that day is less than six months old: dated after the same day six
    calendar months earlier (a period ending on 31 October: assessed from 1 May on)."""
    A = NeedsAssessment
    cutoff = add_months(period.end, -RECENT_ASSESSMENT_MONTHS)
    recent = exists().where(
        A.beneficiary_id == B.id,
        A.voided_at.is_(None),
        A.status == AssessmentStatus.COMPLETED,
        A.assessed_on > cutoff,
        A.assessed_on <= period.end,
    )
    return followed_at_end(period, scope).where(recent)


def active_plans(period: Period, scope: Scope) -> Rows:
    """Plans in force on at least one day of the period (one row per plan)."""
    P = ActionPlan
    return (
        select(P.beneficiary_id, P.id.label("plan_id"))
        .join(B, B.id == P.beneficiary_id)
        .where(*in_scope(scope), plan_in_force(P, period.start, period.end))
    )


def releases(period: Period, scope: Scope) -> Rows:
    """Beneficiaries whose actual release date falls in the period."""
    return _caseload(scope, B.actual_release_date.between(period.start, period.end))


def releases_with_plan(period: Period, scope: Scope) -> Rows:
    """Beneficiaries released in the period who had a plan in force on their release day."""
    P = ActionPlan
    release = B.actual_release_date
    with_plan = exists().where(
        P.beneficiary_id == B.id,
        P.activated_on <= release,
        or_(P.closed_on.is_(None), P.closed_on >= release),
    )
    return releases(period, scope).where(with_plan)


def first_plans(period: Period, scope: Scope) -> Rows:
    """Beneficiaries whose first plan came into force in the period, with ``days``: the
    days from their intake day to that first activation (the plan's ``activated_on``)."""
    P = ActionPlan
    first = (
        select(P.beneficiary_id, func.min(P.activated_on).label("activated_on"))
        .where(P.activated_on.is_not(None))
        .group_by(P.beneficiary_id)
        .subquery()
    )
    days = func.julianday(first.c.activated_on) - func.julianday(INTAKE_DAY)
    return (
        select(B.id.label("beneficiary_id"), days.label("days"))
        .join(first, first.c.beneficiary_id == B.id)
        .where(*in_scope(scope), first.c.activated_on.between(period.start, period.end))
    )


def plan_status(period: Period, scope: Scope) -> Rows:
    """Each followed beneficiary with ``key``: the status their latest plan has today
    (the latest live plan by creation, closed ones included), or ``"none"`` without one.

    Statuses have no history, so this is the status now, not at the end of the period.
    """
    P = aliased(ActionPlan, name="latest_plan")
    latest = (
        select(P.status)
        .where(P.beneficiary_id == B.id)
        .order_by(P.created_at.desc())
        .limit(1)
        .correlate(B)
        .scalar_subquery()
    )
    key = func.coalesce(latest, literal(NO_PLAN), type_=String)
    return followed(period, scope).add_columns(key.label("key"))


def goals(period: Period, scope: Scope) -> Rows:
    """Goals of the plans in force during the period, one row per goal, with ``key``: the
    needs domain, and ``key2``: the goal's status today (open, achieved or abandoned)."""
    P, G = ActionPlan, Goal
    return (
        select(P.beneficiary_id, G.domain_id.label("key"), G.status.label("key2"))
        .join(G, G.plan_id == P.id)
        .join(B, B.id == P.beneficiary_id)
        .where(*in_scope(scope), plan_in_force(P, period.start, period.end))
    )


def needs(period: Period, scope: Scope) -> Rows:
    """Beneficiaries followed in the period, by priority needs domain (``key``) of their
    latest completed assessment dated on or before the period's last day.

    Priority domains are those stored with the assessment: HIGH scores, after the
    assessor's overrides. A beneficiary counts once per priority domain, and not at all
    without an assessment or without priorities.
    """
    A = NeedsAssessment
    L = aliased(NeedsAssessment, name="latest_assessment")
    latest_id = (
        select(L.id)
        .where(
            L.beneficiary_id == B.id,
            L.voided_at.is_(None),
            L.status == AssessmentStatus.COMPLETED,
            L.assessed_on <= period.end,
        )
        .order_by(L.assessed_on.desc(), L.created_at.desc())
        .limit(1)
        .correlate(B)
        .scalar_subquery()
    )
    domain = func.json_each(A.priority_domains).table_valued("value").alias("domain")
    return (
        select(B.id.label("beneficiary_id"), domain.c.value.label("key"))
        .select_from(B)
        .join(A, A.id == latest_id)
        .join(domain, true())
        .where(*in_scope(scope), followed_between(period.start, period.end))
    )


LONG_SPAN_DAYS = 62


def _without_index(day: InstrumentedAttribute[date], period: Period) -> SQLColumnExpression[date]:
    """``day``, hidden from its index over a long period.

    Over months, most rows of the table match: reading it in order beats jumping through
    the date index to rows scattered over the file (a year of sessions on a
    50,000-case profile: 0.2 s instead of 1 s). Over a short period the index wins.
    """
    if (period.end - period.start).days <= LONG_SPAN_DAYS:
        return day
    return func.date(day, type_=Date)


def sessions(period: Period, scope: Scope) -> Rows:
    """Follow-up sessions held (``day``) in the period, one row per session, with ``key``:
    its kind, ``key2``: the staff member who held it, ``restricted``: psychologists only.

    Every session counts in the figures, psychologist-only ones included (a count shows
    the work done, nothing of its content); the cases behind the figure leave out, for
    anyone but a psychologist, those seen only in psychologist-only sessions.
    """
    S = FollowUpSession
    restricted = S.confidentiality == Confidentiality.PSYCHOLOGIST_ONLY
    return (
        select(
            S.beneficiary_id,
            S.kind.label("key"),
            S.staff_id.label("key2"),
            restricted.label("restricted"),
            S.held_on.label("day"),
        )
        .join(B, B.id == S.beneficiary_id)
        .where(*in_scope(scope), S.voided_at.is_(None))
        .where(_without_index(S.held_on, period).between(period.start, period.end))
    )


def referrals(period: Period, scope: Scope) -> Rows:
    """Referrals sent (``day``) in the period, one row per referral, with ``key``: the
    partner and ``key2``: the referral's status today."""
    R = Referral
    return (
        select(
            R.beneficiary_id,
            R.partner_id.label("key"),
            R.status.label("key2"),
            R.sent_on.label("day"),
        )
        .join(B, B.id == R.beneficiary_id)
        .where(*in_scope(scope), R.voided_at.is_(None))
        .where(R.sent_on.between(period.start, period.end))
    )


def latest_outcome(outcome: Any, period: Period | None = None) -> ColumnElement[bool]:
    """``outcome`` (an alias of the model) is the latest live record of its beneficiary at
    its checkpoint (recorded in ``period``, when given): by recording date, then creation."""
    newer = aliased(PostReleaseOutcome, name="newer_outcome")
    within = [] if period is None else [newer.recorded_on.between(period.start, period.end)]
    return ~exists().where(
        newer.beneficiary_id == outcome.beneficiary_id,
        newer.checkpoint == outcome.checkpoint,
        *within,
        or_(
            newer.recorded_on > outcome.recorded_on,
            and_(newer.recorded_on == outcome.recorded_on, newer.created_at > outcome.created_at),
            and_(
                newer.recorded_on == outcome.recorded_on,
                newer.created_at == outcome.created_at,
                newer.id > outcome.id,
            ),
        ),
    )


def outcomes(period: Period, scope: Scope) -> Rows:
    """Post-release outcomes recorded in the period at 6 and 12 months (``key``: the
    checkpoint), the latest record per beneficiary and checkpoint, with the three facts
    (True, False, or None when unknown)."""
    outcome = PostReleaseOutcome
    return (
        select(
            outcome.beneficiary_id,
            outcome.checkpoint.label("key"),
            outcome.in_work_or_training,
            outcome.housing_secured,
            outcome.reincarcerated,
        )
        .join(B, B.id == outcome.beneficiary_id)
        .where(
            *in_scope(scope),
            outcome.checkpoint.in_((OutcomeCheckpoint.MONTHS_6, OutcomeCheckpoint.MONTHS_12)),
            outcome.recorded_on.between(period.start, period.end),
            latest_outcome(outcome, period),
        )
    )


def appointments(period: Period, scope: Scope) -> Rows:
    """Appointments whose local day (``day``) falls in the period, one row per appointment,
    with ``key``: its status today, ``key2``: the staff member's.

    Starts are stored in UTC: an appointment at 00:30 in Casablanca (UTC+1) is on the
    evening before in UTC, and counted by the UTC date it fell in the wrong day, even
    the wrong month. The period's bounds are the laptop's local midnights, as in the
    agenda; ``day`` shifts by the local offset at the period's start."""
    start, end = local_bounds(period.start, period.end)
    offset = datetime.combine(period.start, time()).astimezone().utcoffset() or timedelta()
    day = func.date(Appointment.starts_at, f"{int(offset.total_seconds()):+d} seconds", type_=Date)
    return (
        select(
            Appointment.beneficiary_id,
            Appointment.status.label("key"),
            Appointment.staff_id.label("key2"),
            day.label("day"),
        )
        .join(B, B.id == Appointment.beneficiary_id)
        .where(*in_scope(scope))
        .where(Appointment.starts_at >= start, Appointment.starts_at < end)
    )


def local_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """From the local midnight starting ``first`` to the one ending ``last`` (aware)."""
    start = datetime.combine(first, time()).astimezone()
    return start, datetime.combine(last + timedelta(days=1), time()).astimezone()


def quick_notes(period: Period, scope: Scope) -> Rows:
    """Quick notes (short contacts) dated (``day``) in the period, one row per note, with
    ``key``: the kind of contact. Counted apart from sessions."""
    return (
        select(
            QuickNote.beneficiary_id, QuickNote.kind.label("key"), QuickNote.noted_on.label("day")
        )
        .join(B, B.id == QuickNote.beneficiary_id)
        .where(*in_scope(scope))
        .where(QuickNote.noted_on.between(period.start, period.end))
    )


ROWS: dict[Figure, Callable[[Period, Scope], Rows]] = {
    Figure.FOLLOWED: followed,
    Figure.NEW_INTAKES: new_intakes,
    Figure.CLOSED_CASES: closed_cases,
    Figure.ASSESSMENTS: assessments,
    Figure.FOLLOWED_AT_END: followed_at_end,
    Figure.RECENTLY_ASSESSED: recently_assessed,
    Figure.ACTIVE_PLANS: active_plans,
    Figure.RELEASES: releases,
    Figure.RELEASES_WITH_PLAN: releases_with_plan,
    Figure.FIRST_PLANS: first_plans,
    Figure.PLAN_STATUS: plan_status,
    Figure.GOALS: goals,
    Figure.NEEDS: needs,
    Figure.SESSIONS: sessions,
    Figure.REFERRALS: referrals,
    Figure.OUTCOMES: outcomes,
    Figure.APPOINTMENTS: appointments,
    Figure.QUICK_NOTES: quick_notes,
}
"""The one definition of each figure."""
