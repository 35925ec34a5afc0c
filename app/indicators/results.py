"""The indicators of a period as plain, immutable data: what reports, exports and the
dashboard read (no ORM objects, nothing lazily loaded, safe to pass between threads)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

from app.indicators.period import Period, Scope
from passerelle_core.enums import GoalStatus, OutcomeCheckpoint, ReferralStatus, SessionKind


@dataclass(frozen=True)
class Ratio:
    """``part`` out of ``whole``; ``share`` is None when there is nothing to divide."""

    part: int
    whole: int

    @property
    def share(self) -> float | None:
        return self.part / self.whole if self.whole else None


@dataclass(frozen=True)
class DomainGoals:
    """Goals about one needs domain, by their status today."""

    domain_id: str
    open: int = 0
    achieved: int = 0
    abandoned: int = 0

    @property
    def total(self) -> int:
        return self.open + self.achieved + self.abandoned

    def count(self, status: GoalStatus) -> int:
        return {
            GoalStatus.OPEN: self.open,
            GoalStatus.ACHIEVED: self.achieved,
            GoalStatus.ABANDONED: self.abandoned,
        }[status]


@dataclass(frozen=True)
class DomainCount:
    domain_id: str
    beneficiaries: int


@dataclass(frozen=True)
class StaffSessions:
    """Sessions held by one staff member (``staff_id`` None: not recorded)."""

    staff_id: uuid.UUID | None
    name: str | None
    name_ar: str | None
    sessions: int


@dataclass(frozen=True)
class PartnerReferrals:
    """Referrals to one partner sent in the period, by their status today."""

    partner_id: uuid.UUID
    name: str
    name_ar: str | None
    by_status: dict[ReferralStatus, int]

    @property
    def total(self) -> int:
        return sum(self.by_status.values())


@dataclass(frozen=True)
class OutcomeShares:
    """Post-release outcomes at one checkpoint; each share counts known answers only."""

    checkpoint: OutcomeCheckpoint
    recorded: int
    in_work_or_training: Ratio
    housing_secured: Ratio
    reincarcerated: Ratio


@dataclass(frozen=True)
class Indicators:
    """Every indicator of docs/domain.md for one period and scope (see ``app.indicators.figures``
    for the definition of each count)."""

    period: Period
    scope: Scope
    followed: int
    new_intakes: int
    closed_cases: int
    assessments: int
    recently_assessed: Ratio
    active_plans: int
    releases_with_plan: Ratio
    first_plans: int
    median_days_to_first_plan: float | None
    plan_status: dict[str, int]
    goals: list[DomainGoals]
    needs: list[DomainCount]
    sessions: int
    sessions_by_kind: dict[SessionKind, int]
    sessions_by_staff: list[StaffSessions]
    referrals: int
    referrals_completed: Ratio
    referrals_by_status: dict[ReferralStatus, int]
    referrals_by_partner: list[PartnerReferrals]
    outcomes: list[OutcomeShares]
    appointments: int = 0
    attendance: Ratio = Ratio(0, 0)
    """Appointments of the period done, out of those done or missed (planned and
    cancelled ones are left out)."""
    quick_notes: int = 0

    @property
    def sessions_per_beneficiary(self) -> float | None:
        """Sessions held in the period per beneficiary followed in it."""
        return self.sessions / self.followed if self.followed else None

    @property
    def is_empty(self) -> bool:
        """Nobody followed and nothing done: there is nothing to report."""
        activity = (
            self.followed,
            self.assessments,
            self.sessions,
            self.referrals,
            self.releases_with_plan.whole,
            sum(outcome.recorded for outcome in self.outcomes),
        )
        return not any(activity)


@dataclass(frozen=True)
class MonthFigures:
    """The main counts of one calendar month (``month``: its first day)."""

    month: date
    followed: int = 0
    new_intakes: int = 0
    closed_cases: int = 0
    assessments: int = 0
    sessions: int = 0
    referrals: int = 0


@dataclass(frozen=True)
class Trend:
    """Month by month, oldest first."""

    scope: Scope
    months: list[MonthFigures] = field(default_factory=list)
