"""The indicators of a period as flat rows: one figure per row, for spreadsheets and for
the activity report's table of key figures.

The PDF, the CSV and the XLSX all print these rows (or the same ``Indicators`` they are
made from), so their values cannot disagree. A row names its indicator by a stable
key (the catalog's), a breakdown by a stable key too (a domain id, a status, a
partner's id), then the labels people read, in the document's language.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from app.i18n import N_
from app.indicators import BY_KEY, NO_PLAN, Indicators, Ratio
from app.reports.language import DocumentLanguage
from passerelle_core.enums import GoalStatus, PlanStatus, ReferralStatus


class Unit(StrEnum):
    COUNT = "count"
    SHARE = "share"
    """A fraction from 0 to 1, with its ``part`` and ``whole``."""
    DAYS = "days"
    RATIO = "ratio"


HEADLINE = (
    "followed",
    "new_intakes",
    "closed_cases",
    "assessments",
    "recently_assessed",
    "active_plans",
    "releases_with_plan",
    "median_days_to_first_plan",
    "sessions",
    "sessions_per_beneficiary",
    "referrals",
    "referrals_completed",
    "attendance_rate",
    "quick_notes",
)
"""The key figures, in the order the activity report lists them."""
OUTCOME_FACTS = {
    "in_work_or_training": N_("In work or training"),
    "housing_secured": N_("Housing secured"),
    "reincarcerated": N_("Re-incarcerated"),
}
NO_PLAN_LABEL = N_("No plan")
NOT_RECORDED = N_("Not recorded")


@dataclass(frozen=True)
class IndicatorRow:
    indicator: str
    label: str
    breakdown: str
    breakdown_label: str
    value: float | None
    unit: Unit
    part: int | None = None
    whole: int | None = None

    def shown(self, language: DocumentLanguage) -> str:
        """The value as a reader sees it: "1 234", "45,3 % (412 / 909)", "54,0"."""
        if self.unit is Unit.COUNT:
            return language.number(int(self.value or 0))
        if self.unit is Unit.SHARE:
            fraction = f"({language.number(self.part or 0)} / {language.number(self.whole or 0)})"
            return f"{language.percent(self.value)} {fraction}"
        return language.decimal(self.value)


def rows(indicators: Indicators, language: DocumentLanguage) -> list[IndicatorRow]:
    """Every figure: the key figures first, then each breakdown."""
    return list(_Rows(indicators, language))


def headline(indicators: Indicators, language: DocumentLanguage) -> list[IndicatorRow]:
    return [row for row in rows(indicators, language) if not row.breakdown]


class _Rows:
    def __init__(self, indicators: Indicators, language: DocumentLanguage) -> None:
        self.data = indicators
        self.language = language

    def __iter__(self) -> Iterator[IndicatorRow]:
        data = self.data
        yield from (
            self.count("followed", data.followed),
            self.count("new_intakes", data.new_intakes),
            self.count("closed_cases", data.closed_cases),
            self.count("assessments", data.assessments),
            self.share("recently_assessed", data.recently_assessed),
            self.count("active_plans", data.active_plans),
            self.share("releases_with_plan", data.releases_with_plan),
            self.row(
                "median_days_to_first_plan",
                data.median_days_to_first_plan,
                Unit.DAYS,
                whole=data.first_plans,
            ),
            self.count("sessions", data.sessions),
            self.row("sessions_per_beneficiary", data.sessions_per_beneficiary, Unit.RATIO),
            self.count("referrals", data.referrals),
            self.share("referrals_completed", data.referrals_completed),
            self.share("attendance_rate", data.attendance),
            self.count("quick_notes", data.quick_notes),
        )
        yield from self.breakdowns()

    def breakdowns(self) -> Iterator[IndicatorRow]:
        data, lang = self.data, self.language
        _ = lang.gettext
        for status, count in data.plan_status.items():
            name = _(NO_PLAN_LABEL) if status == NO_PLAN else lang.label(PlanStatus(status))
            yield self.count("plan_status", count, status, name)
        for goals in data.goals:
            for goal_status in GoalStatus:
                yield self.count(
                    "goals",
                    goals.count(goal_status),
                    f"{goals.domain_id}/{goal_status.value}",
                    f"{lang.domain(goals.domain_id)} / {lang.label(goal_status)}",
                )
        for need in data.needs:
            yield self.count(
                "needs", need.beneficiaries, need.domain_id, lang.domain(need.domain_id)
            )
        for kind, count in data.sessions_by_kind.items():
            yield self.count("sessions", count, f"kind/{kind.value}", lang.label(kind))
        for staff in data.sessions_by_staff:
            key = f"staff/{staff.staff_id}" if staff.staff_id else "staff/none"
            name = lang.pick(staff.name, staff.name_ar) if staff.name else _(NOT_RECORDED)
            yield self.count("sessions", staff.sessions, key, name)
        for partner in data.referrals_by_partner:
            for referral_status in ReferralStatus:
                yield self.count(
                    "referrals",
                    partner.by_status.get(referral_status, 0),
                    f"{partner.partner_id}/{referral_status.value}",
                    f"{lang.pick(partner.name, partner.name_ar)} / {lang.label(referral_status)}",
                )
        for outcome in data.outcomes:
            checkpoint = lang.label(outcome.checkpoint)
            yield self.count(
                "outcomes", outcome.recorded, f"{outcome.checkpoint.value}", checkpoint
            )
            for fact, fact_label in OUTCOME_FACTS.items():
                ratio: Ratio = getattr(outcome, fact)
                yield self.share(
                    "outcomes",
                    ratio,
                    f"{outcome.checkpoint.value}/{fact}",
                    f"{checkpoint} / {_(fact_label)}",
                )

    def row(
        self,
        key: str,
        value: float | None,
        unit: Unit,
        breakdown: str = "",
        breakdown_label: str = "",
        part: int | None = None,
        whole: int | None = None,
    ) -> IndicatorRow:
        label = self.language.gettext(BY_KEY[key].label)
        return IndicatorRow(key, label, breakdown, breakdown_label, value, unit, part, whole)

    def count(self, key: str, value: int, breakdown: str = "", name: str = "") -> IndicatorRow:
        return self.row(key, value, Unit.COUNT, breakdown, name)

    def share(self, key: str, ratio: Ratio, breakdown: str = "", name: str = "") -> IndicatorRow:
        return self.row(key, ratio.share, Unit.SHARE, breakdown, name, ratio.part, ratio.whole)
