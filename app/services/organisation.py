"""Read-only look-ups of the organisation (staff, teams, facilities) that screens need.

Screens show who wrote, approved or is responsible for something, and offer colleagues
and facilities in pick lists; they read them here rather than through the models.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select

from app.i18n import _
from app.models import Beneficiary, Facility, StaffMember, Team
from app.services.context import ServiceContext
from app.services.lookup import get_live


def list_staff(ctx: ServiceContext, *, include_inactive: bool = False) -> list[StaffMember]:
    """Colleagues by name, the actor's team first (they are the usual choice)."""
    with ctx.reading() as session:
        query = select(StaffMember)
        if not include_inactive:
            query = query.where(StaffMember.active.is_(True))
        staff = list(session.scalars(query))
    return sorted(
        staff, key=lambda member: (member.team_id != ctx.actor.team_id, member.full_name.casefold())
    )


def staff_names(ctx: ServiceContext) -> dict[uuid.UUID, str]:
    """Every staff member's name by id, former colleagues included (they wrote history)."""
    with ctx.reading() as session:
        rows = session.execute(select(StaffMember.id, StaffMember.full_name)).all()
    return {row[0]: row[1] for row in rows}


def list_facilities(ctx: ServiceContext) -> list[Facility]:
    """Facilities by name."""
    with ctx.reading() as session:
        query = select(Facility)
        facilities = list(session.scalars(query))
    return sorted(facilities, key=lambda facility: facility.name.casefold())


def home_facility_id(ctx: ServiceContext) -> uuid.UUID | None:
    """The facility of the actor's team, the default place of what they record."""
    if ctx.actor.team_id is None:
        return None
    with ctx.reading() as session:
        team = session.get(Team, ctx.actor.team_id)
        return team.facility_id if team is not None else None


def plan_needs_approval(ctx: ServiceContext, beneficiary_id: uuid.UUID) -> bool:
    """Whether the beneficiary's team wants a supervisor to approve plans before they start."""
    with ctx.reading() as session:
        beneficiary = get_live(session, Beneficiary, beneficiary_id, _("Beneficiary"))
        if beneficiary.team_id is None:
            return False
        team = session.get(Team, beneficiary.team_id)
        return team is not None and team.requires_plan_approval
