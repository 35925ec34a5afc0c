"""Month-by-month counts for trends, from the same definitions as the indicators."""

from __future__ import annotations

from datetime import date

import pytest

from app.indicators import Figure, MonthFigures, compute, monthly, monthly_counts
from app.indicators.period import Period
from passerelle_core.enums import ReferralStatus
from tests.indicators.conftest import OCTOBER, World

D = date


def test_each_month_counts_what_the_indicators_count_for_that_month(world: World) -> None:
    a = world.person("A", intake=D(2026, 8, 20))
    b = world.person("B", intake=D(2026, 9, 3), closed=D(2026, 10, 2))
    world.person("C", intake=D(2026, 10, 15))
    world.assessment(a, D(2026, 9, 1))
    world.session(a, D(2026, 8, 25))
    world.session(a, D(2026, 10, 1))
    world.session(b, D(2026, 10, 2))
    world.referral(a, world.partner("ANAPEC"), D(2026, 9, 9), ReferralStatus.SENT)

    trend = monthly(world.ctx, D(2026, 10, 31), months=3)
    assert trend.months == [
        MonthFigures(D(2026, 8, 1), followed=1, new_intakes=1, sessions=1),
        MonthFigures(D(2026, 9, 1), followed=2, new_intakes=1, assessments=1, referrals=1),
        MonthFigures(D(2026, 10, 1), followed=3, new_intakes=1, closed_cases=1, sessions=2),
    ]
    for month in trend.months:
        figures = compute(world.ctx, Period.month(month.month))
        assert (month.followed, month.sessions) == (figures.followed, figures.sessions)
    assert monthly_counts(world.ctx, Figure.SESSIONS, OCTOBER.end, months=2) == [
        (D(2026, 9, 1), 0),
        (D(2026, 10, 1), 2),
    ]


def test_only_events_are_counted_by_month(world: World) -> None:
    with pytest.raises(ValueError):
        monthly_counts(world.ctx, Figure.FOLLOWED, OCTOBER.end)
