"""The caseload's filters kept for later: the offered ones ("my cases"...), those a staff
member saved under a name of their own, and the last ones used.

The last filters go to the settings file, which is not encrypted: ids and codes only,
never the search text. Named filters live in the encrypted profile
(:mod:`app.services.saved_filters`).
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date, timedelta

from app.i18n import N_, _
from app.services import saved_filters
from app.services.caseload import NO_PLAN, CaseloadFilter
from app.services.context import ServiceContext
from app.settings import FilterValue
from passerelle_core.enums import LegalStatus, PlanStatus

PRESETS: tuple[tuple[str, str], ...] = (
    ("mine", N_("My cases")),
    ("release_month", N_("My cases released this month")),
    ("review_overdue", N_("My cases with a plan review overdue")),
    ("everyone", N_("Every case")),
)
"""The filters offered first; "mine" is what a counsellor sees the first time."""
SAVED = "saved:"
"""Prefix of a named filter's key among the offered ones."""


def filter_to_settings(wanted: CaseloadFilter) -> dict[str, FilterValue]:
    """Ids and codes only: the settings file is not encrypted (no search text kept)."""

    def text(value: object) -> str | None:
        return None if value is None else str(value)

    return {
        "facility_id": text(wanted.facility_id),
        "legal_status": text(wanted.legal_status),
        "assigned_staff_id": text(wanted.assigned_staff_id),
        "plan_status": text(wanted.plan_status),
        "release_within_days": wanted.release_within_days,
        "review_overdue": wanted.review_overdue,
        "include_closed": wanted.include_closed,
    }


def filter_from_settings(saved: dict[str, FilterValue]) -> CaseloadFilter | None:
    """The remembered filter, or None when it no longer reads (ids of another format)."""
    try:

        def ident(key: str) -> uuid.UUID | None:
            value = saved.get(key)
            return None if value is None else uuid.UUID(str(value))

        plan = saved.get("plan_status")
        days = saved.get("release_within_days")
        legal = saved.get("legal_status")
        return CaseloadFilter(
            facility_id=ident("facility_id"),
            legal_status=None if legal is None else LegalStatus(str(legal)),
            assigned_staff_id=ident("assigned_staff_id"),
            plan_status=(
                None if plan is None else NO_PLAN if plan == NO_PLAN else PlanStatus(str(plan))
            ),
            release_within_days=int(days) if isinstance(days, int) else None,
            review_overdue=bool(saved.get("review_overdue")),
            include_closed=bool(saved.get("include_closed")),
        )
    except ValueError:
        return None


def preset_filter(
    ctx: ServiceContext, key: str, saved: dict[str, saved_filters.Values]
) -> CaseloadFilter | None:
    """The filter behind an offered key (a preset, or ``saved:<name>`` among ``saved``,
    the person's named filters); None when that one is gone."""
    if key.startswith(SAVED):
        values = saved.get(key[len(SAVED) :])
        return None if values is None else filter_from_settings(values)
    me = ctx.actor.staff_id
    today = ctx.today()
    if key == "release_month":
        end = date(today.year + today.month // 12, today.month % 12 + 1, 1) - timedelta(1)
        return CaseloadFilter(assigned_staff_id=me, release_within_days=(end - today).days)
    if key == "review_overdue":
        return CaseloadFilter(assigned_staff_id=me, review_overdue=True)
    if key == "everyone":
        return CaseloadFilter()
    return CaseloadFilter(assigned_staff_id=me)


def offered(saved: dict[str, saved_filters.Values]) -> list[tuple[str, str]]:
    """(title, key) of every filter offered: the presets, then the person's own."""
    return [(_(title), key) for key, title in PRESETS] + [(name, SAVED + name) for name in saved]


def matching(
    ctx: ServiceContext, wanted: CaseloadFilter, saved: dict[str, saved_filters.Values]
) -> str | None:
    """The offered filter the widgets show now (the search text aside), if any."""
    bare = replace(wanted, query="")
    for _title, key in offered(saved):
        if preset_filter(ctx, key, saved) == bare:
            return key
    return None
