"""Compute every indicator of a period in one read transaction, with SQL aggregates.

Nothing here loads a caseload into memory: each figure is counted in SQL over the rows
its definition (``app.indicators.figures``) selects, so a 50,000-beneficiary profile
costs a few dozen aggregate queries, not 50,000 objects.
"""

from __future__ import annotations

import statistics
import uuid
from collections import defaultdict
from typing import Any

from sqlalchemy import Integer, cast, func, select
from sqlalchemy.orm import Session

from app.indicators import figures
from app.indicators.figures import Figure, Rows
from app.indicators.period import Period, Scope
from app.indicators.results import (
    DomainCount,
    DomainGoals,
    Indicators,
    OutcomeShares,
    PartnerReferrals,
    Ratio,
    StaffSessions,
)
from app.instruments import load_builtin
from app.models import Partner, StaffMember
from app.services.context import ServiceContext
from passerelle_core.enums import (
    AppointmentStatus,
    GoalStatus,
    OutcomeCheckpoint,
    PlanStatus,
    ReferralStatus,
    SessionKind,
)

NEEDS_INSTRUMENT = "passerelle-needs"
PLAN_STATUS_ORDER = (*(status.value for status in PlanStatus), figures.NO_PLAN)
"""The plan-status breakdown in lifecycle order, "no plan" last."""


def compute(ctx: ServiceContext, period: Period, scope: Scope | None = None) -> Indicators:
    """Every indicator over ``period`` for ``scope`` (the whole profile by default)."""
    scope = scope or Scope()
    with ctx.reading() as session:
        return _Counter(session, period, scope).indicators()


