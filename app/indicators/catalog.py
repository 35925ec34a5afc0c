"""What each indicator is called and how it is defined, in words people read.

The same wording heads the activity report's tables, its definitions page, the
exported spreadsheets and (later) the dashboard. Texts are marked for translation and
translated where they are shown, in the reader's language.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.i18n import N_
from app.indicators.figures import Figure


@dataclass(frozen=True)
class Definition:
    key: str
    label: str
    definition: str
    figure: Figure | None = None
    """The figure whose cases the dashboard lists for this indicator."""


DEFINITIONS: tuple[Definition, ...] = (
    Definition(
        "followed",
        N_("Beneficiaries followed"),
        N_("Beneficiaries whose case was open on at least one day of the period."),
        Figure.FOLLOWED,
    ),
    Definition(
        "new_intakes",
        N_("New intakes"),
        N_("Beneficiaries whose intake date falls in the period."),
        Figure.NEW_INTAKES,
    ),
    Definition(
        "closed_cases",
        N_("Cases closed"),
        N_("Cases closed with a closing date in the period."),
        Figure.CLOSED_CASES,
    ),
    Definition(
        "assessments",
        N_("Needs assessments completed"),
        N_("Completed assessments dated in the period; a person assessed twice counts twice."),
        Figure.ASSESSMENTS,
    ),
    Definition(
        "recently_assessed",
        N_("Assessment less than 6 months old"),
        N_(
            "Among the beneficiaries followed on the last day of the period, the share whose "
            "latest completed assessment is less than six months old on that day."
        ),
        Figure.RECENTLY_ASSESSED,
    ),
    Definition(
        "active_plans",
        N_("Action plans in force"),
        N_("Plans activated and not closed on at least one day of the period."),
        Figure.ACTIVE_PLANS,
    ),
    Definition(
        "releases_with_plan",
        N_("Releases with a plan in force"),
        N_(
            "Among the beneficiaries released in the period, the share who had a plan in "
            "force on the day of their release."
        ),
        Figure.RELEASES_WITH_PLAN,
    ),
    Definition(
        "median_days_to_first_plan",
        N_("Median days from intake to first plan"),
        N_(
            "For the beneficiaries whose first plan came into force in the period: the "
            "median number of days from intake to that plan's activation."
        ),
        Figure.FIRST_PLANS,
    ),
    Definition(
        "plan_status",
        N_("Current plan status"),
        N_("Status today of the latest plan of each beneficiary followed in the period."),
        Figure.PLAN_STATUS,
    ),
    Definition(
        "goals",
        N_("Goals by needs domain"),
        N_("Goals of the plans in force in the period, by needs domain and status today."),
        Figure.GOALS,
    ),
    Definition(
        "needs",
        N_("Beneficiaries by priority needs domain"),
        N_(
            "Beneficiaries followed in the period, by the priority domains of their latest "
            "completed assessment; a person counts once in each of their priority domains."
        ),
        Figure.NEEDS,
    ),
    Definition(
        "sessions",
        N_("Sessions held"),
        N_("Follow-up sessions dated in the period, of every kind and confidentiality level."),
        Figure.SESSIONS,
    ),
    Definition(
        "sessions_per_beneficiary",
        N_("Sessions per beneficiary followed"),
        N_("Sessions held in the period divided by the beneficiaries followed in it."),
    ),
    Definition(
        "referrals",
        N_("Referrals sent"),
        N_("Referrals to partners sent in the period, by partner and status today."),
        Figure.REFERRALS,
    ),
    Definition(
        "referrals_completed",
        N_("Referrals completed"),
        N_(
            "Share of the referrals sent in the period that are completed today; cancelled "
            "referrals are left out."
        ),
        Figure.REFERRALS,
    ),
    Definition(
        "outcomes",
        N_("Post-release outcomes"),
        N_(
            "Outcomes recorded in the period 6 and 12 months after release (the latest per "
            "person); each share counts only the people whose situation is known."
        ),
        Figure.OUTCOMES,
    ),
    Definition(
        "attendance_rate",
        N_("Attendance at appointments"),
        N_(
            "Share of the appointments dated in the period that were kept (a session "
            "recorded them), out of those kept or marked missed; planned and cancelled "
            "appointments are left out."
        ),
        Figure.APPOINTMENTS,
    ),
    Definition(
        "quick_notes",
        N_("Quick contacts"),
        N_(
            "Short contacts noted in the period (phone calls, corridor talks, messages "
            "from a family or a partner), counted apart from sessions."
        ),
        Figure.QUICK_NOTES,
    ),
)

BY_KEY = {definition.key: definition for definition in DEFINITIONS}
