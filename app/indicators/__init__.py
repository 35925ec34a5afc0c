"""The indicators of the activity reports (docs/domain.md), computed in one place.

Reports, exports and the dashboard all read them from here: ``compute`` for a period,
``monthly`` for the trend of the last twelve months, ``case_ids`` for the cases behind
a figure. Each figure has one definition, in ``app.indicators.figures``.
"""

from app.indicators.catalog import BY_KEY, DEFINITIONS, Definition
from app.indicators.compute import compute
from app.indicators.drilldown import case_ids
from app.indicators.figures import NO_PLAN, Figure
from app.indicators.period import InvalidPeriod, Period, Scope
from app.indicators.results import (
    DomainCount,
    DomainGoals,
    Indicators,
    MonthFigures,
    OutcomeShares,
    PartnerReferrals,
    Ratio,
    StaffSessions,
    Trend,
)
from app.indicators.trend import counts_in_period, monthly, monthly_counts

__all__ = [
    "BY_KEY",
    "DEFINITIONS",
    "NO_PLAN",
    "Definition",
    "DomainCount",
    "DomainGoals",
    "Figure",
    "Indicators",
    "InvalidPeriod",
    "MonthFigures",
    "OutcomeShares",
    "PartnerReferrals",
    "Period",
    "Ratio",
    "Scope",
    "StaffSessions",
    "Trend",
    "case_ids",
    "compute",
    "monthly",
    "counts_in_period",
    "monthly_counts",
]