class _Counter:
    def __init__(self, session: Session, period: Period, scope: Scope) -> None:
        self.session, self.period, self.scope = session, period, scope

    def rows(self, figure: Figure) -> Rows:
        return figures.ROWS[figure](self.period, self.scope)

    def count(self, figure: Figure) -> int:
        query = select(func.count()).select_from(self.rows(figure).subquery())
        return self.session.scalar(query) or 0

    def grouped(self, figure: Figure, *columns: str) -> dict[tuple[Any, ...], int]:
        rows = self.rows(figure).subquery()
        keys = [rows.c[name] for name in columns]
        query = select(*keys, func.count()).group_by(*keys)
        return {tuple(row[:-1]): row[-1] for row in self.session.execute(query)}

    def indicators(self) -> Indicators:
        followed = self.count(Figure.FOLLOWED)
        sessions = self.grouped(Figure.SESSIONS, "key", "key2")
        by_kind: dict[SessionKind, int] = defaultdict(int)
        by_staff: dict[uuid.UUID | None, int] = defaultdict(int)
        for (kind, staff_id), count in sessions.items():
            by_kind[kind] += count
            by_staff[staff_id] += count
        referrals = self.grouped(Figure.REFERRALS, "key", "key2")
        by_status: dict[ReferralStatus, int] = defaultdict(int)
        for (_partner, status), count in referrals.items():
            by_status[status] += count
        sent = sum(referrals.values())
        countable = sent - by_status.get(ReferralStatus.CANCELLED, 0)
        days = self.first_plan_days()
        appointments = {key[0]: n for key, n in self.grouped(Figure.APPOINTMENTS, "key").items()}
        done = appointments.get(AppointmentStatus.DONE, 0)
        missed = appointments.get(AppointmentStatus.MISSED, 0)
        return Indicators(
            period=self.period,
            scope=self.scope,
            followed=followed,
            new_intakes=self.count(Figure.NEW_INTAKES),
            closed_cases=self.count(Figure.CLOSED_CASES),
            assessments=self.count(Figure.ASSESSMENTS),
            recently_assessed=Ratio(
                self.count(Figure.RECENTLY_ASSESSED), self.count(Figure.FOLLOWED_AT_END)
            ),
            active_plans=self.count(Figure.ACTIVE_PLANS),
            releases_with_plan=Ratio(
                self.count(Figure.RELEASES_WITH_PLAN), self.count(Figure.RELEASES)
            ),
            first_plans=len(days),
            median_days_to_first_plan=statistics.median(days) if days else None,
            plan_status=self.plan_status(),
            goals=self.goals(),
            needs=self.needs(),
            sessions=sum(by_kind.values()),
            sessions_by_kind={kind: by_kind.get(kind, 0) for kind in SessionKind},
            sessions_by_staff=self.sessions_by_staff(by_staff),
            referrals=sent,
            referrals_completed=Ratio(by_status.get(ReferralStatus.COMPLETED, 0), countable),
            referrals_by_status={status: by_status.get(status, 0) for status in ReferralStatus},
            referrals_by_partner=self.referrals_by_partner(referrals),
            outcomes=self.outcomes(),
            appointments=sum(appointments.values()),
            attendance=Ratio(done, done + missed),
            quick_notes=self.count(Figure.QUICK_NOTES),
        )

    def first_plan_days(self) -> list[float]:
        rows = self.rows(Figure.FIRST_PLANS).subquery()
        return [float(days) for days in self.session.scalars(select(rows.c.days))]

    def plan_status(self) -> dict[str, int]:
        counts = {key[0]: count for key, count in self.grouped(Figure.PLAN_STATUS, "key").items()}
        return {status: counts.get(status, 0) for status in PLAN_STATUS_ORDER}

    def goals(self) -> list[DomainGoals]:
        counts: dict[str, dict[GoalStatus, int]] = defaultdict(dict)
        for (domain_id, status), count in self.grouped(Figure.GOALS, "key", "key2").items():
            counts[domain_id][status] = count
        return [
            DomainGoals(
                domain_id,
                open=by_status.get(GoalStatus.OPEN, 0),
                achieved=by_status.get(GoalStatus.ACHIEVED, 0),
                abandoned=by_status.get(GoalStatus.ABANDONED, 0),
            )
            for domain_id, by_status in _in_domain_order(counts)
        ]

    def needs(self) -> list[DomainCount]:
        counts = {key[0]: count for key, count in self.grouped(Figure.NEEDS, "key").items()}
        return [DomainCount(domain_id, count) for domain_id, count in _in_domain_order(counts)]

    def sessions_by_staff(self, counts: dict[uuid.UUID | None, int]) -> list[StaffSessions]:
        names = self.names(StaffMember.id, StaffMember.full_name, StaffMember.full_name_ar, counts)
        found = []
        for staff_id, sessions in counts.items():
            name, name_ar = names.get(staff_id, (None, None))
            found.append(StaffSessions(staff_id, name, name_ar, sessions))
        return sorted(found, key=lambda row: (-row.sessions, (row.name or "").casefold()))

    def referrals_by_partner(self, counts: dict[tuple[Any, ...], int]) -> list[PartnerReferrals]:
        by_partner: dict[uuid.UUID, dict[ReferralStatus, int]] = defaultdict(dict)
        for (partner_id, status), count in counts.items():
            by_partner[partner_id][status] = count
        names = self.names(Partner.id, Partner.name, Partner.name_ar, by_partner)
        found = []
        for partner_id, statuses in by_partner.items():
            name, name_ar = names.get(partner_id, ("?", None))
            found.append(PartnerReferrals(partner_id, name, name_ar, statuses))
        return sorted(found, key=lambda row: (-row.total, row.name.casefold()))

    def outcomes(self) -> list[OutcomeShares]:
        rows = self.rows(Figure.OUTCOMES).subquery()
        facts = (rows.c.in_work_or_training, rows.c.housing_secured, rows.c.reincarcerated)
        known = [func.count(fact) for fact in facts]  # COUNT skips the unknown (NULL) ones
        true = [func.coalesce(func.sum(cast(fact, Integer)), 0) for fact in facts]
        query = select(rows.c.key, func.count(), *known, *true).group_by(rows.c.key)
        found = {row[0]: tuple(row[1:]) for row in self.session.execute(query)}
        shares = []
        for checkpoint in (OutcomeCheckpoint.MONTHS_6, OutcomeCheckpoint.MONTHS_12):
            recorded, k_work, k_housing, k_prison, t_work, t_housing, t_prison = found.get(
                checkpoint, (0,) * 7
            )
            shares.append(
                OutcomeShares(
                    checkpoint,
                    recorded,
                    in_work_or_training=Ratio(t_work, k_work),
                    housing_secured=Ratio(t_housing, k_housing),
                    reincarcerated=Ratio(t_prison, k_prison),
                )
            )
        return shares

    def names(
        self, id_column: Any, latin: Any, arabic: Any, ids: Any
    ) -> dict[Any, tuple[str, str | None]]:
        """(name, Arabic name) of each id; ids not found are left out."""
        wanted = [key for key in ids if key is not None]
        if not wanted:
            return {}
        rows = self.session.execute(select(id_column, latin, arabic).where(id_column.in_(wanted)))
        return {row[0]: (row[1], row[2]) for row in rows}


def _in_domain_order(counts: dict[str, Any]) -> list[tuple[str, Any]]:
    """The instrument's domain order (as on the assessment form), unknown domains last."""
    domains = load_builtin(NEEDS_INSTRUMENT).domains
    order = {domain.id: index for index, domain in enumerate(domains)}
    return sorted(counts.items(), key=lambda item: (order.get(item[0], len(order)), item[0]))
