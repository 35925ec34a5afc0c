"""Month-by-month counts for trends (the dashboard's sparklines, the activity report's
sessions-per-month chart), from the same figure definitions as the indicators.

Events (intakes, closings, assessments, sessions, referrals) are counted once over the
whole span and grouped by the month of their ``day``; the caseload followed, which is
not an event, is counted for every month in one pass over the beneficiaries.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from app.indicators import figures
from app.indicators.figures import Figure
from app.indicators.period import Period, Scope, month_end
from app.indicators.results import MonthFigures, Trend
from app.services.context import ServiceContext

MONTHS = 12
EVENTS = {
    "new_intakes": Figure.NEW_INTAKES,
    "closed_cases": Figure.CLOSED_CASES,
    "assessments": Figure.ASSESSMENTS,
    "sessions": Figure.SESSIONS,
    "referrals": Figure.REFERRALS,
}


def monthly(
    ctx: ServiceContext, last_month: date, scope: Scope | None = None, months: int = MONTHS
) -> Trend:
    """The ``months`` calendar months ending with the one containing ``last_month``."""
    scope = scope or Scope()
    span = Period.months_ending(last_month, months)
    firsts = list(span.months())
    with ctx.reading() as session:
        followed = _followed_by_month(session, firsts, scope)
        events = {name: _by_month(session, figure, span, scope) for name, figure in EVENTS.items()}
    rows = [
        MonthFigures(
            month=first,
            followed=followed[index],
            **{name: counts.get(_month_key(first), 0) for name, counts in events.items()},
        )
        for index, first in enumerate(firsts)
    ]
    return Trend(scope=scope, months=rows)


def monthly_counts(
    ctx: ServiceContext,
    figure: Figure,
    last_month: date,
    scope: Scope | None = None,
    months: int = MONTHS,
) -> list[tuple[date, int]]:
    """One event figure (see ``EVENTS``) month by month: (first day of the month, count)."""
    if figure not in EVENTS.values():
        raise ValueError(f"figure {figure.value!r} is not counted by month")
    span = Period.months_ending(last_month, months)
    with ctx.reading() as session:
        counts = _by_month(session, figure, span, scope or Scope())
    return [(first, counts.get(_month_key(first), 0)) for first in span.months()]


def counts_in_period(
    ctx: ServiceContext, figure: Figure, period: Period, scope: Scope | None = None
) -> list[tuple[date, int]]:
    """One event figure for each calendar month the period touches, counting only the
    days inside the period: a report's chart never counts what its period leaves out."""
    if figure not in EVENTS.values():
        raise ValueError(f"figure {figure.value!r} is not counted by month")
    with ctx.reading() as session:
        counts = _by_month(session, figure, period, scope or Scope())
    return [(first, counts.get(_month_key(first), 0)) for first in period.months()]


def _month_key(first: date) -> str:
    return first.strftime("%Y-%m")


def _by_month(session: Session, figure: Figure, span: Period, scope: Scope) -> dict[str, int]:
    rows = figures.ROWS[figure](span, scope).subquery()
    month = func.strftime("%Y-%m", rows.c.day)
    query = select(month, func.count()).group_by(month)
    return {row[0]: row[1] for row in session.execute(query)}


def _followed_by_month(session: Session, firsts: list[date], scope: Scope) -> list[int]:
    columns: list[Any] = [
        func.coalesce(
            func.sum(case((figures.followed_between(first, month_end(first)), 1), else_=0)), 0
        )
        for first in firsts
    ]
    query = select(*columns).where(*figures.in_scope(scope))
    return [int(value) for value in session.execute(query).one()]
